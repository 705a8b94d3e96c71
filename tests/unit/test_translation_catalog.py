"""The Korean .po is the one source of every translated text: complete, current, compiled, and what services read.

Every user-facing string (the site's pages and errors, the mails) is an English msgid in the code or a
template; `make translations` extracts them and merges them into web/translations/ko/LC_MESSAGES/messages.po.
These tests extract again, the same way, and fail on a string nobody translated yet.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from services.i18n import CATALOG_DIR, translator

ROOT = Path(__file__).resolve().parents[2]
KO_PO = CATALOG_DIR / "ko" / "LC_MESSAGES" / "messages.po"
KO_MO = KO_PO.with_suffix(".mo")
HOW_TO_FIX = "run `make translations`, then translate the empty or fuzzy entries of " + str(KO_PO.relative_to(ROOT))

Key = tuple[str | None, str]  # (msgctxt, msgid)


def _babel_keywords() -> list[str]:
    """The extra keywords of `make translations` (BABEL_KEYWORDS in the Makefile), so both extract alike."""
    found = re.search(r"^BABEL_KEYWORDS\s*:=\s*(.+)$", (ROOT / "Makefile").read_text(encoding="utf-8"), re.MULTILINE)
    assert found, "BABEL_KEYWORDS is missing from the Makefile"
    return found.group(1).split()


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """A fresh extraction of the whole project into a temporary .pot, as `make translations` runs it."""
    pot = tmp_path_factory.mktemp("catalog") / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", *_babel_keywords(),
         "--no-location", "--sort-output", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with open(pot, "rb") as fh:
        return read_po(fh)


@pytest.fixture(scope="module")
def korean() -> Catalog:
    with open(KO_PO, "rb") as fh:
        return read_po(fh, locale="ko")


def _keys(catalog: Catalog) -> set[Key]:
    return {(m.context, _msgid(m.id)) for m in catalog if m.id}


def _msgid(msgid: str | tuple[str, ...] | list[str]) -> str:
    return msgid[0] if isinstance(msgid, (tuple, list)) else msgid  # a plural entry is keyed by its singular


def _translated(catalog: Catalog) -> dict[Key, str | tuple[str, ...]]:
    """Entries with a reviewed translation: not empty (no empty plural form either) and not fuzzy."""
    done = {}
    for m in catalog:
        forms = m.string if isinstance(m.string, tuple) else (m.string,)
        if m.id and not m.fuzzy and all(forms):
            done[(m.context, _msgid(m.id))] = m.string
    return done


def test_the_extraction_finds_the_site_and_the_mail_strings(extracted):
    keys = _keys(extracted)
    assert (None, "Sign in") in keys  # a web template
    assert (None, "Only administrators can do this.") in keys  # a service error's text (web/i18n.py)
    assert (None, "Weekly matching digest") in keys  # a mail template in services/templates
    assert ("pipeline status", "declined") in keys and ("introduction response", "declined") in keys


def test_every_extracted_string_has_a_reviewed_korean_translation(extracted, korean):
    untranslated = sorted(_keys(extracted) - _translated(korean).keys(), key=str)
    assert untranslated == [], f"no Korean (missing, empty or fuzzy): {untranslated}; {HOW_TO_FIX}"


def test_the_korean_catalog_holds_no_string_the_code_no_longer_uses(extracted, korean):
    unused = sorted(_keys(korean) - _keys(extracted), key=str)
    assert unused == [], f"obsolete entries: {unused}; run `make translations` to drop them"


def test_every_korean_translation_keeps_the_placeholders_of_its_msgid(korean):
    problems = [(m.id, [str(e) for e in errors]) for m, errors in korean.check()]
    assert problems == []


def test_the_compiled_catalog_is_the_po_file():
    assert KO_MO.is_file(), f"{KO_MO} is missing: run `make install` (it compiles the .po)"
    with open(KO_PO, "rb") as fh:
        po = _translated(read_po(fh, locale="ko"))
    with open(KO_MO, "rb") as fh:
        # read_mo gives a plural entry's forms as a list, read_po as a tuple
        mo = {(m.context, _msgid(m.id)): tuple(m.string) if isinstance(m.string, list) else m.string
              for m in read_mo(fh) if m.id}
    assert mo == po, "the .mo is older than the .po: run `make install` (or `make translations`)"


def test_services_translate_from_the_catalog_for_the_language_they_are_given():
    assert translator("ko").gettext("Hello %(name)s,", name="김민수") == "김민수님, 안녕하세요."
    assert translator("en").gettext("Hello %(name)s,", name="Kim") == "Hello Kim,"
    assert translator("ko").pgettext("pipeline status", "declined") == "거절됨"  # the pages' word for the stage
    assert translator("ko").pgettext("introduction response", "declined") == "거절"
    assert translator("fr").gettext("Weekly matching digest") == "Weekly matching digest"  # not offered: English


def _profile_errors(**overrides: object) -> list[str]:
    from services.errors import ValidationFailed
    from services.profile_schema import validate_profile
    from tests.factories import profile_record

    with pytest.raises(ValidationFailed) as failed:
        validate_profile(profile_record("supplier", **overrides))
    return [e["reason"] for e in failed.value.detail["errors"]]


def test_a_profiles_field_errors_read_in_korean_on_a_korean_page_and_as_written_on_an_english_one():
    from web.i18n import localize_reason

    reasons = _profile_errors(
        employees="many", website="ftp://x", industries_served=["battery", "spaceflight"],
        references=["비전 검사"] * 11, certifications=["x" * 101], name="  ",
    ) + _profile_errors(certifications=["GS인증", "GS인증"])
    assert len(reasons) == 7
    korean = [localize_reason(r, translator("ko").gettext) for r in reasons]
    assert not [k for k in korean if re.search(r"\b(must|not|unknown|item|at most|listed)\b", k)], korean
    assert "'spaceflight'" in " ".join(korean) and "'GS인증'" in " ".join(korean)  # the values stay
    assert [localize_reason(r, translator("en").gettext) for r in reasons] == reasons
