"""The trainer, run as usual, plus XGBoost's own explanations of the model it trained (for the TreeSHAP tests).

Invoked in place of `python -m housing_trainer` (ML_TRAINER_PYTHON points at a wrapper that runs this file
with the same arguments). It captures the final booster as the pipeline hands it to the ONNX export, lets the
trainer finish, then writes into $EXPLAIN_REFERENCE_OUT:

- trees.json: the covers sidecar, built by the trainer's own tree_covers (the package carries the same file);
- model.ubj: the native booster;
- reference.json: input rows (the parity fixture, holdout rows, and the holdout rows again with about a third
  of their inputs blanked to NaN), with XGBoost's `pred_contribs=True` and `output_margin=True` for each.
"""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path

import numpy as np
import xgboost as xgb

from housing_trainer import cli, onnx_export
from housing_trainer.explain import tree_covers

_captured: list[xgb.Booster] = []
_convert = onnx_export.convert


def _capturing_convert(booster, *args, **kwargs):
    _captured.append(booster)
    return _convert(booster, *args, **kwargs)


onnx_export.convert = _capturing_convert


def _nan_to_none(values: np.ndarray) -> list:
    return [None if math.isnan(v) else float(v) for v in values.ravel().tolist()]


def main() -> int:
    argv = sys.argv[1:]
    if argv[:2] == ["-m", "housing_trainer"]:
        argv = argv[2:]
    code = cli.main(argv)
    if code != 0:
        return code
    booster = _captured[-1]
    data = Path(argv[argv.index("--data") + 1])
    out = Path(os.environ["EXPLAIN_REFERENCE_OUT"])
    out.mkdir(parents=True, exist_ok=True)
    (out / "trees.json").write_text(json.dumps(tree_covers(booster)), encoding="utf-8")
    booster.save_model(out / "model.ubj")  # for bench/explain: XGBoost's own pred_contribs timed on the same rows

    parity = np.load(data / "X_parity.npy")
    holdout = np.load(data / "X_holdout.npy")[:150]
    rng = np.random.default_rng(5)
    blanked = holdout.copy()
    blanked[rng.random(blanked.shape) < 0.35] = np.nan
    X = np.concatenate([parity, holdout, blanked]).astype(np.float32)
    matrix = xgb.DMatrix(X, missing=np.nan)
    contribs = booster.predict(matrix, pred_contribs=True)
    margin = booster.predict(matrix, output_margin=True)
    reference = {
        "rows": int(X.shape[0]),
        "width": int(X.shape[1]),
        "parityRows": int(parity.shape[0]),
        "blankedFrom": int(parity.shape[0] + holdout.shape[0]),
        "x": _nan_to_none(X),
        "contribs": contribs.astype(np.float64).ravel().tolist(),
        "margin": margin.astype(np.float64).ravel().tolist(),
        "xgboost": xgb.__version__,
    }
    (out / "reference.json").write_text(json.dumps(reference), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
