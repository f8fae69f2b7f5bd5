"""Baseline metrics through the whole CLI on a tiny hand-checkable input."""

import json
import math

import numpy as np
import pytest
from conftest import run_train
from synth import FEATURES, base_config


def test_baseline_in_metrics_json(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    rng = np.random.default_rng(3)

    def x(n):
        return rng.normal(size=(n, len(FEATURES))).astype(np.float32)

    np.save(data / "X_train.npy", x(5))
    np.save(data / "y_train.npy", np.array([100.0, 200.0, 300.0, 400.0, 1000.0]))  # median 300
    np.save(data / "X_eval.npy", x(2))
    np.save(data / "y_eval.npy", np.array([200.0, 400.0]))
    np.save(data / "X_holdout.npy", x(2))
    np.save(data / "y_holdout.npy", np.array([300.0, 600.0]))
    np.save(data / "X_parity.npy", x(1))
    (data / "config.json").write_text(json.dumps(base_config(trials=0, max_rounds=5, early_stopping_rounds=2)))

    res = run_train(data, tmp_path / "out")
    assert res.code == 0, res.stdout
    baseline = res.json("metrics.json")["baseline"]
    # every row predicted 300
    assert baseline["eval"] == {
        "mae": 100.0,
        "rmse": 100.0,
        "r2": 0.0,
        "mape": 37.5,
        "rmsle": pytest.approx(math.sqrt((math.log(301 / 201) ** 2 + math.log(301 / 401) ** 2) / 2)),
        "rows": 2,
    }
    assert baseline["holdout"]["mae"] == 150.0
    assert baseline["holdout"]["rmse"] == pytest.approx(math.sqrt(300.0**2 / 2))
    assert baseline["holdout"]["r2"] == pytest.approx(-1.0)
    assert baseline["holdout"]["mape"] == pytest.approx(25.0)
    assert res.stages()[0] == "baseline"
