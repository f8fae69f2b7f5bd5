"""XGBoost fitting helpers (native ``xgboost.train`` API)."""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import xgboost as xgb

log = logging.getLogger(__name__)

# Always part of the parameters; fixed_params may override them.
BASE_PARAMS: dict[str, Any] = {
    "objective": "reg:squarederror",
    "tree_method": "hist",
    "eval_metric": "rmse",
    "verbosity": 1,  # warnings only; they go to stderr (see cli)
}

# Used when trials == 0 and fixed_params is null.
DEFAULT_TUNABLE: dict[str, Any] = {
    "learning_rate": 0.1,
    "max_depth": 6,
    "min_child_weight": 1.0,
    "subsample": 1.0,
    "colsample_bytree": 1.0,
    "reg_lambda": 1.0,
    "reg_alpha": 0.0,
    "gamma": 0.0,
}

# scikit-learn style names accepted in fixed_params, mapped to native names.
_ALIASES = {"random_state": "seed", "n_jobs": "nthread"}
# Keys that set the boosting-round cap rather than a booster parameter.
_ROUND_KEYS = ("n_estimators", "num_boost_round")
# Keys that make no sense in fixed_params and are ignored with a warning.
_IGNORED_KEYS = ("early_stopping_rounds", "callbacks", "missing", "device")


def resolve_threads(threads: int) -> int:
    """0 means all cores available to this process."""
    if threads > 0:
        return threads
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def build_params(tunable: dict[str, Any], seed: int, nthread: int) -> dict[str, Any]:
    """Full parameter dict: base + tunable + determinism/threading settings."""
    return {**BASE_PARAMS, **tunable, "seed": seed, "nthread": nthread}


def params_from_fixed(fixed: dict[str, Any], seed: int, nthread: int, max_rounds: int) -> tuple[dict[str, Any], int]:
    """Normalise config.fixed_params into (native params, max boosting rounds).

    ``seed``/``nthread`` (or their scikit-learn aliases) in fixed_params win over
    the config's values; ``n_estimators``/``num_boost_round`` lower the round cap
    (config.max_rounds stays the upper bound).
    """
    params: dict[str, Any] = {**BASE_PARAMS, "seed": seed, "nthread": nthread}
    rounds = max_rounds
    for key, value in fixed.items():
        if key in _ROUND_KEYS:  # validated as a positive integer by config.py
            rounds = min(int(value), max_rounds)
            continue
        if key in _IGNORED_KEYS:
            log.warning("fixed_params.%s is ignored (set by the trainer)", key)
            continue
        params[_ALIASES.get(key, key)] = value
    return params, rounds


class Matrices:
    """Caches the training DMatrix per max_bin (QuantileDMatrix is built once)."""

    def __init__(self, X_train: np.ndarray, z_train: np.ndarray, X_eval: np.ndarray, z_eval: np.ndarray, nthread: int) -> None:
        self._X_train, self._z_train = X_train, z_train
        self._nthread = nthread
        self._train: dict[int, xgb.QuantileDMatrix] = {}
        self.eval = xgb.DMatrix(X_eval, label=z_eval, missing=np.nan, nthread=nthread)

    def train(self, max_bin: int) -> xgb.QuantileDMatrix:
        if max_bin not in self._train:
            self._train[max_bin] = xgb.QuantileDMatrix(
                self._X_train, label=self._z_train, missing=np.nan, max_bin=max_bin, nthread=self._nthread
            )
        return self._train[max_bin]


def max_bin(params: dict[str, Any]) -> int:
    return int(params.get("max_bin", 256))


@dataclass
class FitResult:
    booster: xgb.Booster
    best_iteration: int
    rounds_trained: int
    seconds: float

    @property
    def n_estimators(self) -> int:
        return self.best_iteration + 1


def fit_with_early_stopping(
    params: dict[str, Any], mats: Matrices, max_rounds: int, early_stopping_rounds: int
) -> FitResult:
    """Fit on train, early-stop on eval (metric: RMSE in transformed space)."""
    t0 = time.perf_counter()
    booster = xgb.train(
        params,
        mats.train(max_bin(params)),
        num_boost_round=max_rounds,
        evals=[(mats.eval, "eval")],
        early_stopping_rounds=early_stopping_rounds,
        verbose_eval=False,
    )
    best = int(booster.best_iteration)
    return FitResult(booster, best, int(booster.num_boosted_rounds()), time.perf_counter() - t0)


def fit_fixed_rounds(params: dict[str, Any], X: np.ndarray, z: np.ndarray, rounds: int) -> FitResult:
    """Fit exactly ``rounds`` trees, no early stopping (the final refit)."""
    t0 = time.perf_counter()
    dtrain = xgb.QuantileDMatrix(X, label=z, missing=np.nan, max_bin=max_bin(params), nthread=int(params.get("nthread", 0)))
    booster = xgb.train(params, dtrain, num_boost_round=rounds, verbose_eval=False)
    return FitResult(booster, rounds - 1, int(booster.num_boosted_rounds()), time.perf_counter() - t0)


def predict(booster: xgb.Booster, X: np.ndarray, n_trees: int | None = None) -> np.ndarray:
    """Raw model output (transformed space), float64, using the first n_trees rounds."""
    if X.shape[0] == 0:
        return np.zeros(0, dtype=np.float64)
    n = booster.num_boosted_rounds() if n_trees is None else n_trees
    out = booster.inplace_predict(X, iteration_range=(0, n), missing=np.nan)
    return np.asarray(out, dtype=np.float64).ravel()


def importances(booster: xgb.Booster, feature_names: list[str]) -> list[dict[str, Any]]:
    """Per-feature total gain (normalised to sum 1) and split count, sorted by gain desc.

    XGBoost's JSON keys features as f0..fN (no names are set on the DMatrix),
    unused features get 0.
    """
    gain = booster.get_score(importance_type="total_gain")
    weight = booster.get_score(importance_type="weight")
    raw = [float(gain.get(f"f{i}", 0.0)) for i in range(len(feature_names))]
    total = sum(raw)
    rows = [
        {
            "feature": name,
            "gain": (raw[i] / total) if total > 0 else 0.0,
            "weight": int(weight.get(f"f{i}", 0)),
        }
        for i, name in enumerate(feature_names)
    ]
    order = sorted(range(len(rows)), key=lambda i: (-rows[i]["gain"], i))
    return [rows[i] for i in order]
