"""Korean is complete: every UI string in the committed catalog has a translation, and the .mo is compiled."""
from __future__ import annotations

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from config.settings import PROJECT_ROOT

CATALOG = PROJECT_ROOT / "web" / "translations" / "ko" / "LC_MESSAGES"


def test_every_ui_string_has_a_korean_translation():
    with open(CATALOG / "messages.po", "rb") as fh:
        catalog = read_po(fh)
    untranslated = [m.id for m in catalog if m.id and not m.string]
    assert untranslated == []


def test_the_compiled_catalog_matches_the_po_file():
    with open(CATALOG / "messages.po", "rb") as fh:
        po = {m.id: m.string for m in read_po(fh) if m.id}
    with open(CATALOG / "messages.mo", "rb") as fh:
        mo = {m.id: m.string for m in read_mo(fh) if m.id}
    assert mo == po
