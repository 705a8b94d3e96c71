"""Behaviour of the matching engine on small bilingual data, with the real offline encoder."""
from __future__ import annotations

import numpy as np
import pytest

from matcher.encoder import SentenceTransformerEncoder, load_encoder
from matcher.engine import Matcher
from matcher.index import VectorIndex
from matcher.types import MatchFilters
from tests.unit.matcher.conftest import manufacturer, supplier


def test_default_encoder_embeds_korean_and_english_into_one_space(encoder):
    vectors = encoder.encode(["표면 결함 비전 검사", "vision inspection of surface defects", "회계 ERP 구축"])
    assert vectors.shape == (3, encoder.dimension)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_encoder_saved_to_a_folder_loads_again_by_path(encoder, tmp_path):
    encoder.save(tmp_path / "model")
    reloaded = SentenceTransformerEncoder(str(tmp_path / "model"))
    text = ["설비 예지보전"]
    assert np.allclose(reloaded.encode(text), encoder.encode(text), atol=1e-5)


@pytest.mark.slow  # starts two encoder worker processes, each loading the model: ~90 s
def test_a_large_batch_encoded_by_worker_processes_equals_one_process(monkeypatch):
    import matcher.encoder as encoder_module

    monkeypatch.setattr(encoder_module, "PARALLEL_MIN_TEXTS", 4)
    texts = [f"설비 {i}번 진동 이상 감지 / vibration alarm on machine {i}" for i in range(12)]
    pooled = SentenceTransformerEncoder(workers=2)
    alone = SentenceTransformerEncoder(workers=1)
    assert np.allclose(pooled.encode(texts), alone.encode(texts), atol=1e-5)
    assert pooled.encode(texts).shape == (12, 512)


def test_loading_an_unknown_model_name_fails_offline_instead_of_downloading():
    with pytest.raises(OSError, match="cached files"):  # Hugging Face's offline miss, not a download attempt
        load_encoder("no-such-org/no-such-model-xyz")


def test_korean_need_finds_english_capability(encoder, small_market):
    matcher = Matcher(encoder).index(small_market)
    top = [m.partner_id for m in matcher.match("m-vision", top=2)]
    assert "s-vision-en" in top


def test_english_need_finds_korean_capability(encoder, small_market):
    matcher = Matcher(encoder).index(small_market)
    assert matcher.match("m-energy", top=1)[0].partner_id == "s-energy"


def test_supplier_direction_ranks_manufacturers_whose_needs_it_solves(encoder, small_market):
    matcher = Matcher(encoder).index(small_market)
    results = matcher.match("s-energy", top=3)
    assert results[0].partner_id == "m-energy"
    assert all(r.partner_id.startswith("m-") for r in results)
    assert results[0].score == pytest.approx(matcher.pair_score("m-energy", "s-energy"), abs=1e-5)


def test_security_rule_ranks_every_certified_supplier_above_uncertified(encoder, small_market):
    matcher = Matcher(encoder).index(small_market)
    results = matcher.match("m-secure", top=5)
    certified = [matcher.profiles[r.partner_id].is_security_certified for r in results]
    assert certified == sorted(certified, reverse=True)
    assert results[0].partner_id == "s-vision-ko"  # the certified vision supplier, above the better-known one
    assert "security_certification_met:ISMS-P" in results[0].explanation.rules
    uncertified = next(r for r in results if not matcher.profiles[r.partner_id].is_security_certified)
    assert "security_certification_missing" in uncertified.explanation.rules


def test_explanation_names_the_need_and_capability_that_matched(encoder, small_market):
    matcher = Matcher(encoder).index(small_market)
    explanation = matcher.explain("m-vision", "s-vision-en")
    first = explanation.need_matches[0]
    assert first.need.startswith("웨이퍼 표면")
    assert first.capability.startswith("Deep-learning vision")
    assert first.score > explanation.need_matches[1].score
    assert explanation.industry_fit is True
    assert "industry_served:semiconductor" in explanation.rules


def test_upsert_changes_results_without_rebuild_and_remove_forgets(encoder, small_market):
    matcher = Matcher(encoder).index(small_market)
    matcher.upsert(supplier("s-erp", "Electricity monitoring per machine and energy saving (FEMS)", language="en"))
    assert "s-erp" in [m.partner_id for m in matcher.match("m-energy", top=2)]
    matcher.remove("s-energy")
    assert "s-energy" not in [m.partner_id for m in matcher.match("m-energy", top=10)]
    matcher.remove("unknown-id")  # ignored


