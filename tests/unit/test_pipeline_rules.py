"""Pipeline moves as pure rules: which state may follow which."""
from __future__ import annotations

from services import pipeline


def test_allowed_moves_go_one_step_on_or_to_declined():
    assert pipeline.allowed_moves("proposed") == ("introduced", "declined")
    assert pipeline.allowed_moves("meeting") == ("contract", "declined")
    assert pipeline.allowed_moves("contract") == () and pipeline.allowed_moves("declined") == ("reopen",)


def test_meeting_and_contract_are_offered_only_once_both_companies_accepted():
    from models import Introduction, Match

    pair = Match(status="introduced", introduction=Introduction(manufacturer_response="accepted",
                                                                  supplier_response="pending"))
    assert pipeline.allowed_moves(pair) == ("declined",)
    pair.introduction.supplier_response = "accepted"
    assert pipeline.allowed_moves(pair) == ("meeting", "declined")
    assert pipeline.allowed_moves(Match(status="proposed")) == ("introduced", "declined")
