"""A small bilingual hub for browser tests and screenshots: four manufacturers, four suppliers, scored pairs."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from models import Company, Match, User
from models.base import utcnow
from tests.factories import gen_company, gen_match, gen_user


@dataclass
class Demo:
    coordinator: User
    pair: Match
    notes: str
    manufacturer_email: str
    supplier_email: str
    members: dict[str, User] = field(default_factory=dict)
    companies: dict[str, Company] = field(default_factory=dict)


def _explained(session: Session, m: Company, s: Company, links: list[tuple[int, int, float]], score: float, rank: int,
               rules: tuple[str, ...] = ()) -> Match:
    need_matches = [
        {"need_index": ni, "need": m.needs[ni], "capability": s.capabilities[ci], "score": sc} for ni, ci, sc in links
    ]
    explanation = {"need_matches": need_matches, "industry_fit": m.industry in (s.industries_served or []), "rules": list(rules)}
    return gen_match(session, m, s, score=score, rank=rank, explanation=explanation)


def build_demo(session: Session) -> Demo:
    notes = "2027년 상반기 2공장 증설 예정, DX 예산 3억 원. 검사 라인 4개 우선 적용 희망."
    c = {
        "battery": gen_company(
            session, "manufacturer", id="m-ochang-energy", name="오창에너지소재", hub="ochang", industry="battery",
            summary="이차전지 양극재·셀 케이스 생산", contact_email="dx@ochang-energy.example.com",
            needs=["배터리 셀 외관 불량을 AI 비전으로 자동 검출", "전극 코팅 두께 실시간 모니터링", "생산 설비 예지보전으로 비계획 정지 감소"],
            confidential_notes=notes, requires_security_certification=True,
        ),
        "bio": gen_company(
            session, "manufacturer", id="m-cheongju-bio", name="청주바이오팜", hub="ochang", industry="bio",
            summary="원료의약품 위탁생산", needs=["GMP 문서 전자화와 전자서명", "배양 공정 데이터 수집·분석"],
        ),
        "third": gen_company(
            session, "manufacturer", id="m-hanbit", name="한빛정밀", hub="ochang", industry="machinery",
            summary="CNC 정밀 가공", needs=["CNC 가공 품질 예측", "MES 도입으로 생산 실적 실시간 집계"],
            confidential_notes="한빛정밀 내부 메모",
        ),
        "semi": gen_company(
            session, "manufacturer", id="m-oc-semi", name="OC Semicon Parts", hub="ochang", industry="semiconductor",
            language="en", summary="Ceramic parts for wafer equipment",
            needs=["Classify wafer-part surface defects with deep learning", "Cleanroom environmental monitoring dashboard"],
        ),
        "vision": gen_company(
            session, "supplier", id="s-vision-ai", name="비전에이아이", hub="ochang", summary="딥러닝 머신비전 검사",
            capabilities=["딥러닝 기반 외관 불량 검사 시스템 구축", "코팅 두께 비전 계측", "설비 진동 데이터 기반 고장 예측"],
            industries_served=["battery", "display"], certifications=["ISMS-P", "ISO 27001"],
            contact_email="sales@vision-ai.example.com", website="https://vision-ai.example.com",
        ),
        "factory": gen_company(
            session, "supplier", id="s-data-factory", name="데이터팩토리", hub="pangyo", summary="스마트공장 MES·예지보전",
            capabilities=["중소 제조 MES 구축", "설비 진동 기반 고장 예측"], industries_served=["machinery", "battery"],
            certifications=["GS인증"],
        ),
        "clean": gen_company(
            session, "supplier", id="s-cleanlab", name="CleanLab AI", hub="pangyo", language="en",
            summary="AI inspection for semiconductor fabs",
            capabilities=["Deep-learning wafer defect classification", "IoT environmental monitoring for cleanrooms"],
            industries_served=["semiconductor"], certifications=["ISO 27001"],
        ),
        "biodata": gen_company(
            session, "supplier", id="s-biodata", name="바이오데이터웍스", hub="osong", summary="GMP 전자문서·공정 데이터",
            capabilities=["GMP 전자문서 관리 시스템", "바이오 공정 데이터 분석 플랫폼"], industries_served=["bio"],
            certifications=["CSAP"],
        ),
    }
    pair = _explained(session, c["battery"], c["vision"], [(0, 0, 0.91), (1, 1, 0.78), (2, 2, 0.64)], 0.88, 1,
                      ("security_certification_met:ISMS-P,ISO 27001", "industry_served:battery"))
    improved = _explained(session, c["battery"], c["factory"], [(2, 1, 0.71)], 0.52, 2)
    improved.previous_score, improved.improved_at = 0.44, utcnow()  # raised by the last recompute
    _explained(session, c["bio"], c["biodata"], [(0, 0, 0.86), (1, 1, 0.74)], 0.81, 1)
    _explained(session, c["semi"], c["clean"], [(0, 0, 0.84), (1, 1, 0.69)], 0.77, 1)
    _explained(session, c["third"], c["factory"], [(1, 0, 0.73)], 0.61, 1)
    _publish_index(session)
    coordinator = gen_user(session, "coordinator", hub="ochang", name="김코디")
    members = {
        "manufacturer": gen_user(session, "member", company=c["battery"], name="이수진 (오창에너지소재)"),
        "supplier": gen_user(session, "member", company=c["vision"], name="박민호 (비전에이아이)"),
        "third": gen_user(session, "member", company=c["third"], name="정하늘 (한빛정밀)"),
    }
    return Demo(
        coordinator=coordinator, pair=pair, notes=notes, manufacturer_email=c["battery"].contact_email,
        supplier_email=c["vision"].contact_email, members=members, companies=c,
    )


def _publish_index(session: Session) -> None:
    """Publish the engine over the demo companies (search pages need it) without touching the crafted pairs."""
    from sqlalchemy import select
    from sqlalchemy.orm import sessionmaker

    from config.settings import Settings
    from matcher.engine import Matcher
    from services.matching import profile_from_company
    from services.runtime import Runtime

    runtime = Runtime(Settings.from_env(), sessionmaker(bind=session.get_bind()))
    profiles = [profile_from_company(c) for c in session.scalars(select(Company).where(Company.status == "active"))]
    runtime.store.publish(Matcher(runtime.encoder()).index(profiles), work_upto=0)
