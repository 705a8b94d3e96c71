"""A large generated pool for speed runs: demo-fixture texts recombined with varied qualifiers.

Every generated text is distinct (no encoder-cache shortcut) and nothing comes from the
labelled benchmark sets.
"""
from __future__ import annotations

import json
import random
from pathlib import Path

from config.reference import HUBS, INDUSTRIES
from config.settings import PROJECT_ROOT
from matcher.types import Profile

QUALIFIERS_KO = ["중소 제조기업 맞춤", "클라우드 기반", "온프레미스 설치형", "현장 설비 연동", "3개월 내 구축",
                 "정부 지원사업 연계", "데이터 표준화 포함", "모바일 앱 제공", "다국어 지원", "유지보수 포함"]
QUALIFIERS_EN = ["for SMEs", "cloud-based", "on-premise", "integrated with shop-floor PLCs", "delivered in 12 weeks",
                 "with data standardisation", "with a mobile app", "with 24/7 support", "ISO-aligned", "turnkey"]


def _texts(kind_field: str) -> list[str]:
    path = PROJECT_ROOT / "fixtures" / "companies.jsonl"
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            out += json.loads(line).get(kind_field, [])
    return out


def generate(suppliers: int = 50_000, manufacturers: int = 2_000, seed: int = 7) -> list[Profile]:
    rng = random.Random(seed)
    caps, needs = _texts("capabilities"), _texts("needs")
    hubs, industries = list(HUBS), list(INDUSTRIES)
    profiles: list[Profile] = []
    for i in range(suppliers):
        chosen = rng.sample(caps, k=rng.choice((1, 2, 2, 3)))
        texts = tuple(f"{t} ({rng.choice(QUALIFIERS_KO)}, {rng.choice(QUALIFIERS_EN)}, #{i}-{j})"
                      for j, t in enumerate(chosen))
        profiles.append(Profile(id=f"gen-s{i:06d}", kind="supplier", name=f"Supplier {i}", hub=rng.choice(hubs),
                                capabilities=texts, industries_served=tuple(rng.sample(industries, k=rng.randint(0, 3))),
                                certifications=("ISMS-P",) if rng.random() < 0.4 else ()))
    for i in range(manufacturers):
        chosen = rng.sample(needs, k=rng.choice((1, 2, 3)))
        profiles.append(Profile(id=f"gen-m{i:05d}", kind="manufacturer", name=f"Maker {i}", hub=rng.choice(hubs),
                                industry=rng.choice(industries), needs=tuple(f"{t} (#{i}-{j})" for j, t in enumerate(chosen)),
                                requires_security_certification=rng.random() < 0.2))
    return profiles
