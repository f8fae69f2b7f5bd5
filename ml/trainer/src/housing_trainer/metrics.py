"""Regression metrics in price space.

All functions take the actual and predicted prices (1-D, same length, finite).
"""

from __future__ import annotations

import math

import numpy as np


def _pair(actual: np.ndarray, predicted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(actual, dtype=np.float64).ravel()
    p = np.asarray(predicted, dtype=np.float64).ravel()
    if a.shape != p.shape:
        raise ValueError(f"length mismatch: {a.shape[0]} actual vs {p.shape[0]} predicted")
    if a.size == 0:
        raise ValueError("metrics need at least one row")
    return a, p


def mae(actual: np.ndarray, predicted: np.ndarray) -> float:
    a, p = _pair(actual, predicted)
    return float(np.mean(np.abs(a - p)))


def rmse(actual: np.ndarray, predicted: np.ndarray) -> float:
    a, p = _pair(actual, predicted)
    return float(math.sqrt(np.mean((a - p) ** 2)))


def r2(actual: np.ndarray, predicted: np.ndarray) -> float:
    """Coefficient of determination, 1 - SS_res / SS_tot.

    When the actuals are constant (SS_tot == 0) R² is undefined; like
    scikit-learn we return 1.0 for a perfect prediction and 0.0 otherwise.
    """
    a, p = _pair(actual, predicted)
    ss_res = float(np.sum((a - p) ** 2))
    ss_tot = float(np.sum((a - a.mean()) ** 2))
    if ss_tot == 0.0:
        return 1.0 if ss_res == 0.0 else 0.0
    return 1.0 - ss_res / ss_tot


def mape(actual: np.ndarray, predicted: np.ndarray) -> float | None:
    """Mean absolute percentage error in percent, ignoring rows whose actual is 0.

    Returns None (JSON null) when every actual is 0.
    """
    a, p = _pair(actual, predicted)
    keep = a != 0
    if not keep.any():
        return None
    return float(100.0 * np.mean(np.abs((a[keep] - p[keep]) / a[keep])))


def rmsle(actual: np.ndarray, predicted: np.ndarray) -> float:
    """Root mean squared log error, sqrt(mean((log1p(p) - log1p(a))^2)).

    Predictions below 0 are taken as 0 (a price model may undershoot with the
    ``none`` transform); actuals must be >= 0.
    """
    a, p = _pair(actual, predicted)
    if (a < 0).any():
        raise ValueError("rmsle needs actual values >= 0")
    d = np.log1p(np.maximum(p, 0.0)) - np.log1p(a)
    return float(math.sqrt(np.mean(d**2)))


# The training metrics a user may choose; all are "lower is better".
SELECTION_METRICS = ("rmse", "mae", "mape", "rmsle")


def default_metric(target_transform: str) -> str:
    """RMSE in the target's transformed space: RMSLE for a log target, RMSE for prices."""
    return "rmsle" if target_transform == "log" else "rmse"


def score(metric: str, actual: np.ndarray, predicted: np.ndarray) -> float:
    """The selection metric in price space (MAPE in percent; all-zero actuals give inf)."""
    if metric == "rmse":
        return rmse(actual, predicted)
    if metric == "mae":
        return mae(actual, predicted)
    if metric == "mape":
        v = mape(actual, predicted)
        return math.inf if v is None else v
    if metric == "rmsle":
        return rmsle(actual, predicted)
    raise ValueError(f"unknown metric {metric!r}")


def regression_metrics(actual: np.ndarray, predicted: np.ndarray) -> dict[str, float | int | None]:
    """``{"mae", "rmse", "r2", "mape", "rmsle", "rows"}`` for one split (rmsle null for negative actuals)."""
    a, p = _pair(actual, predicted)
    return {
        "mae": mae(a, p),
        "rmse": rmse(a, p),
        "r2": r2(a, p),
        "mape": mape(a, p),
        "rmsle": rmsle(a, p) if (a >= 0).all() else None,
        "rows": int(a.size),
    }
