"""Exact-term evidence for free-text search: BM25F over every public text field, with acronyms.

The need-level rows of the engine see capabilities and references only, and the dense encoder is
weakest on short keyword queries ("MES 구축", "OT security"): a company that names the term
should be found. Each company is one document whose fields (capabilities or needs, references,
summary, name, description) count with their own weights (BM25F). Scores are absolute: the share
of the query's IDF mass a company matches (0..1), so a query that matches nothing scores 0 for
everyone instead of making the best of a weak field look good.

Acronyms are induced from the indexed text, nothing is written for a data set:
- every all-capitals token (MES, LIMS, OT) is an acronym; a query whose consecutive English words
  spell one ("manufacturing execution system" → MES, "laboratory information management" → LIMS
  without its final "system") also asks for the acronym;
- a definition in the text, "제품수명주기관리(PLM)" or "factory energy management (FEMS)", ties the
  acronym to the words before it: a query with all of those words asks for the acronym, and a query
  naming the acronym also looks, at half weight, for its defining words.
"""
from __future__ import annotations

import math
import re
from typing import Callable, Iterable, Sequence

import numpy as np
from scipy import sparse

from matcher.rows import RowStore
from matcher.text import tokenize_many
from matcher.types import Profile

FIELD_WEIGHTS = {"main": 1.0, "references": 0.5, "summary": 0.5, "name": 0.5, "description": 0.3}
_ACRONYM = re.compile(r"\b[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*\b")
_DEFINITION = re.compile(r"([^\s()]+(?:\s+[^\s()]+){0,5})\s?\(\s*([A-Z][A-Za-z0-9]{1,7})\s*\)")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_WORD = re.compile(r"[A-Za-z]+")
_STOP = frozenset("a an the and or of to in on for with by at from".split())


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
        self.acronyms_, self.definitions_ = self._induce_acronyms(
            [t for f in fields for t in (f["main"], f["references"], f["summary"], f["description"])])
        self.rows_ = RowStore(0, len(self.vocabulary_))
        self._append(profiles, counts)
        return self

    @staticmethod
    def _term_counts(fields: list[dict[str, str]]) -> list[dict[str, float]]:
        names = list(FIELD_WEIGHTS)
        texts = [f[name] for f in fields for name in names]
        unique = list(dict.fromkeys(texts))  # generated and copied profiles repeat texts: one Kiwi pass each
        known = dict(zip(unique, tokenize_many(unique))) if unique else {}
        tokens = [known[t] for t in texts]
        counts = []
        for i in range(len(fields)):
            tf: dict[str, float] = {}
            for j, name in enumerate(names):
                for t in tokens[i * len(names) + j]:
                    tf[t] = tf.get(t, 0.0) + FIELD_WEIGHTS[name]
            counts.append(tf)
        return counts

    @staticmethod
    def _induce_acronyms(texts: Iterable[str]) -> tuple[frozenset[str], dict[str, tuple[tuple[str, ...], ...]]]:
        acronyms: set[str] = set()
        phrases: dict[str, set[str]] = {}
        for text in texts:
            acronyms.update(a.lower() for a in _ACRONYM.findall(text) if 2 <= len(a) <= 6)
            for match in _DEFINITION.finditer(text):
                words, acronym = match.group(1).split(), match.group(2)
                # Korean writes the term as one compound before the bracket; English spells it in words
                phrase = words[-1] if _HANGUL.search(words[-1]) else " ".join(words[-len(acronym):])
                phrases.setdefault(acronym.lower(), set()).add(phrase)
        keys = sorted(phrases)
        tokens = tokenize_many([p for k in keys for p in sorted(phrases[k])]) if keys else []
        definitions: dict[str, tuple[tuple[str, ...], ...]] = {}
        i = 0
        for k in keys:
            found = []
            for _ in sorted(phrases[k]):
                words = tuple(sorted(set(tokens[i]) - {k}))
                i += 1
                if len(words) >= 2:  # one generic word ("서비스") is not a definition
                    found.append(words)
            if found:
                definitions[k] = tuple(sorted(set(found)))
        return frozenset(acronyms), definitions

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
        rows = self.__dict__.get("rows_")
        if rows is not None:  # a RowStore pickles without its (here empty) dense block
            rows.attach_dense(np.zeros((len(rows._weight), 0), dtype=np.float32))

    # ----------------------------------------------------------------- querying
    def query_weights(self, text: str,
                      translations: Callable[[list[str]], dict[str, list[tuple[str, float]]]] | None = None
                      ) -> dict[str, float]:
        """Each term the query asks for and its weight in IDF units; matching them all scores 1.

        The query's own words count fully; their translations (`translations(tokens)` gives each
        token's (translation, similarity) pairs) as much as their similarity; an acronym the words spell or define
        as much as those words together; an acronym's defining words at `definition_weight`.
        """
        tokens = list(dict.fromkeys(tokenize_many([text])[0]))
        idf = {t: self._idf(t) for t in tokens}
        denominator = sum(idf.values())
        if not tokens or denominator <= 0:
            return {}
        weights: dict[str, float] = {t: idf[t] for t in tokens}

        def ask(term: str, idf_units: float) -> None:
            if term in self.vocabulary_ and idf_units > 0:
                weights[term] = max(weights.get(term, 0.0), idf_units)

        for pairs in (translations(tokens) if translations else {}).values():
            for other, similarity in pairs:
                ask(other, similarity * self._idf(other))
        for acronym, words in self._acronyms_in(text, tokens):
            ask(acronym, sum(self._idf(w) for w in words))
        for t in tokens:
            for words in self.definitions_.get(t, ()):
                for w in words:
                    ask(w, self.definition_weight * self._idf(t) / len(words))
        return {t: w / denominator for t, w in weights.items()}

    def _idf(self, token: str) -> float:
        col = self.vocabulary_.get(token)
        return float(self.idf_[col]) if col is not None else self.unknown_idf_

    def _acronyms_in(self, text: str, tokens: list[str]) -> list[tuple[str, tuple[str, ...]]]:
        found: dict[str, tuple[str, ...]] = {}
        words = [w.lower() for w in _WORD.findall(text)]
        for acronym in self.acronyms_:
            # "laboratory information management" asks for LIMS: a final S(ystem) is often left out
            lengths = {len(acronym)} | ({len(acronym) - 1} if acronym.endswith("s") and len(acronym) >= 4 else set())
            for n in lengths:
                for i in range(len(words) - n + 1):
                    span = words[i:i + n]
                    if (n >= 2 and acronym not in span and not _STOP.intersection(span)
                            and "".join(w[0] for w in span) == acronym[:n]):
                        found[acronym] = tuple(tokenize_many([" ".join(span)])[0])
        present = set(tokens)
        for acronym, definitions in self.definitions_.items():
            for words in definitions:
                if set(words) <= present:
                    found[acronym] = words
        return sorted(found.items())

    def scores(self, weights: dict[str, float]) -> np.ndarray:
        """Each row's owner's 0..1 score for query weights from `query_weights` (0 for removed rows)."""
        size = len(self.rows_.alive)
        if not weights or not size:
            return np.zeros(size)
        vector = np.zeros(len(self.vocabulary_), dtype=np.float32)
        for t, w in weights.items():
            col = self.vocabulary_.get(t)  # a query word no company uses still counts in the denominator
            if col is not None:
                vector[col] = w
        scores = np.asarray(self.rows_.lex @ vector).ravel().astype(np.float64)
        scores[~self.rows_.alive] = 0.0
        return np.minimum(scores, 1.0)

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
