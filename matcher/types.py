"""Plain, frozen data shapes shared by the engine and everything that calls it.

The engine never sees a database row or a request: callers turn their storage into
these dataclasses, and read results back from them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["manufacturer", "supplier"]

SECURITY_CERTIFICATIONS: frozenset[str] = frozenset({"ISMS-P", "ISO 27001"})


def is_security_certification(name: str) -> bool:
    """True for a certification that satisfies the security rule (ISMS-P or ISO 27001, any spacing/case)."""
    return " ".join(name.upper().split()) in SECURITY_CERTIFICATIONS


@dataclass(frozen=True)
class Profile:
    """One company as the engine sees it (see shared/profile-format.md)."""

    id: str
    kind: Kind
    name: str
    hub: str
    language: str = "ko"
    industry: str | None = None
    needs: tuple[str, ...] = ()
    capabilities: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    industries_served: tuple[str, ...] = ()
    certifications: tuple[str, ...] = ()
    requires_security_certification: bool = False
    summary: str = ""
    description: str = ""

    @property
    def is_security_certified(self) -> bool:
        """True when the firm holds a certification that satisfies the security rule."""
        return any(is_security_certification(c) for c in self.certifications)


@dataclass(frozen=True)
class MatchFilters:
    """Optional restrictions on the partners a query may return."""

    hubs: frozenset[str] | None = None
    industries: frozenset[str] | None = None
    certified_only: bool = False
    languages: frozenset[str] | None = None
    min_score: float | None = None

    def admits(self, partner: "Profile") -> bool:
        """Whether a partner passes every restriction but `min_score` (that one applies to the shown score)."""
        if self.hubs and partner.hub not in self.hubs:
            return False
        if self.industries:
            industries = {partner.industry} if partner.kind == "manufacturer" else set(partner.industries_served)
            if not industries & self.industries:
                return False
        if self.certified_only and partner.kind == "supplier" and not partner.is_security_certified:
            return False
        return not (self.languages and partner.language not in self.languages)


@dataclass(frozen=True)
class NeedMatch:
    """Which need met which capability, and how strongly (0..1)."""

    need_index: int
    need: str
    capability: str
    score: float


@dataclass(frozen=True)
class Explanation:
    """Why a pair was proposed: the evidence a coordinator and the digest show."""

    need_matches: tuple[NeedMatch, ...] = ()
    industry_fit: bool = False
    rules: tuple[str, ...] = ()

    def headline(self) -> str:
        """A one-line reason: the strongest need/capability pair."""
        if not self.need_matches:
            return ""
        best = max(self.need_matches, key=lambda m: m.score)
        return f"{best.need} → {best.capability}"

    def to_dict(self) -> dict:
        return {
            "need_matches": [m.__dict__ for m in self.need_matches],
            "industry_fit": self.industry_fit,
            "rules": list(self.rules),
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Explanation":
        return cls(
            need_matches=tuple(NeedMatch(**m) for m in data.get("need_matches", [])),
            industry_fit=bool(data.get("industry_fit", False)),
            rules=tuple(data.get("rules", [])),
        )


@dataclass(frozen=True)
class SearchHit:
    """A company whose capability (supplier) or need (manufacturer) answers a free-text query."""

    company_id: str
    score: float  # probability that the best text answers the query, 0..1
    text: str  # that text, shown as the reason


@dataclass(frozen=True)
class RankedPartner:
    """One proposed partner for a query company, best first in any result list (a stored pair is models.Match)."""

    query_id: str
    partner_id: str
    score: float
    explanation: Explanation = field(default_factory=Explanation)
