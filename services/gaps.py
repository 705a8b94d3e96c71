"""Supply gaps: what a hub's manufacturers need that no supplier covers well.

`unmet_needs` is the one rule, used by the gaps page and the coordinator's weekly digest alike:
a need is unmet when the best stored need_match score for it across the manufacturer's pairs
that are not declined is below `UNMET_NEED_THRESHOLD`, or when no such pair matched it at all
(a need answered only by a declined pair is still unmet: nobody is going to answer it; nor is one
whose manufacturer was proposed nobody because no supplier reached the proposal minimum).
With an `embed` function (the matching engine's encoder) gaps are grouped by meaning, so a
Korean and an English need about the same problem fall together; without one, by their most
shared keyword. Each group is labelled by the noun phrase its needs share most (`_theme`).
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from sqlalchemy import select
from sqlalchemy.orm import Session

from matcher.grouping import group_by_meaning
from matcher.scoring import NEED_COVERED
from matcher.text import noun_phrases
from models import Company, Match, User
from services import access

# A need is unmet below the score at which explanations call it "not covered": one threshold for the gaps
# page, the digest and the pair pages. A manufacturer whose best pair scores below the proposal minimum
# (services.matching.minimum_score) gets no proposal at all, so each of its needs is unmet with no match.
UNMET_NEED_THRESHOLD = NEED_COVERED

_TOKEN = re.compile(r"[0-9a-z가-힣]+")
_KO_PARTICLES = ("으로", "에서", "에게", "부터", "까지", "과의", "와의", "을", "를", "이", "가", "은", "는", "의", "에", "로", "과", "와", "및", "도")
_STOPWORDS = frozenset(
    "a an and the of for to in on with by from our we us is are be at as or into via using use need needs want "
    "이 그 및 등 위한 위해 통한 대한 있는 하는 필요 필요한 개선 도입 구축 시스템 system".split()
)


def normalise_need(text: str) -> str:
    """Lower-case, punctuation-free, single-spaced text: the identity of a need."""
    return " ".join(_TOKEN.findall(text.casefold()))


def keywords(text: str) -> list[str]:
    """Significant words of a need, Korean particles stripped."""
    words = []
    for token in _TOKEN.findall(text.casefold()):
        if re.fullmatch(r"[가-힣]+", token):
            for particle in _KO_PARTICLES:
                if token.endswith(particle) and len(token) - len(particle) >= 2:
                    token = token[: -len(particle)]
                    break
        if len(token) >= 2 and token not in _STOPWORDS and not token.isdigit():
            words.append(token)
    return words


@dataclass(frozen=True)
class GapNeed:
    """One unmet need of one manufacturer, with the pair that answers it best (if any)."""

    company_id: int
    company_name: str
    need: str
    best_score: float | None  # None: no pair that is not declined matched it
    need_index: int = 0
    best_match_id: int | None = None


@dataclass
class GapGroup:
    """Unmet needs sharing a keyword, with how many manufacturers have them."""

    key: str
    needs: list[GapNeed] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.needs)

    @property
    def companies(self) -> int:
        return len({n.company_id for n in self.needs})


def in_hub(column: Any, hub_key: str | None) -> Any:
    """A WHERE clause: `column` is the hub's, or any hub's when `hub_key` is None (an admin's view)."""
    return column == hub_key if hub_key is not None else column.is_not(None)


def unmet_needs(
    session: Session, hub_key: str | None, threshold: float = UNMET_NEED_THRESHOLD
) -> list[GapNeed]:
    """The unmet needs of a hub's active manufacturers (every hub's with None), in company then need order.

    One rule for every reader, so the gaps page and the coordinator's digest cannot disagree.
    """
    manufacturers = list(session.scalars(
        select(Company)
        .where(Company.kind == "manufacturer", Company.status == "active", in_hub(Company.hub_key, hub_key))
        .order_by(Company.id)
    ))
    best: dict[tuple[int, int], tuple[float, int]] = {}  # (company id, need index) -> (score, match id)
    if manufacturers:
        live_pairs = select(Match).where(
            Match.manufacturer_id.in_([c.id for c in manufacturers]), Match.status != "declined"
        ).order_by(Match.id)
        for match in session.scalars(live_pairs):
            for index, score in _need_scores(match.explanation):
                key = (match.manufacturer_id, index)
                if key not in best or score > best[key][0]:
                    best[key] = (score, match.id)
    unmet = []
    for company in manufacturers:
        for index, need in enumerate(company.needs or []):
            score, match_id = best.get((company.id, index), (None, None))
            if score is None or score < threshold:
                unmet.append(GapNeed(company.id, company.name, need, score, index, match_id))
    return unmet


def _need_scores(explanation: dict | None) -> Iterator[tuple[int, float]]:
    """(need index, score) of a stored explanation; malformed entries are skipped, not fatal."""
    for nm in (explanation or {}).get("need_matches", []):
        try:
            yield int(nm["need_index"]), float(nm["score"])
        except (KeyError, TypeError, ValueError):
            continue


def supply_gaps(
    session: Session,
    hub_key: str,
    threshold: float = UNMET_NEED_THRESHOLD,
    *,
    actor: User,
    embed: Callable[[Sequence[str]], np.ndarray] | None = None,
) -> list[GapGroup]:
    """Unmet needs of the hub's active manufacturers, grouped (by meaning with `embed`), largest group first."""
    access.require_hub(actor, hub_key)
    gap_needs = [(need, keywords(need.need)) for need in unmet_needs(session, hub_key, threshold)]
    frequency = Counter(word for _need, words in gap_needs for word in set(words))
    if embed is not None and gap_needs:
        labels = group_by_meaning(embed([need.need for need, _ in gap_needs]))
    else:
        labels = [_keyword_key(need, words, frequency) for need, words in gap_needs]
    clusters: dict[object, list[tuple[GapNeed, list[str]]]] = defaultdict(list)
    for label, item in zip(labels, gap_needs):
        clusters[label].append(item)
    phrases = dict(zip((id(need) for need, _ in gap_needs), noun_phrases([need.need for need, _ in gap_needs])))
    everywhere = Counter(p for found in phrases.values() for p in set(found))
    groups = []
    for members in clusters.values():
        groups.append(GapGroup(key=_theme([phrases[id(need)] for need, _ in members], everywhere)
                               or normalise_need(members[0][0].need) or members[0][0].need,
                               needs=[need for need, _ in members]))
    return sorted(groups, key=lambda g: (-g.count, g.key))


def _theme(member_phrases: list[list[str]], everywhere: Counter) -> str | None:
    """A group's label: the noun phrase most of its needs share; among equals a two-word phrase
    ("외관 불량") before a longer or a single word, then the one more common in the hub's gaps, then
    the later one in its need (noun compounds put their head last: "…두께 실시간 모니터링")."""
    shared = Counter(p for found in member_phrases for p in set(found))
    if not shared:
        return None
    position = {p: max(found.index(p) for found in member_phrases if p in found) for p in shared}
    return min(shared, key=lambda p: (-shared[p], abs(len(p.split()) - 2) if " " in p else 1, -everywhere[p],
                                      -position[p], p))


def _keyword_key(need: GapNeed, words: list[str], frequency: Counter) -> str:
    if words:
        return min(set(words), key=lambda w: (-frequency[w], w))
    return normalise_need(need.need) or need.need
