"""Output files: presence, schema, internal consistency, refit policy."""

import numpy as np
import pytest
from native import price_predict, rebuild
from synth import FEATURES

from housing_trainer.metrics import regression_metrics
from housing_trainer.pipeline import OUTPUT_FILES

METRIC_KEYS = {"mae", "rmse", "r2", "mape", "rmsle", "rows"}


def test_all_outputs_written(tuned_log_run):
    res = tuned_log_run
    assert sorted(p.name for p in res.out.iterdir()) == sorted(OUTPUT_FILES)
    # no staged/backup directories left next to the output
    assert sorted(p.name for p in res.out.parent.iterdir()) == ["data", "out"]


def test_progress_events(tuned_log_run):
    res = tuned_log_run
    assert res.stages() == ["baseline", "tuning", "eval_fit", "refit", "export", "onnx_check"]
    assert res.events[0] == {"event": "stage", "stage": "baseline"}
    done = res.events[-1]
    assert done["event"] == "done"
    assert done["metrics"] == res.json("metrics.json")
    for e in res.trial_events():
        assert set(e) >= {"number", "of", "rmse", "best_rmse", "seconds"}
    # one JSON object per line
    assert len(res.stdout.splitlines()) == len(res.events)


def test_metrics_json_matches_predictions(tuned_log_run):
    res = tuned_log_run
    m = res.json("metrics.json")
    assert set(m) == {"train", "eval", "holdout", "baseline"}
    for split in ("train", "eval", "holdout"):
        assert set(m[split]) == METRIC_KEYS
    assert set(m["baseline"]) == {"eval", "holdout"}

    pe, ph = res.npy("predictions_eval.npy"), res.npy("predictions_holdout.npy")
    assert pe.dtype == np.float64 and ph.dtype == np.float64
    assert m["eval"] == pytest.approx(regression_metrics(res.input("y_eval.npy"), pe))
    assert m["holdout"] == pytest.approx(regression_metrics(res.input("y_holdout.npy"), ph))
    assert m["eval"]["rows"] == 500 and m["holdout"]["rows"] == 500
    assert m["train"]["rows"] == 2500 == res.json("params.json")["refit_rows"]
    # the model beats the median baseline on this data
    assert m["eval"]["rmse"] < 0.6 * m["baseline"]["eval"]["rmse"]
    assert m["holdout"]["rmse"] < 0.6 * m["baseline"]["holdout"]["rmse"]


def test_refit_policy_and_parity(tuned_log_run):
    """Eval predictions come from the train-only model truncated at best_iteration;
    holdout and parity predictions come from the train∪eval refit with n_estimators trees."""
    res = tuned_log_run
    eval_model, final, tf = rebuild(res)
    assert final.num_boosted_rounds() == res.json("params.json")["n_estimators"]
    np.testing.assert_allclose(res.npy("predictions_eval.npy"), price_predict(eval_model, res.input("X_eval.npy"), tf), rtol=1e-12)
    np.testing.assert_allclose(res.npy("predictions_holdout.npy"), price_predict(final, res.input("X_holdout.npy"), tf), rtol=1e-12)

    parity = res.json("parity.json")["predictions"]
    Xp = res.input("X_parity.npy")
    assert len(parity) == Xp.shape[0]
    assert np.isnan(Xp).any()
    np.testing.assert_allclose(np.array(parity), price_predict(final, Xp, tf), rtol=1e-12)
    assert all(isinstance(v, float) for v in parity)

    refit_metrics = regression_metrics(
        np.concatenate([res.input("y_train.npy"), res.input("y_eval.npy")]),
        price_predict(final, np.concatenate([res.input("X_train.npy"), res.input("X_eval.npy")]), tf),
    )
    assert res.json("metrics.json")["train"] == pytest.approx(refit_metrics)


def test_params_json(tuned_log_run):
    p = tuned_log_run.json("params.json")
    bp = p["best_params"]
    assert bp["objective"] == "reg:squarederror" and bp["tree_method"] == "hist"
    assert bp["seed"] == 42
    assert p["n_estimators"] == p["best_iteration"] + 1
    assert p["refit_rows"] == 2500


