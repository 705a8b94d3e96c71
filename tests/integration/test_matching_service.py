"""The matching service keeps stored proposals in step with the companies in the database."""
from __future__ import annotations

from sqlalchemy import select

from models import Company, Match
from services import matching
from tests.factories import gen_company


def _market(session):
    m = gen_company(session, "manufacturer", id="m-1", industry="semiconductor", hub="ochang",
                    needs=["웨이퍼 외관 불량을 육안으로 검사해 반품이 늘고 있다"], requires_security_certification=True)
    vision = gen_company(session, "supplier", id="s-vision", capabilities=["딥러닝 비전 검사로 외관 결함 자동 판정"],
                         certifications=["ISMS-P"], industries_served=["semiconductor"])
    uncertified = gen_company(session, "supplier", id="s-vision-2",
                              capabilities=["AI vision inspection of surface defects"], language="en")
    erp = gen_company(session, "supplier", id="s-erp", capabilities=["클라우드 회계 ERP 구축"], certifications=["ISO 27001"])
    return m, vision, uncertified, erp


def test_recompute_stores_proposals_with_explanations_and_never_uncertified_for_strict_manufacturers(session, settings):
    m, vision, uncertified, _ = _market(session)
    matching.recompute_all(session, settings)
    rows = session.scalars(select(Match).where(Match.manufacturer_id == m.id).order_by(Match.rank)).all()
    assert rows[0].supplier_id == vision.id and rows[0].status == "proposed" and rows[0].hub_key == "ochang"
    assert rows[0].explanation["need_matches"][0]["capability"].startswith("딥러닝 비전")
    assert uncertified.id not in {r.supplier_id for r in rows}


def test_recompute_keeps_pipeline_state_of_pairs_already_moved(session, settings):
    m, vision, *_ = _market(session)
    matching.recompute_all(session, settings)
    row = session.scalar(select(Match).where(Match.supplier_id == vision.id))
    row.status = "meeting"
    session.commit()
    matching.recompute_all(session, settings)
    assert session.scalar(select(Match).where(Match.supplier_id == vision.id)).status == "meeting"


def test_a_recompute_that_raises_a_score_marks_the_pair_improved_and_a_lower_one_does_not(session, settings):
    m, vision, *_ = _market(session)
    matching.recompute_all(session, settings)
    row = session.scalar(select(Match).where(Match.supplier_id == vision.id))
    fresh = row.score
    assert row.improved_at is None and row.previous_score is None

    row.score = fresh - 0.2  # as if an earlier profile had matched worse
    session.commit()
    matching.recompute_all(session, settings)
    row = session.scalar(select(Match).where(Match.supplier_id == vision.id))
    assert row.improved_at is not None and row.previous_score == fresh - 0.2 and row.score == fresh

    row.improved_at, row.previous_score, row.score = None, None, fresh + 0.2  # now the recompute lowers it
    session.commit()
    matching.recompute_all(session, settings)
    row = session.scalar(select(Match).where(Match.supplier_id == vision.id))
    assert row.improved_at is None and row.score == fresh


def test_changed_supplier_is_reindexed_and_its_proposals_refreshed(session, settings):
    m, vision, _, erp = _market(session)
    matching.recompute_all(session, settings)
    erp.capabilities = ["웨이퍼 외관 결함을 찾는 딥러닝 비전 검사 장비 연동"]
    session.commit()
    matching.on_companies_changed(session, ["s-erp"], settings)
    session.commit()
    assert erp.id in {r.supplier_id for r in session.scalars(select(Match).where(Match.manufacturer_id == m.id))}


def test_index_saved_for_one_process_is_reused_by_the_next_until_the_data_changes(session, settings):
    _market(session)
    first = matching.get_matcher(session, settings)
    matching._MATCHERS.clear()  # a new process
    second = matching.get_matcher(session, settings)
    assert second is not first and set(second.profiles) == set(first.profiles)
    gen_company(session, "supplier", id="s-new", capabilities=["MES 구축"])
    assert "s-new" in matching.get_matcher(session, settings).profiles


