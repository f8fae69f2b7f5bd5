"""Prediction intervals by split conformal prediction, binned by predicted level (Mondrian conformal).

Calibration residuals come from the eval fit: the chosen parameters fitted on the train rows only and
scored on the eval rows, which that model never saw. With a time split the eval window lies after the
train window as the future lies after the served model's data, so the residuals carry the same
look-ahead error the served model will make. Residuals are taken in the model's target space (log1p of
the price for a log target), so a log model's range is relative to the price. To follow the price level
further, the calibration rows are cut into bins by their predicted value and each bin gets its own
conformal quantile: a $2M house is calibrated on the residuals of expensive houses.

Within a bin of n residuals the half-width is the ceil((n + 1) * level)-th smallest absolute residual,
which gives coverage >= level for an exchangeable new row (and at most level + 1 / (n + 1)).
The holdout is never used here; its coverage and widths are only reported.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import transform

DEFAULT_LEVEL = 0.9
# Each bin holds at least this many calibration rows (a quantile at 90 % from fewer is too noisy).
MIN_ROWS_PER_BIN = 250
MAX_BINS = 10


def bin_count(rows: int, min_rows_per_bin: int = MIN_ROWS_PER_BIN, max_bins: int = MAX_BINS) -> int:
    return max(1, min(max_bins, rows // min_rows_per_bin))


def conformal_quantile(abs_residuals: np.ndarray, level: float) -> float:
    """The ceil((n + 1) * level)-th smallest value; the largest when that rank exceeds n."""
    a = np.sort(np.asarray(abs_residuals, dtype=np.float64))
    n = a.size
    if n == 0:
        raise ValueError("no calibration residuals")
    rank = min(n, math.ceil((n + 1) * level))
    return float(a[rank - 1])


def calibrate(z_pred: np.ndarray, z_actual: np.ndarray, level: float, bins: int | None = None) -> dict[str, Any]:
    """Bins (by predicted value, transformed space) and their half-widths from calibration rows."""
    if not 0 < level < 1:
        raise ValueError(f"interval level must be between 0 and 1, got {level}")
    z_pred = np.asarray(z_pred, dtype=np.float64).ravel()
    residual = np.abs(np.asarray(z_actual, dtype=np.float64).ravel() - z_pred)
    keep = np.isfinite(z_pred) & np.isfinite(residual)
    z_pred, residual = z_pred[keep], residual[keep]
    k = bin_count(z_pred.size) if bins is None else max(1, min(bins, z_pred.size))
    order = np.argsort(z_pred, kind="stable")
    groups = np.array_split(order, k)
    out = []
    for i, idx in enumerate(groups):
        # A bin reaches up to the midpoint between its largest prediction and the next bin's smallest.
        upper = None if i == k - 1 else float((z_pred[idx[-1]] + z_pred[groups[i + 1][0]]) / 2)
        out.append({"upper": upper, "halfWidth": conformal_quantile(residual[idx], level), "rows": int(idx.size)})
    return {"level": level, "bins": out, "calibrationRows": int(z_pred.size)}


def half_widths(calibration: dict[str, Any], z_pred: np.ndarray) -> np.ndarray:
    """Each prediction's half-width: the first bin whose upper edge is at or above it (the last bin has none)."""
    bins = calibration["bins"]
    uppers = np.array([b["upper"] for b in bins[:-1]], dtype=np.float64)
    widths = np.array([b["halfWidth"] for b in bins], dtype=np.float64)
    return widths[np.searchsorted(uppers, np.asarray(z_pred, dtype=np.float64), side="left")]


def price_intervals(calibration: dict[str, Any], z_pred: np.ndarray, target_transform: str) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) in price space; a price range never goes below zero."""
    z_pred = np.asarray(z_pred, dtype=np.float64).ravel()
    h = half_widths(calibration, z_pred)
    low = np.maximum(transform.inverse(z_pred - h, target_transform), 0.0)
    high = transform.inverse(z_pred + h, target_transform)
    return low, high


def coverage_report(calibration: dict[str, Any], z_pred: np.ndarray, actual: np.ndarray, target_transform: str) -> dict[str, Any]:
    """Share of rows whose actual price falls in its interval, and the intervals' widths."""
    actual = np.asarray(actual, dtype=np.float64).ravel()
    if actual.size == 0:
        return {"rows": 0, "coverage": None, "meanWidth": None, "medianWidth": None, "meanRelativeWidth": None}
    low, high = price_intervals(calibration, z_pred, target_transform)
    price = transform.inverse(z_pred, target_transform)
    width = high - low
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(price > 0, width / price, np.nan)
    return {
        "rows": int(actual.size),
        "coverage": float(np.mean((actual >= low) & (actual <= high))),
        "meanWidth": float(np.mean(width)),
        "medianWidth": float(np.median(width)),
        "meanRelativeWidth": float(np.nanmean(relative)) if np.isfinite(relative).any() else None,
    }
