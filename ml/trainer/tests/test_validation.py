"""Every input problem exits 2 with a one-line stderr message naming the file."""

import json

import numpy as np
import pytest
from conftest import run_train
from synth import base_config, write_input_dir


def _cols(d, name, n):
    np.save(d / name, np.load(d / name)[:, :n])


def _resave(d, name, fn):
    np.save(d / name, fn(np.load(d / name)))


def _config(d, **changes):
    cfg = json.loads((d / "config.json").read_text())
    cfg.update(changes)
    (d / "config.json").write_text(json.dumps(cfg))


CASES = {
    "missing X_eval": (lambda d: (d / "X_eval.npy").unlink(), "X_eval.npy", "missing"),
    "missing y_holdout": (lambda d: (d / "y_holdout.npy").unlink(), "y_holdout.npy", "missing"),
    "missing X_parity": (lambda d: (d / "X_parity.npy").unlink(), "X_parity.npy", "missing"),
    "missing config": (lambda d: (d / "config.json").unlink(), "config.json", "missing"),
    "X dtype float64": (lambda d: _resave(d, "X_train.npy", lambda a: a.astype(np.float64)), "X_train.npy", "dtype float64, expected float32"),
    "y dtype float32": (lambda d: _resave(d, "y_eval.npy", lambda a: a.astype(np.float32)), "y_eval.npy", "dtype float32, expected float64"),
    "X 1-D": (lambda d: _resave(d, "X_holdout.npy", lambda a: a.ravel()), "X_holdout.npy", "1-D"),
    "y 2-D": (lambda d: _resave(d, "y_train.npy", lambda a: a.reshape(-1, 1)), "y_train.npy", "2-D"),
    "column count": (lambda d: _cols(d, "X_eval.npy", 5), "X_eval.npy", "X_eval.npy: 5 columns, config.feature_names has 6"),
    "parity column count": (lambda d: _cols(d, "X_parity.npy", 4), "X_parity.npy", "4 columns, config.feature_names has 6"),
    "row count differs": (lambda d: _resave(d, "y_train.npy", lambda a: a[:-3]), "y_train.npy", "1997 rows, X_train.npy has 2000"),
    "empty train": (
        lambda d: (_resave(d, "X_train.npy", lambda a: a[:0]), _resave(d, "y_train.npy", lambda a: a[:0])),
        "X_train.npy",
        "0 rows",
    ),
    "empty eval": (
        lambda d: (_resave(d, "X_eval.npy", lambda a: a[:0]), _resave(d, "y_eval.npy", lambda a: a[:0])),
        "X_eval.npy",
        "0 rows",
    ),
    "empty holdout": (
        lambda d: (_resave(d, "X_holdout.npy", lambda a: a[:0]), _resave(d, "y_holdout.npy", lambda a: a[:0])),
        "X_holdout.npy",
        "0 rows",
    ),
    "nan target": (lambda d: _resave(d, "y_eval.npy", lambda a: np.where(np.arange(a.size) == 7, np.nan, a)), "y_eval.npy", "1 non-finite values (first at row 7"),
    "inf target": (lambda d: _resave(d, "y_holdout.npy", lambda a: np.where(np.arange(a.size) < 2, np.inf, a)), "y_holdout.npy", "2 non-finite values"),
    "negative target with log": (lambda d: _resave(d, "y_train.npy", lambda a: -a), "y_train.npy", "negative values"),
    "inf feature": (lambda d: _resave(d, "X_train.npy", lambda a: np.where(np.arange(a.size).reshape(a.shape) == 4, np.float32(np.inf), a)), "X_train.npy", "1 infinite values"),
    "pickled object array": (lambda d: np.save(d / "X_eval.npy", np.array([{"a": 1}], dtype=object)), "X_eval.npy", "not a plain numeric"),
    "not an npy file": (lambda d: (d / "y_train.npy").write_bytes(b"hello"), "y_train.npy", "y_train.npy:"),
    "config invalid json": (lambda d: (d / "config.json").write_text("{nope"), "config.json", "invalid JSON"),
    "config feature_names missing": (lambda d: (d / "config.json").write_text("{}"), "config.json", "feature_names is missing"),
    "config bad transform": (lambda d: _config(d, target_transform="sqrt"), "config.json", "target_transform"),
    "config bad trials": (lambda d: _config(d, trials=-1), "config.json", "trials must be >= 0"),
    "config bad tolerance": (lambda d: _config(d, onnx_tolerance={"relative": "x", "absolute": 1}), "config.json", "onnx_tolerance.relative"),
    "config bad fixed_params": (lambda d: _config(d, fixed_params=[1, 2]), "config.json", "fixed_params"),
    "config bad n_estimators": (lambda d: _config(d, fixed_params={"n_estimators": 0}), "config.json", "fixed_params.n_estimators must be a positive integer"),
    "config duplicate features": (lambda d: _config(d, feature_names=["a", "a", "b", "c", "d", "e"]), "config.json", "duplicates: a"),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_input_validation(tmp_path, capsys, case):
    mutate, file, message = CASES[case]
    data = write_input_dir(tmp_path / "data", base_config(), rows={"train": 2000, "eval": 300, "holdout": 300})
    mutate(data)
    out = tmp_path / "out"

    res = run_train(data, out)

    assert res.code == 2
    err_lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err_lines) == 1, err_lines
    assert file in err_lines[0]
    assert message in err_lines[0]
    assert err_lines[0].startswith(f"error: {file}")
    assert res.events == [{"event": "error", "code": 2, "message": err_lines[0].removeprefix("error: ")}]
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]  # no staged temp dir either


def test_missing_data_dir(tmp_path, capsys):
    res = run_train(tmp_path / "nope", tmp_path / "out")
    assert res.code == 2
    assert "--data" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_fixed_params_rejected_by_xgboost(tmp_path, capsys):
    data = write_input_dir(tmp_path / "data", base_config(fixed_params={"max_depth": "deep"}))
    res = run_train(data, tmp_path / "out")
    assert res.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("error: config.json: fixed_params rejected by XGBoost")
    assert "max_depth" in err[-1]
    assert not (tmp_path / "out").exists()