def test_importances(tuned_log_run):
    imp = tuned_log_run.json("importances.json")
    assert sorted(i["feature"] for i in imp) == sorted(FEATURES)
    gains = [i["gain"] for i in imp]
    assert gains == sorted(gains, reverse=True)
    assert sum(gains) == pytest.approx(1.0)
    assert all(isinstance(i["weight"], int) and i["weight"] >= 0 for i in imp)
    assert imp[0]["feature"] == "median_list_price"  # the dominant driver in the synthetic data
    for i in imp:
        assert (i["gain"] == 0) == (i["weight"] == 0)


def test_timings(tuned_log_run):
    t = tuned_log_run.json("timings.json")
    assert set(t) == {"baseline", "tuning", "per_trial_median", "eval_fit", "refit", "export", "onnx_check", "total"}
    assert all(v >= 0 for v in t.values())
    assert t["total"] >= t["tuning"] + t["eval_fit"] + t["refit"]


def test_onnx_json(tuned_log_run):
    info = tuned_log_run.json("onnx.json")
    assert info["input"] == "features"
    assert info["output_space"] == "transformed"
    assert isinstance(info["opset"], int) and info["opset"] >= 1
    assert isinstance(info["output"], str) and info["output"]
    assert info["feature_names"] == FEATURES


def test_intervals_json(tuned_log_run):
    """Calibrated on the eval fit's eval residuals; the holdout report is what the refit model's ranges cover."""
    from housing_trainer import conformal

    res = tuned_log_run
    iv = res.json("intervals.json")
    assert iv["method"] == "split-conformal" and iv["space"] == "transformed" and iv["calibration"] == "eval"
    assert iv["level"] == 0.9
    assert iv["calibrationRows"] == 500
    assert sum(b["rows"] for b in iv["bins"]) == 500
    assert iv["bins"][-1]["upper"] is None and all(b["halfWidth"] > 0 for b in iv["bins"])
    eval_model, final, tf = rebuild(res)
    # the calibration is reproducible from the eval fit's residuals
    from native import raw_predict

    z_eval = raw_predict(eval_model, res.input("X_eval.npy"))
    again = conformal.calibrate(z_eval, np.log1p(res.input("y_eval.npy")), 0.9)
    assert [b["halfWidth"] for b in again["bins"]] == pytest.approx([b["halfWidth"] for b in iv["bins"]])
    # the holdout report is recomputed from the final model's ranges
    z_holdout = raw_predict(final, res.input("X_holdout.npy"))
    report = conformal.coverage_report(iv, z_holdout, res.input("y_holdout.npy"), tf)
    assert iv["holdout"] == pytest.approx(report)
    assert 0.8 <= iv["holdout"]["coverage"] <= 1.0


def test_trees_and_contributions_json(tuned_log_run):
    """The covers sidecar describes the served trees; the parity contributions add up to the model output."""
    res = tuned_log_run
    _, final, _ = rebuild(res)
    covers = res.json("trees.json")
    assert covers["formatVersion"] == 1 and covers["source"] == "xgboost"
    assert len(covers["trees"]) == final.num_boosted_rounds()
    for tree in covers["trees"]:
        n = len(tree["left"])
        assert len(tree["right"]) == len(tree["feature"]) == len(tree["cover"]) == len(tree["defaultLeft"]) == n
        # a node's cover is the sum of its children's
        for i in range(n):
            if tree["left"][i] >= 0:
                assert tree["cover"][i] == pytest.approx(tree["cover"][tree["left"][i]] + tree["cover"][tree["right"][i]], rel=1e-5)
    phi = np.asarray(res.json("contributions.json")["parity"])
    X_parity = res.input("X_parity.npy")
    assert phi.shape == (X_parity.shape[0], X_parity.shape[1] + 1)
    from native import raw_predict

    np.testing.assert_allclose(phi.sum(axis=1), raw_predict(final, X_parity), rtol=1e-5, atol=1e-5)
