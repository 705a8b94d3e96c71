"""The one write path: recorded changes reach the published index and the stored proposals, crash or not."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from sqlalchemy.orm import Session as Session_, sessionmaker

from models import Company, Match, make_session_factory
from services import index_builder, matching
from services.runtime import Runtime
from tests.factories import gen_company, gen_user


@pytest.fixture
def runtime(settings, engine) -> Runtime:
    """This process's matching runtime on the test database, jobs run at once."""
    return Runtime(settings, make_session_factory(engine), jobs="inline")


def rebuild(session, runtime: Runtime) -> None:
    """Ask for a full rebuild in a transaction of its own (as `dxmatch index rebuild` does) and run the job.

    The test's own session is never committed here: a test commits its changes itself, as a caller must.
    """
    with runtime.sessions() as writer:
        index_builder.request_rebuild(writer, "test")
        writer.commit()
    runtime.process_now()
    session.expire_all()


def changed(session, runtime: Runtime, *ids: str):
    """Record, in a transaction of its own, that companies the test already committed changed; run the job."""
    with runtime.sessions() as writer:
        index_builder.record_change(writer, ids, "test")
        writer.commit()
    result = runtime.process_now()
    session.expire_all()
    return result


def _market(session):
    m = gen_company(session, "manufacturer", id="m-1", industry="semiconductor", hub="ochang",
                    needs=["웨이퍼 외관 불량을 육안으로 검사해 반품이 늘고 있다"], requires_security_certification=True)
    vision = gen_company(session, "supplier", id="s-vision", capabilities=["딥러닝 비전 검사로 외관 결함 자동 판정"],
                         certifications=["ISMS-P"], industries_served=["semiconductor"])
    uncertified = gen_company(session, "supplier", id="s-vision-2",
                              capabilities=["AI vision inspection of surface defects"], language="en")
    erp = gen_company(session, "supplier", id="s-erp", capabilities=["클라우드 회계 ERP 구축"], certifications=["ISO 27001"])
    return m, vision, uncertified, erp


def test_recompute_stores_proposals_with_explanations_and_never_uncertified_for_strict_manufacturers(session, settings, runtime):
    m, vision, uncertified, _ = _market(session)
    rebuild(session, runtime)
    rows = session.scalars(select(Match).where(Match.manufacturer_id == m.id).order_by(Match.rank)).all()
    assert rows[0].supplier_id == vision.id and rows[0].status == "proposed" and rows[0].hub_key == "ochang"
    assert rows[0].explanation["need_matches"][0]["capability"].startswith("딥러닝 비전")
    assert uncertified.id not in {r.supplier_id for r in rows}


def test_recompute_keeps_pipeline_state_of_pairs_already_moved(session, settings, runtime):
    m, vision, *_ = _market(session)
    rebuild(session, runtime)
    row = session.scalar(select(Match).where(Match.supplier_id == vision.id))
    row.status = "meeting"
    session.commit()
    rebuild(session, runtime)
    assert session.scalar(select(Match).where(Match.supplier_id == vision.id)).status == "meeting"


def test_a_recompute_that_raises_a_score_marks_the_pair_improved_and_a_lower_one_does_not(session, settings, runtime):
    m, vision, *_ = _market(session)
    rebuild(session, runtime)
    row = session.scalar(select(Match).where(Match.supplier_id == vision.id))
    fresh = row.score
    assert row.improved_at is None and row.previous_score is None

    row.score = fresh - 0.2  # as if an earlier profile had matched worse
    session.commit()
    rebuild(session, runtime)
    row = session.scalar(select(Match).where(Match.supplier_id == vision.id))
    assert row.improved_at is not None and row.previous_score == fresh - 0.2 and row.score == fresh

    row.improved_at, row.previous_score, row.score = None, None, fresh + 0.2  # now the recompute lowers it
    session.commit()
    rebuild(session, runtime)
    row = session.scalar(select(Match).where(Match.supplier_id == vision.id))
    assert row.improved_at is None and row.score == fresh


def test_changed_supplier_is_reindexed_and_its_proposals_refreshed(session, settings, runtime):
    m, vision, _, erp = _market(session)
    rebuild(session, runtime)
    erp.capabilities = ["웨이퍼 외관 결함을 찾는 딥러닝 비전 검사 장비 연동"]
    session.commit()
    result = changed(session, runtime, "s-erp")
    assert result.full is False
    assert erp.id in {r.supplier_id for r in session.scalars(select(Match).where(Match.manufacturer_id == m.id))}


