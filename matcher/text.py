"""Language detection and Korean-aware tokenisation (Kiwi morphemes; English words)."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

# Hangul syllables, jamo and compatibility jamo: a half-typed word (ㅁㄴㅇㄹ) is Korean too
_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_LATIN = re.compile(r"[A-Za-z]")
# Content morphemes: nouns, verb/adjective stems, roots, foreign words, Chinese characters, numbers+units
_KEEP_TAGS = ("NNG", "NNP", "VV", "VA", "XR", "SL", "SH", "SN")
_EN_STOP = frozenset(
    "a an the and or of to in on for with by at from is are be we our us it its as that this these those "
    "not no do does did have has had can could would should will was were than then so but into about "
    "which who what when where how all any every each some more most very also".split()
)


def detect_language(*texts: str | None) -> Literal["ko", "en"]:
    """Guess ko/en from the share of Hangul among letters (Korean carries more per character).

    Korean profiles are full of Latin acronyms (AI, MES, ERP), so a quarter of Hangul letters is
    enough to call a text Korean; text without any letters defaults to Korean, the hubs' language.
    """
    joined = " ".join(t for t in texts if t)
    hangul = len(_HANGUL.findall(joined))
    latin = len(_LATIN.findall(joined))
    if hangul + latin == 0:
        return "ko"
    return "ko" if hangul / (hangul + latin) >= 0.25 else "en"


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
