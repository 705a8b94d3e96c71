"""Alembic migrations of the dxmatch schema (a package so it ships inside the wheel)."""
