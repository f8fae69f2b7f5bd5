"""Synthetic housing-like data and input-directory writer shared by the tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

FEATURES = ["year", "quarter", "month", "median_list_price", "zipcode", "city_full"]


def make_split(rng: np.random.Generator, n: int, nan_rate: float = 0.05) -> tuple[np.ndarray, np.ndarray]:
    year = rng.integers(2012, 2024, n)
    quarter = rng.integers(1, 5, n)
    month = (quarter - 1) * 3 + rng.integers(1, 4, n)
    list_price = rng.lognormal(12.6, 0.45, n)
    zipcode = rng.integers(90001, 90061, n)
    city = rng.integers(0, 25, n)
    city_effect = 1.0 + 0.015 * (city % 7)
    price = (
        list_price
        * (1.0 + 0.035 * (year - 2012))
        * (1.0 + 0.01 * (quarter - 2.5))
        * city_effect
        * rng.lognormal(0.0, 0.06, n)
    )
    X = np.stack([year, quarter, month, list_price, zipcode, city], axis=1).astype(np.float32)
    mask = rng.random(X.shape) < nan_rate
    X[mask] = np.nan
    return np.ascontiguousarray(X), price.astype(np.float64)


def base_config(**overrides: Any) -> dict[str, Any]:
    cfg: dict[str, Any] = {
        "feature_names": list(FEATURES),
        "target_transform": "log",
        "seed": 42,
        "trials": 3,
        "fixed_params": None,
        "max_rounds": 150,
        "early_stopping_rounds": 15,
        "timeout_seconds": None,
        "threads": 1,
        "onnx_tolerance": {"relative": 1e-4, "absolute": 1.0},
    }
    cfg.update(overrides)
    return cfg


def write_input_dir(
    path: Path,
    config: dict[str, Any] | None = None,
    rows: dict[str, int] | None = None,
    seed: int = 0,
) -> Path:
    rows = {"train": 2000, "eval": 500, "holdout": 500, "parity": 64, **(rows or {})}
    rng = np.random.default_rng(seed)
    path.mkdir(parents=True, exist_ok=True)
    for split in ("train", "eval", "holdout"):
        X, y = make_split(rng, rows[split])
        np.save(path / f"X_{split}.npy", X)
        np.save(path / f"y_{split}.npy", y)
    Xp, _ = make_split(rng, rows["parity"], nan_rate=0.2)
    if rows["parity"] >= 4:
        Xp[0, :] = np.nan  # an all-missing row
        Xp[1, 3] = np.nan
    np.save(path / "X_parity.npy", Xp)
    (path / "config.json").write_text(json.dumps(config if config is not None else base_config()))
    return path
