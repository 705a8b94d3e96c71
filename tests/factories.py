"""Test data with sensible defaults: `gen_company`, `gen_user`, `gen_match` (all commit).

Every generator takes keyword overrides. Companies go through the real profile validation and
upsert, so a factory company is always a valid profile; `language="en"` gives English text.
"""
from __future__ import annotations

import itertools
from typing import Any

from werkzeug.security import generate_password_hash

from matcher.types import Explanation, NeedMatch
from models import Company, DigestSubscription, Match, User
from services.profiles import upsert_company, validate_profile
from services.profile_schema import ALL_FIELDS

DEFAULT_PASSWORD = "demo-password-1"

_serial = itertools.count(1)

MANUFACTURER_TEXT = {
    "ko": {
        "name": "한빛정밀 {n}",
        "summary": "이차전지 셀 케이스 정밀 가공",
        "needs": ["배터리 셀 외관 불량을 AI 비전으로 자동 검출", "CNC 설비 예지보전으로 비계획 정지 감소"],
        "confidential_notes": "내년 상반기 증설 계획, 예산 3억 원",
    },
    "en": {
        "name": "Hanbit Precision {n}",
        "summary": "Precision machining of battery cell cases",
        "needs": ["Detect surface defects on battery cells with AI vision",
                  "Predictive maintenance to cut unplanned CNC downtime"],
        "confidential_notes": "Plant expansion planned next spring, budget KRW 300M",
    },
}
SUPPLIER_TEXT = {
    "ko": {
        "name": "비전에이아이 {n}",
        "summary": "딥러닝 머신비전 검사 솔루션",
        "capabilities": ["딥러닝 기반 외관 불량 검사 시스템 구축", "설비 진동 데이터 기반 고장 예측"],
        "references": ["2차전지 셀 외관 검사 자동화 (2024)"],
    },
    "en": {
        "name": "VisionAI Labs {n}",
        "summary": "Deep-learning machine vision inspection",
        "capabilities": ["Deep-learning visual defect inspection", "Failure prediction from vibration data"],
        "references": ["Battery cell inspection line automation (2024)"],
    },
}


def profile_record(kind: str = "manufacturer", *, language: str = "ko", **overrides: Any) -> dict[str, Any]:
    """A valid profile-format dict of `kind` in `language`, with `overrides` applied."""
    n = next(_serial)
    if kind == "manufacturer":
        text = MANUFACTURER_TEXT[language]
        record: dict[str, Any] = {
            "id": f"m-{n:04d}", "kind": kind, "name": text["name"].format(n=n), "hub": "ochang",
            "language": language, "employees": 120, "summary": text["summary"],
            "contact_email": f"contact{n}@hanbit.example.com", "industry": "battery",
            "needs": list(text["needs"]), "confidential_notes": text["confidential_notes"],
        }
    else:
        text = SUPPLIER_TEXT[language]
        record = {
            "id": f"s-{n:04d}", "kind": kind, "name": text["name"].format(n=n), "hub": "pangyo",
            "language": language, "employees": 35, "summary": text["summary"],
            "website": f"https://visionai{n}.example.com", "capabilities": list(text["capabilities"]),
            "industries_served": ["battery"], "certifications": ["ISO 27001"], "references": list(text["references"]),
        }
    record.update(overrides)
    return {key: value for key, value in record.items() if value is not None}


def gen_company(session, kind: str = "manufacturer", *, language: str = "ko", **kw: Any) -> Company:
    """A committed company; profile fields (`hub`, `needs`, ...) and Company columns (`status`) both work."""
    columns = {key: kw.pop(key) for key in list(kw) if key not in ALL_FIELDS}
    profile = validate_profile(profile_record(kind, language=language, **kw))
    company, _ = upsert_company(session, profile, status=columns.pop("status", "active"))
    for key, value in columns.items():
        setattr(company, key, value)
    session.commit()
    return company


def gen_user(
    session,
    role: str = "member",
    *,
    email: str | None = None,
    password: str = DEFAULT_PASSWORD,
    company: Company | None = None,
    hub: str | None = None,
    subscribe: bool = False,
    **kw: Any,
) -> User:
    """A committed user; a member gets a new company unless given one, a coordinator hub `ochang`.

    The plain password is kept on the object as `user.password` for log-in helpers.
    """
    n = next(_serial)
    if role == "member" and company is None:
        company = gen_company(session, language=kw.get("language", "ko"))
    if role == "coordinator" and hub is None:
        hub = "ochang"
    user = User(
        email=email or f"{role}{n}@dxmatch.example.com",
        name=kw.pop("name", {"ko": f"김담당 {n}", "en": f"Alex Kim {n}"}[kw.get("language", "ko")]),
        password_hash=generate_password_hash(password),
        role=role,
        hub_key=hub,
        company_id=company.id if company is not None else None,
        **kw,
    )
    session.add(user)
    session.flush()
    if subscribe:
        session.add(DigestSubscription(user_id=user.id))
    session.commit()
    user.password = password  # type: ignore[attr-defined]  # not a column: for tests that log in
    return user


def gen_match(session, manufacturer: Company, supplier: Company, **kw: Any) -> Match:
    """A committed proposed pair whose explanation links the first need to the first capability."""
    need = (manufacturer.needs or ["-"])[0]
    capability = (supplier.capabilities or ["-"])[0]
    explanation = Explanation(
        need_matches=(NeedMatch(need_index=0, need=need, capability=capability, score=0.82),),
        industry_fit=manufacturer.industry in (supplier.industries_served or []),
        rules=(),
    )
    values: dict[str, Any] = {
        "manufacturer_id": manufacturer.id, "supplier_id": supplier.id, "hub_key": manufacturer.hub_key,
        "score": 0.82, "rank": 1, "explanation": explanation.to_dict(), "status": "proposed",
    }
    values.update(kw)
    match = Match(**values)
    session.add(match)
    session.commit()
    return match