def test_supply_gaps_group_unmet_needs_by_meaning_across_languages(session, settings):
    from services.gaps import supply_gaps

    gen_company(session, "manufacturer", id="m-ko", hub="ochang", needs=["클린룸 파티클 농도를 실시간으로 모니터링하고 싶다"])
    gen_company(session, "manufacturer", id="m-en", hub="ochang", language="en",
                needs=["We want real-time particle monitoring in our cleanroom"])
    gen_company(session, "manufacturer", id="m-other", hub="ochang", needs=["복합재 적층 결함을 검사할 방법이 없다"])
    groups = supply_gaps(session, "ochang", embed=matching.text_embedder(settings))
    assert [g.count for g in groups] == [2, 1]
    assert groups[0].companies == 2


def test_changes_made_by_another_process_are_not_hidden_by_an_incremental_update(session, settings):
    m, vision, _, erp = _market(session)
    matching.recompute_all(session, settings)
    # another process (a CLI import, a script) adds a supplier and edits one: this process was not told
    gen_company(session, "supplier", id="s-elsewhere", capabilities=["웨이퍼 외관 결함 딥러닝 비전 검사"],
                certifications=["ISO 27001"], industries_served=["semiconductor"])
    erp.capabilities = ["반도체 웨이퍼 외관 검사 자동화"]
    session.commit()
    other = gen_company(session, "manufacturer", id="m-2", needs=["MES 구축"])  # the change this process makes
    matching.on_companies_changed(session, [other.external_id], settings)
    session.commit()
    matcher = matching.get_matcher(session, settings)
    assert {"s-elsewhere", "m-2"} <= set(matcher.profiles)
    assert matcher.profiles["s-erp"].capabilities == ("반도체 웨이퍼 외관 검사 자동화",)
    proposed = {r.supplier.external_id for r in session.scalars(select(Match).where(Match.manufacturer_id == m.id))}
    assert "s-elsewhere" in proposed


def test_a_company_deleted_behind_the_matcher_is_forgotten(session, settings):
    _market(session)
    matching.get_matcher(session, settings)
    session.delete(session.scalar(select(Company).where(Company.external_id == "s-erp")))
    session.commit()
    new = gen_company(session, "supplier", id="s-new", capabilities=["MES 구축"])
    matching.on_companies_changed(session, [new.external_id], settings)
    assert "s-erp" not in matching.get_matcher(session, settings).profiles


def test_changed_profiles_in_words_the_index_never_saw_rebuild_it(session, settings):
    gen_company(session, "supplier", id="s-forge", capabilities=["Vibration-based predictive maintenance"], language="en")
    matching.get_matcher(session, settings)
    korean = gen_company(session, "supplier", id="s-vision", capabilities=["딥러닝 외관 불량 검사"])
    matching.on_companies_changed(session, [korean.external_id], settings)
    matcher = matching.get_matcher(session, settings)
    assert matcher.vocabulary_coverage([matching.profile_from_company(korean)]) == 1.0


def test_a_bulk_change_rebuilds_the_index_instead_of_upserting(session, settings, monkeypatch):
    _market(session)
    matching.get_matcher(session, settings)
    monkeypatch.setattr(matching, "BULK_CHANGE", 1)
    upserts = []
    monkeypatch.setattr(matching.Matcher, "upsert", lambda self, profile: upserts.append(profile.id))
    a = gen_company(session, "supplier", id="s-a", capabilities=["MES 구축"])
    b = gen_company(session, "supplier", id="s-b", capabilities=["ERP 구축"])
    matching.on_companies_changed(session, [a.external_id, b.external_id], settings)
    assert upserts == [] and {"s-a", "s-b"} <= set(matching.get_matcher(session, settings).profiles)
