"""Cross-validated selection: folds without leakage, the metric, seeds and their spread, holdout never used."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import xgboost as xgb
from conftest import run_train
from synth import base_config, write_input_dir

from housing_trainer import cv as cv_module
from housing_trainer.folds import kfold, time_folds


def write_times(data: Path, seed: int = 0) -> None:
    """Integer days with many ties: train before day 1000, eval from day 1000 on."""
    rng = np.random.default_rng(seed)
    n_train = np.load(data / "y_train.npy").shape[0]
    n_eval = np.load(data / "y_eval.npy").shape[0]
    np.save(data / "t_train.npy", rng.integers(0, 1000, n_train).astype(np.float64))
    np.save(data / "t_eval.npy", rng.integers(1000, 1300, n_eval).astype(np.float64))


def cv_input(tmp_path: Path, name: str, **overrides) -> Path:
    cfg = base_config(**{"cv": {"kind": "time", "folds": 3}, "max_rounds": 80, **overrides})
    data = write_input_dir(tmp_path / name, cfg)
    write_times(data)
    return data


@pytest.mark.parametrize("folds", [2, 4, 6])
def test_time_folds_validate_strictly_after_their_training_rows(folds):
    rng = np.random.default_rng(folds)
    t = rng.integers(0, 60, 1000).astype(np.float64)  # many rows per time value
    result = time_folds(t, folds)
    assert len(result) == folds
    previous_end = None
    for i, f in enumerate(result):
        assert len(f.train) > 0 and len(f.valid) > 0
        assert t[f.train].max() < t[f.valid].min()  # no leakage, ties never straddle a cut
        assert not set(f.train) & set(f.valid)
        if i > 0:  # expanding window: everything before the block is training data
            assert set(f.train) == set(result[i - 1].train) | set(result[i - 1].valid)
        assert set(f.train) == set(np.flatnonzero(t < t[f.valid].min()))
        if previous_end is not None:
            assert t[f.valid].min() > previous_end
        previous_end = t[f.valid].max()
    # the validation blocks cover the last folds/(folds+1) of the rows once each
    valid = np.concatenate([f.valid for f in result])
    assert len(valid) == len(set(valid))
    assert abs(len(result[0].train) - 1000 / (folds + 1)) < 60


def test_time_folds_refuse_too_few_distinct_times():
    with pytest.raises(ValueError, match="distinct times"):
        time_folds(np.array([1.0, 1, 1, 2, 2, 2]), 3)


def test_kfold_is_a_seeded_partition():
    a = kfold(103, 5, seed=1)
    assert len(a) == 5
    valid = np.concatenate([f.valid for f in a])
    assert sorted(valid) == list(range(103))
    for f in a:
        assert sorted(np.concatenate([f.train, f.valid])) == list(range(103))
    assert all(np.array_equal(x.valid, y.valid) for x, y in zip(a, kfold(103, 5, seed=1)))
    assert not all(np.array_equal(x.valid, y.valid) for x, y in zip(a, kfold(103, 5, seed=2)))


def test_tuning_minimises_the_mean_cv_metric(tmp_path):
    res = run_train(cv_input(tmp_path, "data", trials=3, metric="mape"), tmp_path / "out")
    assert res.code == 0, res.stdout
    trials = res.json("trials.json")
    assert [t["metric"] for t in trials] == ["mape"] * 3
    for t in trials:
        assert len(t["fold_scores"]) == 3 and t["cv_score"] == pytest.approx(np.mean(t["fold_scores"]))
        assert t["n_estimators"] == round(np.mean(t["fold_rounds"]))
    best = min(trials, key=lambda t: t["cv_score"])
    params = res.json("params.json")
    assert {k: params["best_params"][k] for k in best["params"]} == best["params"]
    assert params["n_estimators"] == best["n_estimators"]  # the refit's rounds come from the folds
    assert params["metric"] == "mape" and params["cv"] == {"kind": "time", "folds": 3}
    assert params["cv_score"] == best["cv_score"]
    events = res.trial_events()
    assert [e["score"] for e in events] == [t["cv_score"] for t in trials]
    assert [e["best_score"] for e in events] == list(np.minimum.accumulate([t["cv_score"] for t in trials]))
    sel = res.json("selection.json")
    assert sel["metric"] == "mape" and sel["selected_by"] == "cv"
    assert [f["valid_rows"] > 0 for f in sel["cv"]["fold_rows"]] == [True] * 3
    assert sum(f["valid_rows"] for f in sel["cv"]["fold_rows"]) + sel["cv"]["fold_rows"][0]["train_rows"] == 2500
    assert res.stages() == ["baseline", "tuning", "refit", "eval_fit", "export", "onnx_check"]
    # the final model is still refitted on train ∪ eval
    assert res.json("metrics.json")["train"]["rows"] == 2500


def test_the_fold_score_is_the_chosen_metric_at_each_folds_best_round(tmp_path, monkeypatch):
    """Early stopping per fold monitors the chosen metric in price space."""
    seen: list[tuple[str, int]] = []
    original = cv_module.fit_fold

    def spy(params, data, i, metric, max_rounds, early_stopping_rounds):
        booster, best = original(params, data, i, metric, max_rounds, early_stopping_rounds)
        seen.append((metric, best))
        return booster, best

    monkeypatch.setattr(cv_module, "fit_fold", spy)
    res = run_train(cv_input(tmp_path, "data", trials=0, metric="mae", max_rounds=400, early_stopping_rounds=10), tmp_path / "out")
    assert res.code == 0, res.stdout
    assert [m for m, _ in seen] == ["mae"] * 3
    sel = res.json("selection.json")["seeds"][0]
    assert sel["fold_rounds"] == [b + 1 for _, b in seen]
    assert all(r < 400 for r in sel["fold_rounds"])  # stopped early
    assert res.stages() == ["baseline", "cv", "refit", "eval_fit", "export", "onnx_check"]


def test_kfold_cv_for_a_random_split(tmp_path):
    data = write_input_dir(tmp_path / "data", base_config(trials=2, cv={"kind": "kfold", "folds": 3}, max_rounds=60))
    res = run_train(data, tmp_path / "out")
    assert res.code == 0, res.stdout
    sel = res.json("selection.json")
    assert sel["cv"]["kind"] == "kfold" and sel["metric"] == "rmsle"  # the default for a log target
    assert sum(f["valid_rows"] for f in sel["cv"]["fold_rows"]) == 2500


def test_seeds_report_the_spread_and_serve_the_best_cv_seed(tmp_path):
    res = run_train(cv_input(tmp_path, "data", trials=2, seeds=3), tmp_path / "out")
    assert res.code == 0, res.stdout
    sel = res.json("selection.json")
    seeds = sel["seeds"]
    assert [s["seed"] for s in seeds] == [42, 43, 44]
    assert [e["seed"] for e in res.events if e["event"] == "seed"] == [42, 43, 44]
    best = min(seeds, key=lambda s: s["selection_score"])
    assert sel["served_seed"] == best["seed"] == res.json("params.json")["seed"]
    served_holdout = res.json("metrics.json")["holdout"]
    assert served_holdout == pytest.approx(best["holdout"])
    for key in ("mae", "rmse", "r2", "mape", "rmsle"):
        values = np.array([s["holdout"][key] for s in seeds])
        spread = sel["spread"]["holdout"][key]
        assert spread["mean"] == pytest.approx(values.mean())
        assert spread["std"] == pytest.approx(values.std(ddof=1))
        assert (spread["min"], spread["max"]) == pytest.approx((values.min(), values.max()))
    scores = np.array([s["selection_score"] for s in seeds])
    assert sel["spread"]["selection_score"]["mean"] == pytest.approx(scores.mean())
    # each seed ran its own selection: its own trials
    assert len({json.dumps(s["params"], sort_keys=True) for s in seeds}) == 3


def test_holdout_never_reaches_the_selection(tmp_path):
    """Poisoned holdout targets and features change the holdout metrics, not one choice."""
    clean = cv_input(tmp_path, "clean", trials=3, seeds=2)
    poisoned = cv_input(tmp_path, "poisoned", trials=3, seeds=2)
    rng = np.random.default_rng(99)
    y = np.load(poisoned / "y_holdout.npy")
    np.save(poisoned / "y_holdout.npy", y[rng.permutation(len(y))] * rng.uniform(0.1, 10, len(y)))
    X = np.load(poisoned / "X_holdout.npy")
    np.save(poisoned / "X_holdout.npy", np.flip(X, axis=0).copy())
    a = run_train(clean, tmp_path / "a")
    b = run_train(poisoned, tmp_path / "b")
    assert a.code == b.code == 0
    strip = lambda ts: [{k: v for k, v in t.items() if k != "seconds"} for t in ts]  # noqa: E731
    assert strip(a.json("trials.json")) == strip(b.json("trials.json"))
    assert a.json("params.json") == b.json("params.json")
    sa, sb = a.json("selection.json"), b.json("selection.json")
    assert sa["served_seed"] == sb["served_seed"]
    assert [s["params"] for s in sa["seeds"]] == [s["params"] for s in sb["seeds"]]
    assert [s["selection_score"] for s in sa["seeds"]] == [s["selection_score"] for s in sb["seeds"]]
    assert a.json("parity.json") == b.json("parity.json")  # the same model
    assert a.json("metrics.json")["holdout"]["mape"] < 0.5 * b.json("metrics.json")["holdout"]["mape"]


def test_cv_input_errors(tmp_path):
    data = cv_input(tmp_path, "data", trials=0)
    (data / "t_eval.npy").unlink()
    res = run_train(data, tmp_path / "out")
    assert res.code == 2 and "t_eval.npy" in res.events[-1]["message"]
    bad = write_input_dir(tmp_path / "bad", base_config(metric="r2"))
    res = run_train(bad, tmp_path / "out2")
    assert res.code == 2 and "metric must be" in res.events[-1]["message"]
    bad = write_input_dir(tmp_path / "bad2", base_config(cv={"kind": "time", "folds": 1}))
    res = run_train(bad, tmp_path / "out3")
    assert res.code == 2 and "cv.folds" in res.events[-1]["message"]


def test_intervals_are_calibrated_on_the_chosen_parameters_out_of_fold_residuals(tmp_path):
    """With CV, every fold's validation rows predicted by the served parameters at the refit's rounds."""
    from native import raw_predict

    from housing_trainer import conformal

    data = write_input_dir(tmp_path / "data", base_config(trials=2, cv={"kind": "kfold", "folds": 3}, max_rounds=60))
    res = run_train(data, tmp_path / "out")
    iv = res.json("intervals.json")
    assert iv["calibration"] == "cv" and iv["calibrationRows"] == 2500
    params = res.json("params.json")
    X = np.concatenate([res.input("X_train.npy"), res.input("X_eval.npy")])
    z = np.log1p(np.concatenate([res.input("y_train.npy"), res.input("y_eval.npy")]))
    folds = kfold(len(z), 3, params["seed"])
    preds, actual = [], []
    for f in folds:
        booster = xgb.train(params["best_params"], xgb.QuantileDMatrix(X[f.train], label=z[f.train], max_bin=int(params["best_params"].get("max_bin", 256))), params["n_estimators"])
        preds.append(raw_predict(booster, X[f.valid]))
        actual.append(z[f.valid])
    again = conformal.calibrate(np.concatenate(preds), np.concatenate(actual), 0.9)
    assert [b["halfWidth"] for b in again["bins"]] == pytest.approx([b["halfWidth"] for b in iv["bins"]], rel=1e-6)
    assert 0.8 <= iv["holdout"]["coverage"] <= 1.0
