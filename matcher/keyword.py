"""Exact-term evidence for free-text search: BM25F over every public text field, with acronyms.

The need-level rows of the engine see capabilities and references only, and the dense encoder is
weakest on short keyword queries ("MES 구축", "OT security"): a company that names the term
should be found. Each company is one document whose fields (capabilities or needs, references,
summary, name, description) count with their own weights (BM25F). Scores are absolute: the share
of the query's IDF mass a company matches (0..1), so a query that matches nothing scores 0 for
everyone instead of making the best of a weak field look good. A query word counts through its
best alternative (itself, a translation, an acronym's defining words), never through several.

Acronyms are induced from the indexed text, nothing is written for a data set:
- every all-capitals token (MES, LIMS, OT) is an acronym; consecutive English words that spell one
  ("manufacturing execution system" -> MES, "laboratory information management" -> LIMS without
  its final "system") stand for it, in a query and in a company's text alike;
- a definition in the text, "제품수명주기관리(PLM)" or "factory energy management (FEMS)" (English
  words only when their initials give the acronym), ties the acronym to its words: a query with
  all of them asks for the acronym, a company writing the definition is indexed under the acronym,
  and a query naming the acronym also looks, at half weight, for its defining words.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

import numpy as np
from scipy import sparse

from matcher.rows import RowStore
from matcher.text import compound_parts, tokenize_many
from matcher.types import Profile

FIELD_WEIGHTS = {"main": 1.0, "references": 0.5, "summary": 0.5, "name": 0.5, "description": 0.3}
_ACRONYM = re.compile(r"\b[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*\b")
_DEFINITION = re.compile(r"([^\s()]+(?:\s+[^\s()]+){0,5})\s?\(\s*([A-Z][A-Za-z0-9]{1,7})\s*\)")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_WORD = re.compile(r"[A-Za-z]+")
_NOT_WORD = re.compile(r"[^0-9a-z\uac00-\ud7a3]+")
_STOP = frozenset("a an the and or of to in on for with by at from".split())
_MIN_PIECE = 2  # syllables of the shortest part a query's unknown Korean compound is split into


@dataclass(frozen=True)
class KeywordQuery:
    """A query as the keyword index reads it (`KeywordIndex.query`).

    weights: each distinct query word's share of the query's IDF mass (they sum to 1).
    alternatives: per word, (terms, factor) pairs: a company matches the word as much as its best
        pair's factor times its mean saturated frequency of those terms.
    spans: (word positions, acronym): words that spell or define an acronym the index knows.
    compounds: (word, its parts): the query's unspaced Korean compounds no company uses, read as parts
        (`KeywordIndex._pieces`); search spaces them for the encoder too.
    """

    weights: tuple[float, ...]
    alternatives: tuple[tuple[tuple[tuple[str, ...], float], ...], ...]
    spans: tuple[tuple[tuple[int, ...], str], ...]
    compounds: tuple[tuple[str, tuple[str, ...]], ...] = ()


def _squeeze(text: str) -> str:
    """Lower case without spaces or punctuation: "정보 관리시스템" and "정보관리시스템" read alike."""
    return _NOT_WORD.sub("", text.lower())


def _defined(words: list[str], acronym: str) -> str:
    """The words an acronym in brackets stands for, or "" (Schwartz-Hearst, simplified).

    Korean writes the term as one compound before the bracket; English spells it in words whose
    initials give the acronym (a final S(ystem) may be missing): "own technical documents (RAG)" defines nothing.
    """
    if _HANGUL.search(words[-1]):
        return words[-1]
    words = [w.strip(":,;.") for w in words]
    for n in (len(acronym), len(acronym) - 1):
        span = words[-n:] if 2 <= n <= len(words) else []
        if span and "".join(w[:1].lower() for w in span) == acronym[:n] and (n == len(acronym) or acronym[-1] == "s"):
            return " ".join(span)
    return ""


def _fields(profile: Profile) -> dict[str, str]:
    main = profile.capabilities if profile.kind == "supplier" else profile.needs
    return {"main": "\n".join(main), "references": "\n".join(profile.references), "summary": profile.summary,
            "name": profile.name, "description": profile.description}


class KeywordIndex:
    """One BM25F document per company of one kind; `scores` gives every live company's 0..1 match."""

    def __init__(self, k1: float = 1.2, b: float = 0.75, definition_weight: float = 0.5) -> None:
        self.k1 = k1
        self.b = b
        self.definition_weight = definition_weight  # an acronym's defining words, asked for by the acronym

    # ----------------------------------------------------------------- fitting
    def fit(self, profiles: Sequence[Profile]) -> "KeywordIndex":
        """Vocabulary, IDF, average length and acronyms from these companies, then index them."""
        fields = [_fields(p) for p in profiles]
        self.acronyms_, self.definitions_, self.phrases_ = self._induce_acronyms(
            [t for f in fields for t in (f["main"], f["references"], f["summary"], f["description"])])
        self._derive()
        counts = self._term_counts(fields)
        df: dict[str, int] = {}
        for tf in counts:
            for t in tf:
                df[t] = df.get(t, 0) + 1
        self.vocabulary_ = {t: i for i, t in enumerate(sorted(df))}
        n = len(profiles)
        self.idf_ = np.asarray([math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5)) for t in sorted(df)])
        self.unknown_idf_ = math.log(1 + (n + 0.5) / 0.5)  # a query word no company uses
        self.avgdl_ = float(np.mean([sum(tf.values()) for tf in counts])) if counts else 1.0
        self.rows_ = RowStore(0, len(self.vocabulary_))
        self._append(profiles, counts)
        return self

    def _term_counts(self, fields: list[dict[str, str]]) -> list[dict[str, float]]:
        names = list(FIELD_WEIGHTS)
        texts = [f[name] for f in fields for name in names]
        unique = list(dict.fromkeys(texts))  # generated and copied profiles repeat texts: one Kiwi pass each
        known = dict(zip(unique, tokenize_many(unique))) if unique else {}
        named = {t: self._named(t) for t in unique}
        counts = []
        for i in range(len(fields)):
            tf: dict[str, float] = {}
            for j, name in enumerate(names):
                text = texts[i * len(names) + j]
                for t in known[text]:
                    tf[t] = tf.get(t, 0.0) + FIELD_WEIGHTS[name]
                for a in named[text] - set(known[text]):  # spelled out, not named: counts once per field
                    tf[a] = tf.get(a, 0.0) + FIELD_WEIGHTS[name]
            counts.append(tf)
        return counts

    @staticmethod
    def _induce_acronyms(texts: Iterable[str]) -> tuple[frozenset[str], dict[str, tuple[tuple[str, ...], ...]],
                                                        dict[str, tuple[str, ...]]]:
        acronyms: set[str] = set()
        phrases: dict[str, set[str]] = {}
        for text in texts:
            acronyms.update(a.lower() for a in _ACRONYM.findall(text) if 2 <= len(a) <= 6)
            for match in _DEFINITION.finditer(text):
                phrase = _defined(match.group(1).split(), match.group(2).lower())
                if phrase:
                    phrases.setdefault(match.group(2).lower(), set()).add(phrase)
        keys = sorted(phrases)
        tokens = tokenize_many([p for k in keys for p in sorted(phrases[k])]) if keys else []
        definitions: dict[str, tuple[tuple[str, ...], ...]] = {}
        written: dict[str, tuple[str, ...]] = {}
        i = 0
        for k in keys:
            found, kept = [], []
            for phrase in sorted(phrases[k]):
                words = tuple(sorted(set(tokens[i]) - {k}))
                i += 1
                if len(words) >= 2:  # one generic word ("서비스") is not a definition
                    found.append(words)
                    kept.append(_squeeze(phrase))
            if found:
                definitions[k] = tuple(sorted(set(found)))
                written[k] = tuple(sorted(set(kept)))
        return frozenset(acronyms), definitions, written

    def _derive(self) -> None:
        """Lookups for spelled-out acronyms: initials -> acronyms, and one pattern of every definition as written."""
        initials: dict[str, set[str]] = {}
        for acronym in self.acronyms_:
            # "laboratory information management" spells LIMS: a final S(ystem) is often left out
            for n in {len(acronym)} | ({len(acronym) - 1} if acronym.endswith("s") and len(acronym) >= 4 else set()):
                initials.setdefault(acronym[:n], set()).add(acronym)
        self._initials = {k: tuple(sorted(v)) for k, v in initials.items()}
        phrases = {p: a for a, ps in getattr(self, "phrases_", {}).items() for p in ps}
        self._phrase_of = phrases
        self._phrases = re.compile("|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))) \
            if phrases else None

    def _spelled(self, words: list[str], min_length: int) -> dict[str, list[str]]:
        """Acronyms whose letters start consecutive English words ("autonomous mobile robots" -> amr)."""
        found: dict[str, list[str]] = {}
        lengths = sorted({len(k) for k in self._initials if len(k) >= min_length})
        for n in lengths:
            for i in range(len(words) - n + 1):
                span = words[i:i + n]
                for acronym in self._initials.get("".join(w[0] for w in span), ()):
                    if acronym not in span and not _STOP.intersection(span):
                        found[acronym] = span
        return found

    def _named(self, text: str) -> set[str]:
        """Acronyms a document text spells out or defines without naming them: indexed as if named.

        Two-letter initials are too common in running text ("operator training" is no OT), so a
        document's words must spell at least three letters; a definition counts as written ("정보관리시스템").
        """
        if not text:
            return set()
        found = set(self._spelled([w.lower() for w in _WORD.findall(text)], 3))
        if self._phrases is not None:
            found.update(self._phrase_of[m.group(0)] for m in self._phrases.finditer(_squeeze(text)))
        return found

    # ----------------------------------------------------------------- rows
    def _append(self, profiles: Sequence[Profile], counts: list[dict[str, float]]) -> None:
        if not profiles:
            return
        data, cols, indptr = [], [], [0]
        for tf in counts:
            length = sum(tf.values())
            norm = self.k1 * (1 - self.b + self.b * length / self.avgdl_)
            for t, c in tf.items():
                col = self.vocabulary_.get(t)
                if col is not None:
                    cols.append(col)
                    data.append(c * (self.k1 + 1) / (c + norm) / (self.k1 + 1))  # saturated tf, 0..1
            indptr.append(len(cols))
        matrix = sparse.csr_matrix((np.asarray(data, dtype=np.float32), np.asarray(cols, dtype=np.int64),
                                    np.asarray(indptr, dtype=np.int64)), shape=(len(counts), len(self.vocabulary_)))
        owners = [p.id for p in profiles]
        self.rows_.append(owners, ["" for _ in owners], [1.0] * len(owners), np.zeros((len(owners), 0), np.float32),
                          matrix)

    def upsert(self, profile: Profile) -> None:
        """Replace one company's document (vocabulary, IDF and acronyms stay as fitted)."""
        self.rows_.kill(profile.id)
        self._append([profile], self._term_counts([_fields(profile)]))

    def remove(self, profile_id: str) -> None:
        self.rows_.kill(profile_id)

    def compact(self) -> None:
        """Stack appended rows now, not lazily under a reader (see `Matcher.save`)."""
        self.rows_.compact()

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.__dict__.setdefault("phrases_", {})  # an index written before definitions were kept as written
        self._derive()
        rows = self.__dict__.get("rows_")
        if rows is not None:  # a RowStore pickles without its (here empty) dense block
            rows.attach_dense(np.zeros((len(rows._weight), 0), dtype=np.float32))

    # ----------------------------------------------------------------- querying
    def query(self, text: str,
              translations: Callable[[list[str]], dict[str, list[tuple[str, float]]]] | None = None) -> KeywordQuery:
        """What a query asks for: each word in IDF units, what else counts as that word, acronym spans.

        A word's alternatives are itself, its translations (`translations(tokens)` gives each token's
        (translation, similarity) pairs; they count as much as their similarity) and, for an acronym,
        its defining words (at `definition_weight`). Words that spell or define an acronym form a span
        that a company naming the acronym matches as fully as one writing every word.
        """
        words = {t: self._pieces(t) for t in dict.fromkeys(tokenize_many([text])[0])}
        compounds = tuple((t, tuple(pieces)) for t, pieces in words.items() if len(pieces) > 1)
        tokens = list(dict.fromkeys(piece for pieces in words.values() for piece in pieces))
        idf = [self._idf(t) for t in tokens]
        denominator = sum(idf)
        if not tokens or denominator <= 0:
            return KeywordQuery((), (), (), compounds)
        translated = translations(tokens) if translations else {}
        alternatives = []
        for t in tokens:
            alts: dict[tuple[str, ...], float] = {(t,): 1.0}
            for other, similarity in translated.get(t, ()):
                alts[(other,)] = max(alts.get((other,), 0.0), float(similarity) * self._idf(other) / self._idf(t))
            for words in self.definitions_.get(t, ()):
                alts[words] = max(alts.get(words, 0.0), self.definition_weight)
            alternatives.append(tuple(sorted(alts.items())))
        position = {t: i for i, t in enumerate(tokens)}
        spans = []
        for acronym, words in self._acronyms_in(text, tokens):
            covered = tuple(sorted({position[w] for w in words if w in position}))
            if covered and acronym in self.vocabulary_:
                spans.append((covered, acronym))
        return KeywordQuery(tuple(w / denominator for w in idf), tuple(alternatives), tuple(spans), compounds)

    def _pieces(self, token: str) -> list[str]:
        """A Korean word no company uses, as the fewest indexed words that spell it, else as Kiwi's
        reading of it as nouns (`compound_parts`), else itself.

        Kiwi keeps an unspaced compound whole in a short query ("스마트팩토리") but splits it inside a
        sentence ("스마트팩토리 구축" -> 스마트, 팩토리), so companies are indexed under its parts and
        the query alone would find none of them. Indexed pieces are at least two syllables.
        """
        if token in self.vocabulary_ or not _HANGUL.search(token) or len(token) < 2 * _MIN_PIECE:
            return [token]
        best: list[list[str] | None] = [[]] + [None] * len(token)  # fewest pieces spelling token[:end]
        for end in range(_MIN_PIECE, len(token) + 1):
            for start in range(end - _MIN_PIECE + 1):
                before = best[start]
                if before is not None and token[start:end] in self.vocabulary_ and \
                        (best[end] is None or len(before) + 1 < len(best[end])):
                    best[end] = before + [token[start:end]]
        return best[-1] or compound_parts(token) or [token]

    def _idf(self, token: str) -> float:
        col = self.vocabulary_.get(token)
        return float(self.idf_[col]) if col is not None else self.unknown_idf_

    def _acronyms_in(self, text: str, tokens: list[str]) -> list[tuple[str, tuple[str, ...]]]:
        found = {acronym: tuple(tokenize_many([" ".join(span)])[0])
                 for acronym, span in self._spelled([w.lower() for w in _WORD.findall(text)], 2).items()}
        present = set(tokens)
        for acronym, definitions in self.definitions_.items():
            for words in definitions:
                if set(words) <= present:
                    found[acronym] = words
        return sorted(found.items())

    def scores(self, query: KeywordQuery) -> np.ndarray:
        """Each row's owner's 0..1 share of the query's IDF mass (0 for removed rows).

        A word counts through its best alternative, never through several (a company writing both
        "데이터" and "data" names one word, not two); a span counts through its acronym or its words,
        whichever is more.
        """
        size = len(self.rows_.alive)
        if not query.weights or not size:
            return np.zeros(size)
        terms = sorted({t for alts in query.alternatives for words, _ in alts for t in words}
                       | {a for _, a in query.spans})
        column = {t: j for j, t in enumerate(terms)}
        known = [(self.vocabulary_[t], j) for j, t in enumerate(terms) if t in self.vocabulary_]
        matched = np.zeros((size, len(terms)))
        if known:  # a query word no company uses still counts in the denominator
            select = sparse.csr_matrix((np.ones(len(known), dtype=np.float32), tuple(zip(*known))),
                                       shape=(len(self.vocabulary_), len(terms)))
            matched = (self.rows_.lex @ select).toarray().astype(np.float64)
        words = np.zeros((size, len(query.weights)))
        for i, alts in enumerate(query.alternatives):
            for terms_of, factor in alts:
                np.maximum(words[:, i], factor * matched[:, [column[t] for t in terms_of]].mean(axis=1),
                           out=words[:, i])
            words[:, i] *= query.weights[i]
        total = words.sum(axis=1)
        claimed: set[int] = set()
        for positions, acronym in sorted(query.spans, key=lambda s: (-len(s[0]), s[1])):
            if claimed.intersection(positions):
                continue
            claimed.update(positions)
            part = words[:, list(positions)].sum(axis=1)
            total += np.maximum(part, sum(query.weights[p] for p in positions) * matched[:, column[acronym]]) - part
        total[~self.rows_.alive] = 0.0
        return np.minimum(total, 1.0)

    def top(self, scores: np.ndarray, n: int) -> list[str]:
        """The owners of the `n` best-scoring rows with a score above 0."""
        positive = np.flatnonzero(scores > 0)
        if len(positive) > n:
            positive = positive[np.argpartition(-scores[positive], n - 1)[:n]]
        return [self.rows_.owner[int(p)] for p in positive]

    def of(self, scores: np.ndarray, owners: Sequence[str]) -> np.ndarray:
        """The scores of these owners (0 for a company the index does not hold)."""
        empty = np.zeros(0, dtype=np.int64)
        return np.array([float(scores[rows].max()) if len(rows := self.rows_.by_owner.get(o, empty)) else 0.0
                         for o in owners])

    def owner(self, position: int) -> str:
        return self.rows_.owner[position]
