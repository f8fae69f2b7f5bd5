"""Rebuild the trainer's native models from its outputs (for cross-checks)."""

from __future__ import annotations

import numpy as np
import xgboost as xgb


def _z(y: np.ndarray, transform: str) -> np.ndarray:
    return np.log1p(y) if transform == "log" else y


def _price(z: np.ndarray, transform: str) -> np.ndarray:
    z = np.asarray(z, dtype=np.float64)
    return np.expm1(z) if transform == "log" else z


def rebuild(res) -> tuple[xgb.Booster, xgb.Booster, str]:
    """(eval model, final model, transform) retrained from params.json.

    Eval model: train split, n_estimators rounds (identical to the early-stopped
    model truncated at best_iteration). Final model: train ∪ eval, n_estimators.
    """
    p = res.json("params.json")
    params, n, tf = p["best_params"], p["n_estimators"], p["target_transform"]
    Xt, yt = res.input("X_train.npy"), res.input("y_train.npy")
    Xe, ye = res.input("X_eval.npy"), res.input("y_eval.npy")
    max_bin = int(params.get("max_bin", 256))
    eval_model = xgb.train(params, xgb.QuantileDMatrix(Xt, label=_z(yt, tf), max_bin=max_bin), n)
    X = np.concatenate([Xt, Xe])
    y = np.concatenate([yt, ye])
    final = xgb.train(params, xgb.QuantileDMatrix(X, label=_z(y, tf), max_bin=max_bin), n)
    return eval_model, final, tf


def price_predict(booster: xgb.Booster, X: np.ndarray, transform: str) -> np.ndarray:
    return _price(booster.inplace_predict(X), transform)


def raw_predict(booster: xgb.Booster, X: np.ndarray) -> np.ndarray:
    """Model output in the transformed space."""
    return np.asarray(booster.inplace_predict(X), dtype=np.float64).ravel()