def test_a_second_process_reads_the_published_snapshot_instead_of_rebuilding(session, settings, runtime, engine):
    _market(session)
    rebuild(session, runtime)
    other = Runtime(settings, make_session_factory(engine), jobs="inline")  # another worker or the CLI
    assert other.matcher() is not runtime.matcher()
    assert set(other.matcher().profiles) == set(runtime.matcher().profiles)
    assert other.process_now().version is None  # nothing pending: nothing rebuilt
    gen_company(session, "supplier", id="s-new", capabilities=["MES 구축"])
    changed(session, runtime, "s-new")
    assert "s-new" in other.reader.get().matcher.profiles or "s-new" in other.reader.refresh().matcher.profiles


def test_committed_work_left_by_a_crash_is_finished_at_the_next_start(session, settings, engine):
    _market(session)
    index_builder.request_rebuild(session, "import")  # committed with the rows; the process then died
    session.commit()
    assert session.scalar(select(func.count(Match.id))) == 0
    restarted = Runtime(settings, make_session_factory(engine), jobs="inline")
    assert restarted.recover() is not None
    session.expire_all()
    assert session.scalar(select(func.count(Match.id))) > 0
    assert index_builder.pending_count(session) == 0


class KilledAtCommit(Session_):
    """A session whose process dies at the commit: everything before it happened, the commit never does."""

    def commit(self) -> None:
        raise SystemExit("killed")


def test_a_crash_after_publishing_but_before_the_commit_repeats_the_work(session, settings, runtime, engine):
    m, vision, *_ = _market(session)
    rebuild(session, runtime)
    vision.capabilities = ["클라우드 회계 ERP 구축"]
    index_builder.record_change(session, ["s-vision"], "test")
    session.commit()

    dying = Runtime(settings, sessionmaker(bind=engine, class_=KilledAtCommit, expire_on_commit=False), jobs="inline")
    with pytest.raises(SystemExit):
        dying.process_now(publish=True)
    session.expire_all()
    assert index_builder.pending_count(session) == 1  # the work is still there
    runtime.process_now()
    session.expire_all()
    assert index_builder.pending_count(session) == 0
    assert runtime.matcher().profiles["s-vision"].capabilities == ("클라우드 회계 ERP 구축",)


def test_supply_gaps_group_unmet_needs_by_meaning_across_languages(session, settings, runtime):
    from services.gaps import supply_gaps

    gen_company(session, "manufacturer", id="m-ko", hub="ochang", needs=["클린룸 파티클 농도를 실시간으로 모니터링하고 싶다"])
    gen_company(session, "manufacturer", id="m-en", hub="ochang", language="en",
                needs=["We want real-time particle monitoring in our cleanroom"])
    gen_company(session, "manufacturer", id="m-other", hub="ochang", needs=["복합재 적층 결함을 검사할 방법이 없다"])
    coordinator = gen_user(session, "coordinator", hub="ochang")
    groups = supply_gaps(session, "ochang", actor=coordinator, embed=matching.text_embedder(settings))
    assert [g.count for g in groups] == [2, 1]
    assert groups[0].companies == 2


def test_a_deleted_company_is_forgotten(session, settings, runtime):
    _market(session)
    rebuild(session, runtime)
    session.delete(session.scalar(select(Company).where(Company.external_id == "s-erp")))
    session.commit()
    changed(session, runtime, "s-erp")
    assert "s-erp" not in runtime.matcher().profiles


def test_changed_profiles_in_words_the_index_never_saw_rebuild_it(session, settings, runtime):
    gen_company(session, "supplier", id="s-forge", capabilities=["Vibration-based predictive maintenance"], language="en")
    rebuild(session, runtime)
    korean = gen_company(session, "supplier", id="s-vision", capabilities=["딥러닝 외관 불량 검사"])
    assert changed(session, runtime, korean.external_id).full is True
    assert runtime.matcher().vocabulary_coverage([matching.profile_from_company(korean)]) == 1.0


def test_a_bulk_change_rebuilds_the_index_instead_of_upserting(session, settings, runtime, monkeypatch):
    _market(session)
    rebuild(session, runtime)
    monkeypatch.setattr(index_builder, "BULK_CHANGE", 1)
    gen_company(session, "supplier", id="s-a", capabilities=["MES 구축"])
    gen_company(session, "supplier", id="s-b", capabilities=["ERP 구축"])
    assert changed(session, runtime, "s-a", "s-b").full is True
    assert {"s-a", "s-b"} <= set(runtime.matcher().profiles)


