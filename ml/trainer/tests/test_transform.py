"""target_transform "log" vs "none"."""

import numpy as np
import pytest
from conftest import run_train
from native import rebuild

from housing_trainer import transform


def test_transform_roundtrip():
    y = np.array([0.0, 1.0, 250_000.0, 3.5e6])
    np.testing.assert_allclose(transform.forward(y, "log"), np.log1p(y))
    np.testing.assert_allclose(transform.inverse(transform.forward(y, "log"), "log"), y, rtol=1e-12)
    np.testing.assert_array_equal(transform.inverse(transform.forward(y, "none"), "none"), y)
    with pytest.raises(ValueError):
        transform.forward(y, "sqrt")


def test_none_transform_fits_prices_directly(none_transform_run):
    res = none_transform_run
    p = res.json("params.json")
    assert p["target_transform"] == "none"
    _, final, _ = rebuild(res)
    # raw model output is the price itself
    raw = final.inplace_predict(res.input("X_holdout.npy")).astype(np.float64)
    np.testing.assert_allclose(res.npy("predictions_holdout.npy"), raw, rtol=1e-12)
    assert raw.mean() == pytest.approx(res.input("y_holdout.npy").mean(), rel=0.1)
    m = res.json("metrics.json")
    assert m["holdout"]["rmse"] < 0.6 * m["baseline"]["holdout"]["rmse"]


def test_log_transform_model_is_fit_on_log1p(tuned_log_run):
    res = tuned_log_run
    _, final, _ = rebuild(res)
    raw = final.inplace_predict(res.input("X_holdout.npy")).astype(np.float64)
    assert raw.max() < 20  # log1p units
    np.testing.assert_allclose(res.npy("predictions_holdout.npy"), np.expm1(raw), rtol=1e-12)


def test_none_transform_accepts_negative_targets(make_input, tmp_path):
    """Only the log transform needs y >= 0; "none" is fit on whatever prices it gets."""
    data = make_input(trials=0, max_rounds=20, target_transform="none")
    y = np.load(data / "y_train.npy")
    y[:3] = -1.0
    np.save(data / "y_train.npy", y)
    assert run_train(data, tmp_path / "out").code == 0
