"""Optuna tuning: trial count, determinism, fixed_params and default modes."""

import numpy as np
from conftest import run_train


def test_runs_requested_number_of_trials(tuned_log_run):
    res = tuned_log_run
    trials = res.json("trials.json")
    assert [t["number"] for t in trials] == [1, 2, 3, 4]
    assert all(t["state"] == "COMPLETE" for t in trials)
    assert all(set(t) == {"number", "params", "eval_rmse", "best_iteration", "seconds", "state"} for t in trials)
    assert all(
        set(t["params"]) == {"learning_rate", "max_depth", "min_child_weight", "subsample", "colsample_bytree", "reg_lambda", "reg_alpha", "gamma"}
        for t in trials
    )
    for t in trials:
        p = t["params"]
        assert 0.02 <= p["learning_rate"] <= 0.3 and 3 <= p["max_depth"] <= 10
        assert 0.6 <= p["subsample"] <= 1 and 0.5 <= p["colsample_bytree"] <= 1

    events = res.trial_events()
    assert [e["number"] for e in events] == [1, 2, 3, 4]
    assert all(e["of"] == 4 for e in events)
    assert [e["rmse"] for e in events] == [t["eval_rmse"] for t in trials]
    running_best = np.minimum.accumulate([t["eval_rmse"] for t in trials])
    assert [e["best_rmse"] for e in events] == list(running_best)

    # the best trial's params are the ones used, and its eval rmse is the reported eval rmse
    best = min(trials, key=lambda t: t["eval_rmse"])
    params = res.json("params.json")
    for k, v in best["params"].items():
        assert params["best_params"][k] == v
    assert params["best_iteration"] == best["best_iteration"]
    assert params["n_estimators"] == best["best_iteration"] + 1
    assert params["mode"] == "tuned"
    assert res.json("metrics.json")["eval"]["rmse"] == best["eval_rmse"]
    timings = res.json("timings.json")
    assert timings["per_trial_median"] == np.median([t["seconds"] for t in trials])


def test_tuning_is_deterministic_for_a_seed(make_input, tmp_path):
    data = make_input(trials=3, max_rounds=80)
    a = run_train(data, tmp_path / "a")
    b = run_train(data, tmp_path / "b")
    assert a.code == b.code == 0
    assert a.json("params.json") == b.json("params.json")
    strip = lambda ts: [{k: v for k, v in t.items() if k != "seconds"} for t in ts]  # noqa: E731
    assert strip(a.json("trials.json")) == strip(b.json("trials.json"))
    assert a.json("parity.json") == b.json("parity.json")
    np.testing.assert_array_equal(a.npy("predictions_holdout.npy"), b.npy("predictions_holdout.npy"))

    # a different seed explores different parameters
    c = run_train(make_input(trials=3, max_rounds=80, seed=7), tmp_path / "c")
    assert c.code == 0
    assert [t["params"] for t in c.json("trials.json")] != [t["params"] for t in a.json("trials.json")]


def test_fixed_params_skip_tuning(make_input, tmp_path):
    fixed = {"learning_rate": 0.2, "max_depth": 4, "subsample": 0.9, "n_estimators": 40}
    res = run_train(make_input(trials=5, fixed_params=fixed), tmp_path / "out")
    assert res.code == 0
    assert res.trial_events() == []
    assert "tuning" not in res.stages()
    assert res.json("trials.json") == []
    p = res.json("params.json")
    assert p["mode"] == "fixed"
    assert p["best_params"]["learning_rate"] == 0.2
    assert p["best_params"]["max_depth"] == 4
    assert p["best_params"]["objective"] == "reg:squarederror"
    assert p["best_params"]["tree_method"] == "hist"
    assert "n_estimators" not in p["best_params"]  # a round cap, not a booster param
    assert p["n_estimators"] <= 40  # early stopping still applies within the cap
    t = res.json("timings.json")
    assert t["tuning"] == 0.0 and t["per_trial_median"] is None


def test_zero_trials_uses_defaults(make_input, tmp_path):
    res = run_train(make_input(trials=0), tmp_path / "out")
    assert res.code == 0
    assert res.trial_events() == []
    p = res.json("params.json")
    assert p["mode"] == "default"
    assert p["best_params"]["learning_rate"] == 0.1 and p["best_params"]["max_depth"] == 6


def test_all_cores_threads_zero(make_input, tmp_path):
    res = run_train(make_input(trials=1, threads=0, max_rounds=40), tmp_path / "out")
    assert res.code == 0
    assert res.json("params.json")["best_params"]["nthread"] >= 1


def test_timeout_stops_tuning_early(make_input, tmp_path):
    res = run_train(make_input(trials=500, timeout_seconds=0.5, max_rounds=60), tmp_path / "out")
    assert res.code == 0
    n = len(res.json("trials.json"))
    assert 1 <= n < 500
    assert [e["number"] for e in res.trial_events()] == list(range(1, n + 1))
    assert all(e["of"] == 500 for e in res.trial_events())
