"""Retraining from the database's decisions: it changes the next proposals, is versioned with the data it saw,
runs as a queued job after a batch of decisions, never inside the request, and keeps the engine alone when the
decisions are too few."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from models import BackgroundJob, Introduction, Match, make_session_factory
from services import index_builder, model_training, pipeline
from services.jobs import JobQueue
from services.runtime import Runtime
from tests.factories import gen_company, gen_match, gen_user

OLD = [f"m-old-{i}" for i in range(12)]


@pytest.fixture
def runtime(settings, engine) -> Runtime:
    return Runtime(settings, make_session_factory(engine), jobs="inline")


def _market(session, runtime: Runtime) -> dict:
    companies = {m: gen_company(session, "manufacturer", id=m, hub="ochang", industry="semiconductor",
                                needs=[f"주축 모터가 갑자기 타버려 {i + 2}번 라인이 사흘 섰다"]) for i, m in enumerate(OLD)}
    companies["m-new"] = gen_company(session, "manufacturer", id="m-new", hub="ochang", industry="semiconductor",
                                     needs=["주축 모터가 갑자기 타버려 라인이 사흘 멈췄다"])
    for id, capability in (("s-pdm", "진동 스펙트럼 기반 예지정비 서비스"), ("s-pdm-2", "진동 스펙트럼 기반 예지정비 솔루션 구축"),
                           ("s-motor", "모터 권선 수리와 라인 재가동 컨설팅"), ("s-erp", "클라우드 회계·인사 ERP 구축")):
        companies[id] = gen_company(session, "supplier", id=id, capabilities=[capability])
    with runtime.sessions() as writer:
        index_builder.request_rebuild(writer, "test")
        writer.commit()
    runtime.process_now()
    session.expire_all()
    return companies


def _decide(session, companies: dict, pairs: list[tuple[str, str, str]]) -> None:
    for m, s, status in pairs:
        row = session.scalar(select(Match).where(Match.manufacturer_id == companies[m].id,
                                                 Match.supplier_id == companies[s].id))
        if row is None:
            gen_match(session, companies[m], companies[s], status=status)
        else:
            row.status = status
    session.commit()


def _proposals(session, manufacturer) -> list[tuple[str, list[str]]]:
    session.expire_all()
    rows = session.scalars(select(Match).where(Match.manufacturer_id == manufacturer.id).order_by(Match.rank))
    return [(r.supplier.external_id, r.explanation.get("rules", [])) for r in rows]


def test_decisions_in_the_database_change_the_next_proposals_and_their_explanation(session, runtime):
    companies = _market(session, runtime)
    before = [s for s, _ in _proposals(session, companies["m-new"])]
    assert before[0] == "s-motor" and "s-pdm" not in before[:1]
    _decide(session, companies, [(m, "s-pdm", "contract") for m in OLD] + [(m, "s-erp", "declined") for m in OLD])
    info = runtime.train_model()
    assert info["learner"] == "learned" and info["calibrated"] and info["decisions"] == 24
    after = _proposals(session, companies["m-new"])
    ranked = [s for s, _ in after]
    assert "s-pdm" in ranked and (ranked.index("s-pdm") < before.index("s-pdm") if "s-pdm" in before else True)
    rules = dict(after)["s-pdm"]
    assert any(r.startswith("decisions_accepted:") for r in rules), rules
    # versioned with what it saw, published with the index, kept by a rebuild
    saved = model_training.read_info(runtime.store.root)
    assert saved == info and saved["snapshot"] == runtime.store.current_version() and len(saved["hash"]) == 16
    assert runtime.reader.refresh().matcher.learner.active_
    with runtime.sessions() as writer:
        index_builder.request_rebuild(writer, "test")
        writer.commit()
    runtime.process_now()
    assert runtime.reader.refresh().matcher.learner.active_


def test_with_too_few_decisions_training_keeps_the_engine_alone_and_says_so(session, runtime):
    companies = _market(session, runtime)
    before = _proposals(session, companies["m-new"])
    _decide(session, companies, [("m-old-1", "s-pdm", "contract"), ("m-old-2", "s-erp", "declined")])
    info = runtime.train_model()
    assert info["learner"] == "too_few" and not info["calibrated"]
    assert "engine alone (too few decisions to learn from)" in model_training.describe(info)
    after = _proposals(session, companies["m-new"])
    assert [s for s, _ in after] == [s for s, _ in before]
    assert all("decisions_engine_only:2:too_few" in rules for _, rules in after)


def test_a_batch_of_decisions_queues_the_training_job_and_the_request_does_not_run_it(session, runtime, monkeypatch):
    companies = _market(session, runtime)
    ran: list[str] = []
    runtime.jobs = JobQueue(runtime.sessions, ran.append, mode="inline")  # records what would run; runs nothing
    monkeypatch.setattr(model_training, "BATCH", 3)
    coordinator = gen_user(session, "coordinator", hub="ochang")
    pairs = [gen_match(session, companies[m], companies["s-erp"]) for m in OLD[:3]]
    for number, pair in enumerate(pairs, start=1):
        with runtime.session() as request:  # a page's unit of work: the decision and nothing else
            pipeline.move(request, request.get(type(coordinator), coordinator.id), pair.id, "declined", reason="not_a_fit")
            request.commit()
        jobs = session.scalars(select(BackgroundJob).where(BackgroundJob.name == model_training.MODEL_JOB)).all()
        assert len(jobs) == (0 if number < 3 else 1)
    assert ran == [jobs[0].id] and jobs[0].status == "queued"
    assert model_training.read_info(runtime.store.root) is None  # queued, not trained in the request


def test_dxmatch_model_train_retrains_and_status_reports_what_it_saw(session, runtime):
    from click.testing import CliRunner

    from dxmatch.cli import main

    companies = _market(session, runtime)
    _decide(session, companies, [(m, "s-pdm", "contract") for m in OLD] + [(m, "s-erp", "declined") for m in OLD])
    runner = CliRunner()
    before = runner.invoke(main, ["model", "status"])
    assert before.exit_code == 0 and "no model trained yet" in before.output
    result = runner.invoke(main, ["model", "train"])
    assert result.exit_code == 0, result.output
    assert "model v1" in result.output and "24 decisions" in result.output
    assert "decisions re-rank the engine's proposals" in result.output
    status = runner.invoke(main, ["model", "status"])
    assert "model v1" in status.output and "0 new decisions since" in status.output


def test_decisions_are_read_from_pipeline_states_and_both_companies_answers(session):
    maker = gen_company(session, "manufacturer", id="m-a", hub="ochang", needs=["설비 예지보전"])
    suppliers = {s: gen_company(session, "supplier", id=s, capabilities=["진동 기반 예지보전"])
                 for s in ("s-contract", "s-meeting", "s-both", "s-one", "s-refused", "s-declined", "s-open")}
    for s, status in (("s-contract", "contract"), ("s-meeting", "meeting"), ("s-declined", "declined"),
                      ("s-open", "proposed")):
        gen_match(session, maker, suppliers[s], status=status)
    for s, ours, theirs in (("s-both", "accepted", "accepted"), ("s-one", "accepted", "pending"),
                            ("s-refused", "accepted", "declined")):
        pair = gen_match(session, maker, suppliers[s], status="introduced")
        session.add(Introduction(match_id=pair.id, manufacturer_response=ours, supplier_response=theirs))
    session.commit()
    outcomes = {d["supplier_id"]: d["outcome"] for d in model_training.decisions_from_database(session)}
    assert outcomes == {"s-contract": "contract", "s-meeting": "accepted", "s-both": "accepted",
                        "s-refused": "declined", "s-declined": "declined"}  # an open pair or one answer is no decision
    assert model_training.decision_events(session) == 4  # four acceptances by a company, no decisive move yet
