"""ONNX export: agreement with the native model (incl. NaN and exact-threshold rows)."""

import json

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from conftest import run_train
from native import price_predict, rebuild


def _onnx_raw(res, X):
    info = res.json("onnx.json")
    sess = ort.InferenceSession(str(res.out / "model.onnx"), providers=["CPUExecutionProvider"])
    assert [i.name for i in sess.get_inputs()] == [info["input"]]
    assert [o.name for o in sess.get_outputs()] == [info["output"]]
    (out,) = sess.run([info["output"]], {info["input"]: X.astype(np.float32)})
    assert out.shape[0] == X.shape[0]
    return np.asarray(out, dtype=np.float64).reshape(X.shape[0], -1)[:, 0]


def _assert_within_tolerance(onnx_price, native_price, rel=1e-4, absolute=1.0):
    diff = np.abs(onnx_price - native_price)
    bad = (diff > absolute) & (diff > rel * np.abs(native_price))
    assert not bad.any(), f"{bad.sum()} rows beyond tolerance, max diff {diff.max()}"


def _threshold_rows(booster, X_base, rng):
    """Rows whose feature value sits exactly on a split threshold, plus NaN variants."""
    model = json.loads(booster.save_raw("json"))
    rows = []
    for tree in model["learner"]["gradient_booster"]["model"]["trees"]:
        for feat, cond, left in zip(tree["split_indices"], tree["split_conditions"], tree["left_children"]):
            if left == -1:
                continue
            r = X_base[rng.integers(0, len(X_base))].copy()
            r[feat] = np.float32(cond)
            rows.append(r)
            r2 = r.copy()
            r2[feat] = np.nan  # default direction of this very split
            rows.append(r2)
    return np.array(rows, dtype=np.float32)


def test_onnx_check_json(tuned_log_run):
    check = tuned_log_run.json("onnx_check.json")
    assert check["passed"] is True
    assert check["rows_checked"] == 500 + 500 + 64  # eval ∪ holdout ∪ parity
    assert check["tolerance"] == {"relative": 1e-4, "absolute": 1.0}
    assert 0 <= check["max_rel_diff"] <= 1e-4
    assert check["max_abs_diff"] >= 0


@pytest.mark.parametrize("fixture", ["tuned_log_run", "none_transform_run"])
def test_onnx_matches_native_with_nan_and_threshold_rows(request, fixture):
    res = request.getfixturevalue(fixture)
    _, final, tf = rebuild(res)
    rng = np.random.default_rng(5)
    X_eval = res.input("X_eval.npy")
    X = np.concatenate(
        [
            res.input("X_parity.npy"),
            X_eval,
            np.full((1, X_eval.shape[1]), np.nan, dtype=np.float32),
            _threshold_rows(final, X_eval, rng),
        ]
    )
    assert np.isnan(X).any(axis=1).sum() > 100
    native = price_predict(final, X, tf)
    raw = _onnx_raw(res, X)
    onnx_price = np.expm1(raw) if tf == "log" else raw
    _assert_within_tolerance(onnx_price, native)


def test_onnx_output_is_in_transformed_space(tuned_log_run, none_transform_run):
    for res, expected in ((tuned_log_run, "expm1"), (none_transform_run, "identity")):
        info = res.json("onnx.json")
        assert info["output_space"] == "transformed"
        assert info["inverse_transform"] == expected
        parity = np.array(res.json("parity.json")["predictions"])
        raw = _onnx_raw(res, res.input("X_parity.npy"))
        if expected == "expm1":
            assert raw.max() < 20  # log1p units, not prices
            _assert_within_tolerance(np.expm1(raw), parity)
        else:
            assert raw.min() > 1000  # prices
            _assert_within_tolerance(raw, parity)


def test_onnx_model_metadata(tuned_log_run):
    m = onnx.load(str(tuned_log_run.out / "model.onnx"))
    onnx.checker.check_model(m)
    meta = {p.key: p.value for p in m.metadata_props}
    assert json.loads(meta["feature_names"]) == tuned_log_run.json("onnx.json")["feature_names"]
    assert meta["target_transform"] == "log"
    dims = m.graph.input[0].type.tensor_type.shape.dim
    assert [d.dim_value for d in dims][1] == 6
    assert tuned_log_run.json("onnx.json")["n_trees"] == tuned_log_run.json("params.json")["n_estimators"]


def test_onnx_mismatch_exits_3_and_still_writes_check(make_input, tmp_path, monkeypatch, capsys):
    from housing_trainer import onnx_export

    real_predict = onnx_export.predict

    def skewed(sess, X):
        out = real_predict(sess, X)
        out[3] += 0.01  # ~1% off in price space for one row
        return out

    monkeypatch.setattr(onnx_export, "predict", skewed)
    res = run_train(make_input(trials=0, max_rounds=30), tmp_path / "out")
    assert res.code == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("error: onnx_check.json: 1 of")
    check = res.json("onnx_check.json")
    assert check["passed"] is False
    assert check["rows_failed"] == 1
    assert check["worst_row"]["row"] == 3
    assert check["max_rel_diff"] == pytest.approx(np.expm1(0.01), rel=1e-3)
    assert res.events[-1]["event"] == "error" and res.events[-1]["code"] == 3
    assert not any(e["event"] == "done" for e in res.events)


def test_compare_tolerance_needs_both_bounds():
    from housing_trainer.config import Tolerance
    from housing_trainer.onnx_export import compare

    native = np.array([100.0, 1_000_000.0, 10.0])
    tol = Tolerance(relative=1e-4, absolute=1.0)
    # row 0: abs 5 > 1 and rel 0.05 > 1e-4 -> fails
    assert compare(native, native + np.array([5.0, 0, 0]), tol)["rows_failed"] == 1
    # row 1: abs 50 > 1 but rel 5e-5 <= 1e-4 -> ok; row 2: rel 0.05 but abs 0.5 <= 1 -> ok
    r = compare(native, native + np.array([0.0, 50.0, 0.5]), tol)
    assert r["passed"] is True and r["rows_failed"] == 0
    assert r["max_abs_diff"] == pytest.approx(50.0)
    assert r["max_rel_diff"] == pytest.approx(0.05)
    assert compare(native, np.array([100.0, np.nan, 10.0]), tol)["passed"] is False
