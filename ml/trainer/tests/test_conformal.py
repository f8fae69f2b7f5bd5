"""Conformal prediction intervals: the finite-sample quantile, coverage on exchangeable data, adaptivity."""

import numpy as np
import pytest

from housing_trainer import conformal
from housing_trainer.config import parse_config
from housing_trainer.errors import InputError


def heteroscedastic(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Predictions over a 4x range of levels; the error's spread grows with the level (as prices' do)."""
    rng = np.random.default_rng(seed)
    z_pred = rng.uniform(1.0, 4.0, n)
    z_actual = z_pred + rng.normal(0.0, 0.05 * z_pred**2, n)
    return z_pred, z_actual


def test_quantile_is_the_finite_sample_rank():
    a = np.arange(1, 11, dtype=float)  # n = 10
    # ceil(11 * 0.9) = 10th smallest; ceil(11 * 0.5) = 6th smallest
    assert conformal.conformal_quantile(a[::-1], 0.9) == 10.0
    assert conformal.conformal_quantile(a, 0.5) == 6.0
    # a rank past n takes the largest residual instead of an infinite width
    assert conformal.conformal_quantile(np.array([3.0, 1.0]), 0.9) == 3.0
    with pytest.raises(ValueError):
        conformal.conformal_quantile(np.array([]), 0.9)


def test_bins_follow_the_calibration_size():
    assert conformal.bin_count(100) == 1
    assert conformal.bin_count(600) == 2
    assert conformal.bin_count(100_000) == conformal.MAX_BINS


@pytest.mark.parametrize("level", [0.8, 0.9, 0.95])
def test_coverage_on_exchangeable_data_is_within_two_points(level):
    z_pred, z_actual = heteroscedastic(5_000, seed=1)
    calibration = conformal.calibrate(z_pred, z_actual, level)
    test_pred, test_actual = heteroscedastic(50_000, seed=2)
    report = conformal.coverage_report(calibration, test_pred, np.expm1(test_actual), "log")
    # Split conformal guarantees >= level in expectation; with 500-row bins the realised coverage
    # varies by about 1.3 points per bin and less over ten bins.
    assert abs(report["coverage"] - level) < 0.02
    assert report["rows"] == 50_000


def test_binned_intervals_follow_the_level_and_cover_every_bin():
    z_pred, z_actual = heteroscedastic(5_000, seed=3)
    calibration = conformal.calibrate(z_pred, z_actual, 0.9)
    widths = [b["halfWidth"] for b in calibration["bins"]]
    assert len(widths) == conformal.MAX_BINS
    # the top bin's errors are ~10x the bottom's: so are the ranges
    assert widths[-1] > 5 * widths[0]
    assert widths == sorted(widths)
    # conditional coverage: each level band of new rows is covered near nominal, not only on average
    test_pred, test_actual = heteroscedastic(50_000, seed=4)
    h = conformal.half_widths(calibration, test_pred)
    inside = np.abs(test_actual - test_pred) <= h
    for lo, hi in [(1.0, 1.5), (2.0, 2.5), (3.5, 4.0)]:
        band = (test_pred >= lo) & (test_pred < hi)
        assert abs(inside[band].mean() - 0.9) < 0.03
    # one global width would under-cover the expensive end badly
    single = conformal.calibrate(z_pred, z_actual, 0.9, bins=1)
    top = test_pred >= 3.5
    h1 = conformal.half_widths(single, test_pred)
    assert (np.abs(test_actual - test_pred) <= h1)[top].mean() < 0.8


def test_bin_lookup_uses_upper_edges():
    calibration = {"bins": [{"upper": 1.0, "halfWidth": 0.1}, {"upper": 2.0, "halfWidth": 0.2}, {"upper": None, "halfWidth": 0.3}]}
    np.testing.assert_array_equal(conformal.half_widths(calibration, np.array([0.5, 1.0, 1.5, 2.0, 9.0])), [0.1, 0.1, 0.2, 0.2, 0.3])


def test_price_ranges_never_go_below_zero():
    calibration = {"bins": [{"upper": None, "halfWidth": 500.0}]}
    low, high = conformal.price_intervals(calibration, np.array([100.0, 1000.0]), "none")
    np.testing.assert_array_equal(low, [0.0, 500.0])
    np.testing.assert_array_equal(high, [600.0, 1500.0])


def test_log_ranges_are_relative_to_the_price():
    calibration = {"bins": [{"upper": None, "halfWidth": 0.1}]}
    z = np.log1p(np.array([100_000.0, 2_000_000.0]))
    low, high = conformal.price_intervals(calibration, z, "log")
    assert (high / np.expm1(z)) == pytest.approx([np.exp(0.1)] * 2, rel=1e-4)
    assert (low / np.expm1(z)) == pytest.approx([np.exp(-0.1)] * 2, rel=1e-4)


def test_level_is_validated():
    with pytest.raises(ValueError):
        conformal.calibrate(np.ones(10), np.ones(10), 1.0)
    with pytest.raises(InputError, match="interval_level"):
        parse_config({"feature_names": ["a"], "interval_level": 1.5})
    assert parse_config({"feature_names": ["a"]}).interval_level == 0.9
    assert parse_config({"feature_names": ["a"], "interval_level": 0.8}).interval_level == 0.8
