"""Target transforms: the model is fit on forward(y) and predictions are inverted."""

from __future__ import annotations

import numpy as np


def forward(y: np.ndarray, transform: str) -> np.ndarray:
    y = np.asarray(y, dtype=np.float64)
    if transform == "log":
        return np.log1p(y)
    if transform == "none":
        return y.copy()
    raise ValueError(f"unknown target_transform {transform!r}")


def inverse(z: np.ndarray, transform: str) -> np.ndarray:
    """Map model output (transformed space) back to price space, as float64."""
    z = np.asarray(z, dtype=np.float64).ravel()
    if transform == "log":
        return np.expm1(z)
    if transform == "none":
        return z.copy()
    raise ValueError(f"unknown target_transform {transform!r}")
