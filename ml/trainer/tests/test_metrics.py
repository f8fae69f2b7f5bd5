import math

import numpy as np
import pytest

from housing_trainer.metrics import SELECTION_METRICS, default_metric, mae, mape, r2, regression_metrics, rmse, rmsle, score
from housing_trainer.pipeline import baseline_metrics


def test_metrics_hand_computed():
    actual = np.array([100.0, 200.0, 300.0, 400.0])
    pred = np.array([110.0, 190.0, 330.0, 400.0])
    # errors: -10, +10, -30, 0
    assert mae(actual, pred) == pytest.approx(50 / 4)
    assert rmse(actual, pred) == pytest.approx(math.sqrt((100 + 100 + 900 + 0) / 4))
    # SS_tot = 150² + 50² + 50² + 150² = 50000, SS_res = 1100
    assert r2(actual, pred) == pytest.approx(1 - 1100 / 50000)
    assert mape(actual, pred) == pytest.approx(100 * (0.1 + 0.05 + 0.1 + 0.0) / 4)
    m = regression_metrics(actual, pred)
    assert set(m) == {"mae", "rmse", "r2", "mape", "rmsle", "rows"}
    assert m["rows"] == 4


def test_mape_ignores_zero_actuals():
    actual = np.array([0.0, 100.0, 0.0, 50.0])
    pred = np.array([5.0, 110.0, -3.0, 40.0])
    assert mape(actual, pred) == pytest.approx(100 * (0.1 + 0.2) / 2)
    assert mape(np.zeros(3), np.ones(3)) is None


def test_r2_with_constant_actuals():
    assert r2(np.full(3, 7.0), np.full(3, 7.0)) == 1.0
    assert r2(np.full(3, 7.0), np.array([7.0, 8.0, 7.0])) == 0.0
    assert r2(np.array([1.0, 2.0, 3.0]), np.full(3, 2.0)) == 0.0


def test_metrics_reject_bad_shapes():
    with pytest.raises(ValueError):
        mae(np.ones(3), np.ones(4))
    with pytest.raises(ValueError):
        rmse(np.ones(0), np.ones(0))


def test_baseline_metrics_hand_checkable():
    y_train = np.array([100.0, 200.0, 300.0, 400.0, 1000.0])  # median 300
    y_eval = np.array([200.0, 400.0])
    y_holdout = np.array([300.0, 600.0])
    b = baseline_metrics(y_train, y_eval, y_holdout)
    assert b["eval"] == {
        "mae": 100.0,
        "rmse": 100.0,
        "r2": 0.0,
        "mape": 37.5,
        "rmsle": pytest.approx(math.sqrt((math.log(301 / 201) ** 2 + math.log(301 / 401) ** 2) / 2)),
        "rows": 2,
    }
    assert b["holdout"]["mae"] == 150.0
    assert b["holdout"]["rmse"] == pytest.approx(math.sqrt(300.0**2 / 2))
    assert b["holdout"]["r2"] == pytest.approx(-1.0)
    assert b["holdout"]["mape"] == pytest.approx(25.0)
    assert b["holdout"]["rows"] == 2


def test_rmsle_and_selection_metrics_hand_computed():
    actual = np.array([99.0, 199.0, 0.0])
    pred = np.array([199.0, 99.0, -5.0])  # a negative prediction counts as 0
    expected = math.sqrt((math.log(2) ** 2 + math.log(0.5) ** 2 + 0.0) / 3)
    assert rmsle(actual, pred) == pytest.approx(expected)
    assert score("rmsle", actual, pred) == pytest.approx(expected)
    assert score("mae", actual, pred) == pytest.approx((100 + 100 + 5) / 3)
    assert score("rmse", actual, pred) == pytest.approx(math.sqrt((100**2 + 100**2 + 25) / 3))
    # MAPE leaves out the zero actual: (100/99 + 100/199) / 2
    assert score("mape", actual, pred) == pytest.approx(100 * (100 / 99 + 100 / 199) / 2)
    assert score("mape", np.zeros(2), np.ones(2)) == math.inf
    with pytest.raises(ValueError):
        rmsle(np.array([-1.0]), np.array([1.0]))
    with pytest.raises(ValueError):
        score("r2", actual, pred)
    assert regression_metrics(np.array([-1.0, 2.0]), np.array([1.0, 2.0]))["rmsle"] is None


def test_rmsle_equals_rmse_in_log1p_space():
    rng = np.random.default_rng(3)
    actual = rng.lognormal(12, 0.5, 200)
    pred = actual * rng.lognormal(0, 0.1, 200)
    assert rmsle(actual, pred) == pytest.approx(rmse(np.log1p(actual), np.log1p(pred)))


def test_default_metric_is_rmse_in_the_transformed_space():
    assert default_metric("log") == "rmsle"
    assert default_metric("none") == "rmse"
    assert SELECTION_METRICS == ("rmse", "mae", "mape", "rmsle")
