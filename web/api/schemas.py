"""Pydantic shapes of the JSON API; the OpenAPI document is generated from these."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt


class ErrorBody(BaseModel):
    status: int
    code: str  # stable, for clients to branch on; message is its English text
    message: str
    errors: list[dict[str, str | int]] | None = None


class ErrorOut(BaseModel):
    """The one error shape of the API."""

    error: ErrorBody


class CompanyOut(BaseModel):
    """Public profile; contact details for staff and the company itself; confidential notes for the company only."""

    id: int
    external_id: str
    kind: str
    name: str
    hub: str
    status: str
    language: str
    employees: int | None = None
    summary: str | None = None
    description: str | None = None
    industry: str | None = None
    needs: list[str] = []
    requires_security_certification: bool = False
    capabilities: list[str] = []
    industries_served: list[str] = []
    certifications: list[str] = []
    references: list[str] = []
    monthly_capacity: int | None = Field(default=None, description="supplier: new introductions it can take per month "
                                         "(null = not stated)")
    contact_email: str | None = None
    website: str | None = None
    confidential_notes: str | None = None


class CompanyList(BaseModel):
    items: list[CompanyOut]


class CompanyPatch(BaseModel):
    """Fields of one's own profile to change (profile-format.md); id, kind and hub stay fixed."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    language: Literal["ko", "en"] | None = None
    employees: int | None = None
    summary: str | None = None
    description: str | None = None
    contact_email: str | None = None
    website: str | None = None
    industry: str | None = None
    needs: list[str] | None = None
    requires_security_certification: bool | None = None
    confidential_notes: str | None = None
    capabilities: list[str] | None = None
    industries_served: list[str] | None = None
    certifications: list[str] | None = None
    references: list[str] | None = None
    monthly_capacity: StrictInt | None = Field(default=None, description="supplier only: new introductions per month, "
                                         "0-1000; null clears it")


class NeedMatchOut(BaseModel):
    need_index: int
    need: str
    capability: str
    score: float


class ExplanationOut(BaseModel):
    need_matches: list[NeedMatchOut] = []
    industry_fit: bool = False
    rules: list[str] = []


class PartyOut(BaseModel):
    id: int
    external_id: str
    name: str
    kind: str
    hub: str
    industry: str | None = None
    language: str
    certifications: list[str] = []
    at_capacity: bool | None = Field(default=None, description="a pair's supplier: its introductions this month "
                                     "reached its stated monthly capacity (proposed lower until next month)")


class IntroductionOut(BaseModel):
    manufacturer_response: str
    supplier_response: str
    both_accepted: bool


class MatchOut(BaseModel):
    id: int
    hub: str
    score: float
    rank: int
    status: str
    manufacturer: PartyOut
    supplier: PartyOut
    explanation: ExplanationOut
    introduction: IntroductionOut | None = None


class MatchList(BaseModel):
    items: list[MatchOut]
    page: int  # this page's number, from 1
    per_page: int
    total: int  # pairs on every page together


class MatchQuery(BaseModel):
    hub: str | None = None
    status: str | None = None
    industry: str | None = None
    certification: str | None = None
    language: Literal["ko", "en"] | None = None
    min_score: float | None = Field(default=None, ge=0, le=1)
    page: int = Field(default=1, ge=1, le=1_000_000)
    per_page: int = Field(default=50, ge=1, le=200)


class CompanyQuery(BaseModel):
    hub: str | None = None
    kind: Literal["manufacturer", "supplier"] | None = None


class MoveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: Literal["proposed", "introduced", "meeting", "contract", "declined", "reopen"]
    note: str | None = Field(default=None, max_length=2000)
    # required with to=declined; reopen returns a declined pair to the state it was declined from
    reason: Literal["not_a_fit", "no_capacity", "security", "withdrew", "other"] | None = None


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer: Literal["accepted", "declined"]
    reason: Literal["not_a_fit", "no_capacity", "security", "withdrew", "other"] | None = None  # with a decline
    note: str | None = Field(default=None, max_length=2000)


class PartnerOut(BaseModel):
    """The other side of a member's pair; contact and confidential fields only after both accepted."""

    match_id: int
    side: str
    partner: PartyOut
    introduction: IntroductionOut | None = None
    revealed: bool
    contact_email: str | None = None
    website: str | None = None
    confidential_notes: str | None = None


class MeOut(BaseModel):
    id: int
    email: str
    name: str
    role: str
    hub: str | None = None
    company_id: int | None = None
    language: str


class HealthOut(BaseModel):
    status: str


class TransitionOut(BaseModel):
    from_status: str | None = None
    to_status: str
    actor_id: int | None = None
    note: str | None = None
    at: datetime


class HistoryOut(BaseModel):
    items: list[TransitionOut]
