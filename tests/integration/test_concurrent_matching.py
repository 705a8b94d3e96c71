"""Many threads match and search while profiles change: no errors, every answer from one whole snapshot."""
from __future__ import annotations

import threading

import pytest

from models import Company, make_session_factory
from services import index_builder
from services.runtime import Runtime
from tests.factories import gen_company

CAPABILITIES = [
    ["딥러닝 비전 검사로 외관 결함 자동 판정", "AI vision inspection of surface defects"],
    ["진동 스펙트럼 기반 예지정비", "Predictive maintenance from motor vibration"],
    ["클라우드 MES 구축과 생산 실적 수집", "Cloud MES and production tracking"],
    ["공장 에너지 관리 시스템 FEMS", "Factory energy management"],
]
NEEDS = ["웨이퍼 외관 불량을 육안으로 검사해 반품이 늘고 있다", "주축 모터가 갑자기 멈춰 라인이 섰다",
         "생산 실적을 종이로 집계한다", "전기 요금이 너무 많이 나온다"]


@pytest.mark.slow
def test_readers_never_see_a_half_applied_change(session, settings, engine):
    for i in range(24):
        gen_company(session, "supplier", id=f"s-{i}", capabilities=CAPABILITIES[i % 4])
    for i in range(8):
        gen_company(session, "manufacturer", id=f"m-{i}", needs=[NEEDS[i % 4], NEEDS[(i + 1) % 4]])
    runtime = Runtime(settings, make_session_factory(engine), jobs="inline")
    index_builder.request_rebuild(session, "test")
    session.commit()
    runtime.process_now()

    errors: list[BaseException] = []
    versions: set[str] = set()
    answers = 0
    done = threading.Event()
    lock = threading.Lock()

    def read(worker: int) -> None:
        nonlocal answers
        n = 0
        while not done.is_set() or n < 5:
            n += 1
            try:
                snapshot = runtime.reader.get()
                matcher = snapshot.matcher
                for result in matcher.match(f"m-{(worker + n) % 8}", top=5):
                    profile = matcher.profiles[result.partner_id]
                    texts = set(profile.capabilities) | set(profile.references)
                    for need_match in result.explanation.need_matches:  # the capability shown is the partner's own
                        assert not need_match.capability or need_match.capability in texts, (snapshot.version, result)
                for hit in matcher.search(NEEDS[n % 4], top=5):
                    assert hit.text in set(matcher.profiles[hit.company_id].capabilities) | set(
                        matcher.profiles[hit.company_id].references)
                with lock:
                    versions.add(snapshot.version)
                    answers += 1
            except BaseException as exc:  # noqa: BLE001 - every error counts
                with lock:
                    errors.append(exc)
                return

    readers = [threading.Thread(target=read, args=(w,)) for w in range(6)]
    for thread in readers:
        thread.start()
    try:
        with make_session_factory(engine)() as writer:
            for round_ in range(4):  # a supplier changes what it does, again and again
                company = writer.query(Company).filter_by(external_id=f"s-{round_ % 3}").one()
                company.capabilities = CAPABILITIES[(round_ + 1) % 4] + [f"round {round_} 신규 역량"]
                index_builder.record_change(writer, [company.external_id], "test")
                writer.commit()
                runtime.process_now()
    finally:
        done.set()
        for thread in readers:
            thread.join(timeout=120)
    assert errors == []
    assert answers > 30 and len(versions) >= 2  # readers really ran across several published versions
