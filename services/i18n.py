"""Translations outside a web request (mails, error texts), from the same Babel catalog as the site.

A mail goes out in its recipient's language, not in the language of whoever triggered it, and the
digest runs from cron with no request at all, so services name the language explicitly instead of
using Flask-Babel's request locale. The catalog is `web/translations/<lang>/LC_MESSAGES/messages.po`
(the one source of every Korean text; English is the msgid itself), compiled to `messages.mo` by
`make install` / `make translations`. It is read here as a file, so services import nothing from web.

Mark a msgid where it is defined with `N_("...")` (a no-op that `pybabel extract` collects) and
translate it where it is shown with `translator(language).gettext(msgid)`; call sites that spell the
English out (`tr.gettext("Hello %(name)s,", name=...)`, `tr.pgettext(ctx, msg)`) are extracted as
they are. `tests/unit/test_translation_catalog.py` fails when an extracted msgid has no Korean.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import lru_cache
from gettext import NullTranslations
from pathlib import Path

from babel.support import Translations

from services import clock

CATALOG_DIR = Path(__file__).resolve().parent.parent / "web" / "translations"
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"  # msgids are English: no catalog to load
LANGUAGES: tuple[str, ...] = ("ko", "en")


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Marks `message` for extraction where it is defined; it is translated later, where it is shown."""
    return message


class Translator:
    """gettext for one language, formatting `%(name)s` values the way Flask-Babel does.

    Read-only after it is built, so one instance per language serves every thread and job.
    """

    def __init__(self, language: str, catalog: NullTranslations) -> None:
        self.language = language
        self._catalog = catalog

    def gettext(self, message: str, **values: object) -> str:
        """`message` in this language (as written when the catalog lacks it), with `values` filled in."""
        text = self._catalog.gettext(message)
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, num: int, **values: object) -> str:
        """The form for `num` (`%(num)d` is filled in); Korean has one form, English two."""
        values.setdefault("num", num)
        return self._catalog.ngettext(singular, plural, num) % values

    def pgettext(self, context: str, message: str, **values: object) -> str:
        """`message` in `context`, for one English word with two translations ("declined": 거절 / 중단)."""
        text = self._catalog.pgettext(context, message)
        return text % values if values else text

    def template_functions(self) -> dict[str, Callable[..., str]]:
        """`_`, `gettext`, `ngettext`, `pgettext` for a Jinja template (the names `pybabel extract` knows)."""
        return {"_": self.gettext, "gettext": self.gettext, "ngettext": self.ngettext, "pgettext": self.pgettext}


def translator(language: str) -> Translator:
    """The translator of `language`, loaded once per process; a language we do not offer gets English.

    Raises:
        FileNotFoundError: the catalog of an offered language is not compiled (run `make install`);
            failing loudly beats mailing Korean readers English text.
    """
    return _translator(language if language in LANGUAGES else SOURCE_LANGUAGE)


@lru_cache(maxsize=None)  # one entry per offered language
def _translator(language: str) -> Translator:
    if language == SOURCE_LANGUAGE:
        return Translator(SOURCE_LANGUAGE, NullTranslations())
    compiled = CATALOG_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not compiled.is_file():
        raise FileNotFoundError(f"{compiled} is missing: run `make install` (or `make translations`) to compile it")
    return Translator(language, Translations.load(str(CATALOG_DIR), [language], DOMAIN))


def format_day(day: date, language: str) -> str:
    """A date as a reader of that language writes it (2025년 1월 6일 / 6 Jan 2025): the one format of services.clock."""
    return clock.format_date(day, language)


def format_score(score: float) -> str:
    """A 0..1 score as a whole percentage; the same in both languages."""
    return f"{round(max(0.0, min(1.0, score)) * 100)}%"
