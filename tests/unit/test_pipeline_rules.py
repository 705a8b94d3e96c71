"""Pipeline moves as pure rules: which state may follow which."""
from __future__ import annotations

from services import pipeline


def test_allowed_moves_go_one_step_on_or_to_declined():
    assert pipeline.allowed_moves("proposed") == ("introduced", "declined")
    assert pipeline.allowed_moves("meeting") == ("contract", "declined")
    assert pipeline.allowed_moves("contract") == () and pipeline.allowed_moves("declined") == ()
