"""What the package needs for exact TreeSHAP in TypeScript, and XGBoost's own answer to check it against.

ONNX's TreeEnsembleRegressor carries no per-node training weight, so the package gets the covers sidecar
(trees.json): per tree XGBoost's node arrays and each node's sum of hessians, the cover that XGBoost's
``pred_contribs`` uses. The parity fixture's contributions from ``pred_contribs`` go into the package too,
so the TypeScript explainer is checked against XGBoost at training and again at registration.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import xgboost as xgb

COVERS_FORMAT_VERSION = 1


def tree_covers(booster: xgb.Booster) -> dict[str, Any]:
    """The covers sidecar (trees.json), read from the booster's JSON model."""
    trees = json.loads(booster.save_raw("json"))["learner"]["gradient_booster"]["model"]["trees"]
    return {
        "formatVersion": COVERS_FORMAT_VERSION,
        "source": "xgboost",
        "trees": [
            {
                "left": [int(v) for v in t["left_children"]],
                "right": [int(v) for v in t["right_children"]],
                "feature": [int(v) for v in t["split_indices"]],
                "defaultLeft": [int(v) for v in t["default_left"]],
                "cover": [float(v) for v in t["sum_hessian"]],
            }
            for t in trees
        ],
    }


def contributions(booster: xgb.Booster, X: np.ndarray) -> list[list[float]]:
    """Path-dependent TreeSHAP by XGBoost: per row one value per feature, then the bias (model space)."""
    if X.shape[0] == 0:
        return []
    matrix = xgb.DMatrix(np.asarray(X, dtype=np.float32), missing=np.nan)
    phi = booster.predict(matrix, pred_contribs=True)
    return np.asarray(phi, dtype=np.float64).tolist()
