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

    # without the multi-word dictionary: 175 MB less in every process, and "네이버 클라우드" splits into
    # words that other texts share (4 of 1,143 dev texts tokenise differently)
    return Kiwi(load_multi_dict=False)


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


_COMPOUND_MARGIN = 3.0  # how much less likely (Kiwi's log score) a reading as parts may be than the whole word


def compound_parts(word: str) -> list[str]:
    """Kiwi's reading of one unspaced Korean word as two or more nouns ("스마트팩토리" -> 스마트, 팩토리).

    Kiwi reads a compound it does not know as one noun when it stands alone, yet as its parts
    inside a sentence; its second or third reading usually gives them. Taken when it is nouns only,
    spells the word exactly, and scores within `_COMPOUND_MARGIN` of the best; else [] (no parts).
    """
    if len(word) < 4 or not _HANGUL.search(word):
        return []
    readings = _kiwi().analyze(word, top_n=3)
    if not readings:
        return []
    best = readings[0][1]
    for tokens, score in readings:
        forms = [t.form for t in tokens]
        if len(forms) >= 2 and score >= best - _COMPOUND_MARGIN and "".join(forms) == word and \
                all(t.tag in ("NNG", "NNP") for t in tokens):
            return forms
    return []


_NOUN_TAGS = ("NNG", "NNP", "SL", "SH", "XPN", "XSN")  # nouns, foreign words, noun prefixes and suffixes (비-계획)
# English words that name no theme: requests, verbs and generic nouns of need texts ("we would like to reduce ...")
_EN_GENERIC = _EN_STOP | frozenset(
    "like want wants need needs needed reduce reduces improve improves better faster help helps make makes get "
    "our customer customers company companies process processes problem problems issue issues way ways time "
    "times using use used new current currently manual manually automatic automatically real many much lot lots "
    "day days month months year years people staff worker workers team line lines".split()
)
# Korean nouns too general to name a theme on their own (kept inside a longer phrase: "접근 통제 필요" no, "접근 통제" yes)
_KO_GENERIC = frozenset("필요 개선 도입 구축 문제 경우 때문 현재 작업 사람 정도 부분 방법 관리 시스템 기업 회사 고객".split())


def noun_phrases(texts: list[str]) -> list[list[str]]:
    """The noun phrases of each text as written: runs of adjacent nouns (Kiwi) or English words.

    Korean endings, particles, verbs and adjectives never appear ("싶습니다" is no theme); runs keep
    their spacing from the text, so "예지보전" and "외관 불량" come back as written. Each run is
    returned whole, then as its two-word pieces and its single nouns (not the generic ones), so
    needs worded differently can share a phrase.
    """
    results = []
    for text, tokens in zip(texts, _kiwi().tokenize(texts)):
        runs: list[list] = []
        for token in tokens:
            noun = token.tag.startswith(_NOUN_TAGS) and len(token.form) >= (2 if token.tag == "SL" else 1)
            if noun and token.tag == "SL" and token.form.lower() in _EN_GENERIC:
                noun = False
            if not noun:
                runs.append([])
                continue
            if not runs:
                runs.append([])
            runs[-1].append(token)
        phrases: list[str] = []
        for run in runs:
            words = _words(run)
            if not words:
                continue
            pieces = [words] if len(words) == 1 else [
                words, *(words[i:i + 2] for i in range(len(words) - 1) if len(words) > 2), *([w] for w in words)]
            for piece in pieces:
                if len(piece) == 1 and "".join(t.form for t in piece[0]) in _KO_GENERIC:
                    continue
                phrase = text[piece[0][0].start:piece[-1][-1].end].strip().lower()
                if len(phrase) >= 2 and phrase not in phrases:
                    phrases.append(phrase)
        results.append(phrases)
    return results


def _words(run: list) -> list[list]:
    """Morphemes of a noun run grouped into words: a prefix joins the next noun, a suffix the previous (비-계획, 자동-화)."""
    words: list[list] = []
    prefix: list = []
    for token in run:
        if token.tag == "XPN":
            prefix.append(token)
        elif token.tag == "XSN" and words:
            words[-1].append(token)
        else:
            words.append([*prefix, token])
            prefix = []
    return words

