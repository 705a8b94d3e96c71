"""Company profiles in and out: validation, upsert, bulk JSONL/CSV import and JSONL export.

The format is the contract in shared/profile-format.md; its rules live in
`services.profile_schema` and are re-exported here (`validate_profile`, `ProfileIn`). The parts:
`readers` (one per format, each yielding `(line, record, problems)`; the one parser of every
upload and `dxmatch import`), `loader` (validation, the caller's check and a savepoint per row;
the transaction rules are in its docstring) and `exporter`.
"""
from __future__ import annotations

from services.profile_schema import ALL_FIELDS, ManufacturerIn, ProfileIn, SupplierIn, validate_profile
from services.profiles.exporter import company_to_record, export_jsonl
from services.profiles.loader import (ImportReport, RowCheck, RowProblem, import_csv, import_file, import_jsonl,
                                      upsert_company)
from services.profiles.readers import Source, format_of

__all__ = [
    "ALL_FIELDS", "ImportReport", "ManufacturerIn", "ProfileIn", "RowCheck", "RowProblem", "Source",
    "SupplierIn", "company_to_record", "export_jsonl", "format_of", "import_csv", "import_file", "import_jsonl",
    "upsert_company", "validate_profile",
]
