"""The digest's subject and heading name the days it covers in the reader's language, never an ISO week."""
from __future__ import annotations

from datetime import date

import pytest

from services.digest import DigestContent, PairItem, render_digest


def content(language: str, start: date, end: date, **sections: object) -> DigestContent:
    return DigestContent(audience=sections.pop("audience", "member"), language=language, recipient_name="김민수",
                         week="2026-W49", period_start=start, period_end=end, **sections)


@pytest.mark.parametrize(
    ("language", "start", "end", "subject", "heading"),
    [
        ("ko", date(2026, 11, 23), date(2026, 11, 29), "[dxmatch] 11월 23일–29일 매칭 소식", "11월 23일–29일 매칭 소식"),
        ("en", date(2026, 11, 23), date(2026, 11, 29), "[dxmatch] Matches for 23–29 November",
         "Matches for 23–29 November"),
        ("ko", date(2026, 11, 30), date(2026, 12, 6), "[dxmatch] 11월 30일–12월 6일 매칭 소식", "11월 30일–12월 6일 매칭 소식"),
    ],
)
def test_the_subject_and_heading_name_the_covered_days(language, start, end, subject, heading):
    rendered = render_digest(content(language, start, end), "https://dxmatch.test/digest/unsubscribe/x")

    assert rendered.subject == subject
    assert rendered.text.splitlines()[0] == heading
    assert f">{heading}</h1>" in rendered.html
    assert "W49" not in rendered.subject + rendered.text + rendered.html


def test_a_coordinator_subject_counts_the_new_best_pairs_of_the_period():
    pair = PairItem(match_id=1, manufacturer_name="한빛", supplier_name="비전AI랩", score=0.8, reason="", is_new=True,
                    url="https://dxmatch.test/matches/1")

    ko = render_digest(content("ko", date(2026, 11, 23), date(2026, 11, 29), audience="coordinator", hub_name="오창",
                               best_pairs=(pair,)), "https://dxmatch.test/u")
    en = render_digest(content("en", date(2026, 11, 23), date(2026, 11, 29), audience="coordinator", hub_name="Ochang",
                               best_pairs=(pair,)), "https://dxmatch.test/u")

    assert ko.subject == "[dxmatch] 11월 23일–29일 거점 매칭 소식 · 새로운 우수 매칭 1건"
    assert en.subject == "[dxmatch] Hub matches for 23–29 November · 1 new best pair"