class FakeClock:
    """Monotonic seconds that only move when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _supplier_ids(session, manufacturer) -> set[int]:
    session.expire_all()
    return {r.supplier_id for r in session.scalars(select(Match).where(Match.manufacturer_id == manufacturer.id))}


def test_small_changes_store_proposals_at_once_and_publish_the_index_at_most_once_per_interval(
        session, settings, runtime):
    m, vision, _, erp = _market(session)
    clock = FakeClock()  # the worker's builder, on a clock the test moves
    builder = index_builder.IndexBuilder(runtime.store, runtime.encoder, publish_interval=60.0, clock=clock)
    index_builder.request_rebuild(session, "test")
    session.commit()
    first = builder.process_pending(session).version  # a full build publishes at once
    assert first is not None and runtime.store.current_version() == first

    builder.process_pending(session)  # nothing pending: nothing published
    erp.capabilities = ["웨이퍼 외관 결함을 찾는 딥러닝 비전 검사 장비 연동"]
    index_builder.record_change(session, ["s-erp"], "test")
    session.commit()
    assert builder.process_pending(session).version is None
    assert erp.id in _supplier_ids(session, m)  # the proposals count at once...
    assert runtime.store.current_version() == first  # ...the snapshot waits
    assert index_builder.pending_count(session) == 1  # and its work stays pending until it is published
    assert 0 < builder.publish_due_in() <= 60

    gen_company(session, "supplier", id="s-mes", capabilities=["딥러닝 비전 검사 장비"])  # words the index knows
    index_builder.record_change(session, ["s-mes"], "test")
    session.commit()
    builder.process_pending(session)
    assert runtime.store.current_version() == first and index_builder.pending_count(session) == 2

    clock.now += 61
    published = builder.process_pending(session)
    assert published.version is not None and published.version != first
    assert index_builder.pending_count(session) == 0 and builder.publish_due_in() is None
    loaded = runtime.reader.refresh().matcher
    assert {"s-erp", "s-mes"} <= set(loaded.profiles)
    assert loaded.profiles["s-erp"].capabilities == ("웨이퍼 외관 결함을 찾는 딥러닝 비전 검사 장비 연동",)


def test_held_back_changes_survive_the_builder_process_and_are_never_published_twice(session, settings, runtime,
                                                                                  engine):
    _, _, _, erp = _market(session)
    builder = index_builder.IndexBuilder(runtime.store, runtime.encoder, publish_interval=60.0, clock=FakeClock())
    index_builder.request_rebuild(session, "test")
    session.commit()
    before = builder.process_pending(session).version
    erp.capabilities = ["클라우드 비전 검사 ERP"]
    index_builder.record_change(session, ["s-erp"], "test")
    session.commit()
    assert builder.process_pending(session).version is None and builder.publish_due_in() is not None

    other = Runtime(settings, make_session_factory(engine), jobs="inline")  # the next worker, after a crash
    assert other.process_now(publish=True).version not in (None, before)
    session.expire_all()
    assert index_builder.pending_count(session) == 0
    after = runtime.store.current_version()
    assert builder.process_pending(session, publish=True).version is None  # the first builder's copy is stale
    assert runtime.store.current_version() == after and builder.publish_due_in() is None
    assert other.reader.refresh().matcher.profiles["s-erp"].capabilities == ("클라우드 비전 검사 ERP",)


@pytest.mark.slow  # waits for the 15 s publish timer
def test_the_runtime_publishes_held_back_changes_by_itself_when_due(session, settings, engine):
    import time

    _, _, _, erp = _market(session)
    runtime = Runtime(settings, make_session_factory(engine), jobs="inline", publish_interval=15.0)
    index_builder.request_rebuild(session, "test")
    session.commit()
    first = runtime.process_now().version  # a full build publishes at once
    assert first is not None
    erp.capabilities = ["클라우드 비전 검사"]
    index_builder.record_change(session, ["s-erp"], "test")
    session.commit()
    assert runtime.process_now().version is None  # within the interval of the last publish: held back
    deadline = time.monotonic() + 120
    while runtime.store.current_version() == first and time.monotonic() < deadline:
        time.sleep(0.1)
    assert runtime.store.current_version() != first
    session.expire_all()
    for _ in range(50):  # the timer thread commits right after publishing
        if index_builder.pending_count(session) == 0:
            break
        time.sleep(0.1)
        session.expire_all()
    assert index_builder.pending_count(session) == 0