def test_filters_restrict_partners(encoder, small_market):
    matcher = Matcher(encoder).index(small_market)
    only_certified = matcher.match("m-vision", top=10, filters=MatchFilters(certified_only=True))
    assert {m.partner_id for m in only_certified} == {"s-vision-ko", "s-pdm"}
    english = matcher.match("m-vision", top=10, filters=MatchFilters(languages=frozenset({"en"})))
    assert [m.partner_id for m in english] == ["s-vision-en"]


def test_saved_index_loads_with_identical_results(encoder, small_market, tmp_path):
    matcher = Matcher(encoder).index(small_market)
    matcher.save(tmp_path / "idx")
    loaded = Matcher.load(tmp_path / "idx", encoder)
    assert [(m.partner_id, m.score) for m in loaded.match("m-vision")] == \
        [(m.partner_id, m.score) for m in matcher.match("m-vision")]
    loaded.upsert(manufacturer("m-new", "공장 전력 사용량을 설비별로 알고 싶다"))
    assert loaded.match("m-new", top=1)[0].partner_id == "s-energy"


def test_saving_and_loading_leave_the_garbage_collector_as_they_found_it(encoder, small_market, tmp_path):
    import gc

    matcher = Matcher(encoder).index(small_market)
    assert gc.isenabled()
    matcher.save(tmp_path / "idx")
    Matcher.load(tmp_path / "idx", encoder, read_only=True)
    assert gc.isenabled()  # paused only while (un)pickling
    gc.disable()
    try:
        Matcher.load(tmp_path / "idx", encoder)
        assert not gc.isenabled()  # a caller that switched it off keeps it off
    finally:
        gc.enable()


def test_a_manufacturers_edit_republishes_only_the_manufacturers_side(encoder, small_market, tmp_path):
    Matcher(encoder).index(small_market).save(tmp_path / "v1")
    matcher = Matcher.load(tmp_path / "v1", encoder)  # the builder's working copy of the published version
    matcher.upsert(manufacturer("m-new", "공장 전력 사용량을 설비별로 알고 싶다"))
    matcher.save(tmp_path / "v2", previous=tmp_path / "v1")

    def same_file(name: str, a: str = "v1", b: str = "v2") -> bool:
        return (tmp_path / a / name).stat().st_ino == (tmp_path / b / name).stat().st_ino

    for unchanged in ("capabilities.pkl", "capabilities.npy", "capabilities.faiss", "keywords-supplier.pkl",
                      "profiles-supplier.pkl", "lexical.pkl"):
        assert same_file(unchanged), unchanged  # linked, not written again
    for changed in ("needs.pkl", "needs.npy", "needs.faiss", "profiles-manufacturer.pkl", "keywords-manufacturer.pkl"):
        assert not same_file(changed), changed
    assert Matcher.load(tmp_path / "v2", encoder).match("m-new", top=1)[0].partner_id == "s-energy"

    matcher.mark_saved(tmp_path / "v2")  # as the snapshot store does once v2 is in place
    matcher.upsert(supplier("s-new", "설비별 전력 사용량 실시간 모니터링 대시보드"))
    matcher.save(tmp_path / "v3", previous=tmp_path / "v2")
    assert not same_file("capabilities.npy", "v2", "v3") and not same_file("keywords-supplier.pkl", "v2", "v3")
    assert not same_file("profiles-supplier.pkl", "v2", "v3")
    assert same_file("needs.faiss", "v2", "v3") and same_file("profiles-manufacturer.pkl", "v2", "v3")
    again = Matcher.load(tmp_path / "v3", encoder)
    assert "s-new" in {m.partner_id for m in again.match("m-new", top=3)}


def test_a_rebuild_after_damage_writes_every_file_anew(encoder, small_market, tmp_path):
    Matcher(encoder).index(small_market).save(tmp_path / "v1")
    (tmp_path / "v1" / "capabilities.faiss").write_bytes(b"garbage")  # damaged; parts.json still vouches for it
    rebuilt = Matcher(encoder).index(small_market)  # what the builder does when v1 will not load
    rebuilt.save(tmp_path / "v2", previous=tmp_path / "v1")
    for name in ("capabilities.faiss", "capabilities.npy", "profiles-supplier.pkl"):
        assert (tmp_path / "v1" / name).stat().st_ino != (tmp_path / "v2" / name).stat().st_ino, name
    assert Matcher.load(tmp_path / "v2", encoder).match("m-vision", top=1)


