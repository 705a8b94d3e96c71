"""Shown scores are calibrated probabilities of a good partner; ranking never changes."""
from __future__ import annotations

import numpy as np
import pytest

from matcher.calibration import ScoreCalibrator, calibration_table
from matcher.engine import Matcher


def test_calibrated_scores_match_the_share_of_good_pairs_on_a_toy_set():
    rng = np.random.default_rng(0)
    raw = rng.uniform(0, 1, 4000)
    good = rng.uniform(0, 1, 4000) < raw ** 3  # an overconfident raw score: 0.9 is good 73% of the time
    calibrator = ScoreCalibrator().fit(raw, good)
    shown = calibrator.predict(raw)
    _, raw_ece = calibration_table(raw, good)
    table, ece = calibration_table(shown, good)
    assert ece < 0.03 < raw_ece
    assert [row["from"] for row in table] == [0.0, 0.2, 0.4, 0.6, 0.8]
    assert sum(row["pairs"] for row in table) == 4000
    assert abs(float(calibrator.predict(np.asarray([0.9]))[0]) - 0.9 ** 3) < 0.08


def test_calibration_refuses_labels_of_one_kind():
    with pytest.raises(ValueError):
        ScoreCalibrator().fit(np.linspace(0, 1, 50), [True] * 50)


@pytest.mark.slow  # indexes a market and fits out of fold: ~30 s
def test_a_calibrated_engine_keeps_its_ranking_and_shows_probabilities_after_save_and_load(
        encoder, small_market, tmp_path):
    matcher = Matcher(encoder).index(small_market)
    before = [m.partner_id for m in matcher.match("m-vision", top=5)]
    pairs = [(m, s, s in good) for m, good in (("m-vision", {"s-vision-en", "s-vision-ko", "s-pdm"}),
                                                ("m-energy", {"s-energy"}), ("m-secure", {"s-vision-ko"}))
             for s in ("s-vision-en", "s-vision-ko", "s-energy", "s-pdm", "s-erp")] * 4
    matcher.calibrate(pairs)
    matcher.save(tmp_path / "index")
    loaded = Matcher.load(tmp_path / "index", encoder)
    after = loaded.match("m-vision", top=5)
    assert [m.partner_id for m in after] == before
    assert all(0.0 <= m.score <= 1.0 for m in after)
    assert after[-1].score < after[0].score
