"""Language detection and Korean-aware tokenisation (Kiwi morphemes; English words)."""
from __future__ import annotations

import re
from functools import lru_cache

_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_LATIN = re.compile(r"[A-Za-z]")
# Content morphemes: nouns, verb/adjective stems, roots, foreign words, Chinese characters, numbers+units
_KEEP_TAGS = ("NNG", "NNP", "VV", "VA", "XR", "SL", "SH", "SN")
_EN_STOP = frozenset(
    "a an the and or of to in on for with by at from is are be we our us it its as that this these those "
    "not no do does did have has had can could would should will was were than then so but into about "
    "which who what when where how all any every each some more most very also".split()
)


def detect_language(text: str) -> str:
    """'ko' when Hangul makes up at least a fifth of the letters, else 'en'."""
    hangul = len(_HANGUL.findall(text))
    latin = len(_LATIN.findall(text))
    return "ko" if hangul and hangul >= 0.2 * (hangul + latin) else "en"


@lru_cache(maxsize=1)
def _kiwi():
    from kiwipiepy import Kiwi

    return Kiwi()


def _stem_en(word: str) -> str:
    """A light English stemmer: plural and common verb endings (enough for short capability texts)."""
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)] + repl
    return word


def tokenize(text: str) -> list[str]:
    """Content tokens of a Korean or English text, lower-cased, English lightly stemmed."""
    return tokenize_many([text])[0]


def tokenize_many(texts: list[str]) -> list[list[str]]:
    """Tokenise a batch (Kiwi is faster on batches)."""
    results = []
    for tokens in _kiwi().tokenize(texts):
        out = []
        for token in tokens:
            if not token.tag.startswith(_KEEP_TAGS):
                continue
            form = token.form.lower()
            if token.tag == "SL":
                if form in _EN_STOP or len(form) < 2:
                    continue
                form = _stem_en(form)
            out.append(form)
        results.append(out)
    return results