def test_a_reader_keeps_the_parts_a_new_version_did_not_change(encoder, small_market, tmp_path):
    matcher = Matcher(encoder).index(small_market)
    matcher.save(tmp_path / "v1")
    old = Matcher.load(tmp_path / "v1", encoder, read_only=True)
    matcher.upsert(manufacturer("m-new", "공장 전력 사용량을 설비별로 알고 싶다"))
    matcher.save(tmp_path / "v2", previous=tmp_path / "v1")

    new = Matcher.load(tmp_path / "v2", encoder, read_only=True, reuse=old)
    assert new._caps is old._caps and new._cap_index is old._cap_index  # shared, not read again
    assert new._keywords["supplier"] is old._keywords["supplier"]
    assert new.profiles["s-energy"] is old.profiles["s-energy"]  # the suppliers' profiles were not read again
    assert new._needs is not old._needs and new.profiles is not old.profiles
    fresh = Matcher.load(tmp_path / "v2", encoder, read_only=True)
    for profile_id in ("m-new", "m-vision"):
        assert [(m.partner_id, m.score) for m in new.match(profile_id)] == \
            [(m.partner_id, m.score) for m in fresh.match(profile_id)]
    assert "m-new" not in old.profiles  # the engine still serving requests did not change
    writable = Matcher.load(tmp_path / "v2", encoder, reuse=old)  # a builder's copy shares nothing
    assert writable._caps is not old._caps


def test_candidate_search_on_a_large_pool_agrees_with_exhaustive_scoring(encoder, small_market):
    exhaustive = Matcher(encoder).index(small_market)
    pruned = Matcher(encoder, candidate_k=2, exhaustive_limit=0).index(small_market)
    assert pruned.match("m-energy", top=1)[0].partner_id == exhaustive.match("m-energy", top=1)[0].partner_id


def test_vector_index_adds_removes_and_round_trips(tmp_path):
    a = np.eye(4, dtype=np.float32)
    index = VectorIndex.build(4, np.array([1, 2]), a[:2])
    index.add(np.array([3]), a[2:3])
    scores, ids = index.search(a[2:3], 1)
    assert ids[0, 0] == 3 and scores[0, 0] == pytest.approx(1.0)
    index.save(tmp_path / "v.faiss")
    loaded = VectorIndex.load(tmp_path / "v.faiss", 4)
    assert loaded.search(a[:1], 1)[1][0, 0] == 1
    index.remove(np.array([1]))
    assert len(index) == 2 and index.search(a[:1], 3)[1][0].tolist().count(1) == 0


def test_large_pools_use_an_inverted_file_that_still_finds_the_nearest_rows(monkeypatch):
    import matcher.index as index_module

    monkeypatch.setattr(index_module, "IVF_THRESHOLD", 500)
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(2000, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = VectorIndex.build(16, np.arange(2000), vectors, nprobe=64)
    assert "IVF" in type(index._index).__name__
    _, ids = index.search(vectors[:20], 1)
    assert (ids[:, 0] == np.arange(20)).mean() >= 0.9


def test_free_text_search_finds_suppliers_and_manufacturers_across_languages(encoder, small_market):
    matcher = Matcher(encoder).index(small_market)
    hits = matcher.search("surface scratch inspection with deep learning", kind="supplier", top=3)
    assert {h.company_id for h in hits[:2]} == {"s-vision-en", "s-vision-ko"}
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)  # weak rows are left out
    korean = matcher.search("전력 사용량 절감", kind="manufacturer", top=1)
    assert korean[0].company_id == "m-energy"  # an English need found by a Korean query
    assert korean[0].text.startswith("Our electricity bill")
    assert all(h.company_id.startswith("s-") for h in matcher.search("ERP", kind="supplier"))
    certified = matcher.search("vision inspection", kind="supplier", filters=MatchFilters(certified_only=True))
    assert [h.company_id for h in certified][:1] == ["s-vision-ko"]
    assert matcher.search("   ") == []


def test_vocabulary_coverage_tells_how_much_of_new_text_the_fitted_vocabulary_knows(encoder, small_market):
    matcher = Matcher(encoder).index(small_market)
    assert matcher.vocabulary_coverage(small_market) == 1.0
    unseen = supplier("s-new", "선박 블록 도장 두께 측정 드론")
    assert matcher.vocabulary_coverage([unseen]) < 0.5
    assert matcher.vocabulary_coverage([supplier("s-empty")]) == 1.0
