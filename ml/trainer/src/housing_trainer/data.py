"""Loading and validating the ``.npy`` arrays of the --data directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .config import TrainConfig
from .errors import InputError

SPLITS_WITH_TARGET = ("train", "eval", "holdout")
X_FILES = {s: f"X_{s}.npy" for s in (*SPLITS_WITH_TARGET, "parity")}
Y_FILES = {s: f"y_{s}.npy" for s in SPLITS_WITH_TARGET}


@dataclass(frozen=True)
class Dataset:
    X_train: np.ndarray
    y_train: np.ndarray
    X_eval: np.ndarray
    y_eval: np.ndarray
    X_holdout: np.ndarray
    y_holdout: np.ndarray
    X_parity: np.ndarray
    # Time keys of train and eval rows (any increasing unit, e.g. days), for time-ordered CV folds.
    t_train: np.ndarray | None = None
    t_eval: np.ndarray | None = None


def _load(data_dir: Path, name: str) -> np.ndarray:
    path = data_dir / name
    if not path.is_file():
        raise InputError(name, f"missing (expected at {path})")
    try:
        arr = np.load(path, allow_pickle=False)
    except ValueError as e:
        # object arrays (need pickle) and malformed headers end up here
        raise InputError(name, f"not a plain numeric .npy array ({e})") from e
    except (OSError, EOFError) as e:
        raise InputError(name, f"cannot be read as .npy ({e})") from e
    if not isinstance(arr, np.ndarray):
        raise InputError(name, "is an .npz archive, expected a single .npy array")
    return arr


def _load_x(data_dir: Path, split: str, n_features: int, allow_empty: bool) -> np.ndarray:
    name = X_FILES[split]
    arr = _load(data_dir, name)
    if arr.dtype != np.float32:
        raise InputError(name, f"dtype {arr.dtype}, expected float32")
    if arr.ndim != 2:
        raise InputError(name, f"{arr.ndim}-D array of shape {arr.shape}, expected 2-D [rows, features]")
    if arr.shape[1] != n_features:
        raise InputError(name, f"{arr.shape[1]} columns, config.feature_names has {n_features}")
    if arr.shape[0] == 0 and not allow_empty:
        raise InputError(name, "has 0 rows")
    arr = np.ascontiguousarray(arr)  # accept Fortran-order files, hand C order on
    n_inf = int(np.isinf(arr).sum())
    if n_inf:
        raise InputError(name, f"{n_inf} infinite values (only NaN is allowed, meaning missing)")
    return arr


def _load_y(data_dir: Path, split: str, n_rows: int, transform: str) -> np.ndarray:
    name = Y_FILES[split]
    arr = _load(data_dir, name)
    if arr.dtype != np.float64:
        raise InputError(name, f"dtype {arr.dtype}, expected float64")
    if arr.ndim != 1:
        raise InputError(name, f"{arr.ndim}-D array of shape {arr.shape}, expected 1-D")
    if arr.shape[0] != n_rows:
        raise InputError(name, f"{arr.shape[0]} rows, {X_FILES[split]} has {n_rows}")
    if arr.shape[0] == 0:
        raise InputError(name, "has 0 rows")
    arr = np.ascontiguousarray(arr)
    bad = ~np.isfinite(arr)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise InputError(name, f"{int(bad.sum())} non-finite values (first at row {first}: {arr[first]})")
    if transform == "log":
        neg = arr < 0
        if neg.any():
            first = int(np.flatnonzero(neg)[0])
            raise InputError(
                name,
                f"{int(neg.sum())} negative values (first at row {first}: {arr[first]}); "
                "target_transform=log needs prices >= 0",
            )
    return arr


def load_dataset(data_dir: Path, config: TrainConfig) -> Dataset:
    """Load every input array, raising InputError (exit 2) on the first problem."""
    data_dir = Path(data_dir)
    arrays: dict[str, np.ndarray] = {}
    for split in SPLITS_WITH_TARGET:
        X = _load_x(data_dir, split, config.n_features, allow_empty=False)
        arrays[f"X_{split}"] = X
        arrays[f"y_{split}"] = _load_y(data_dir, split, X.shape[0], config.target_transform)
    # Parity rows are only predicted (no target); an empty parity set is allowed.
    arrays["X_parity"] = _load_x(data_dir, "parity", config.n_features, allow_empty=True)
    if config.cv is not None and config.cv.kind == "time":
        for split in ("train", "eval"):
            arrays[f"t_{split}"] = _load_t(data_dir, split, arrays[f"X_{split}"].shape[0])
    return Dataset(**arrays)


def _load_t(data_dir: Path, split: str, n_rows: int) -> np.ndarray:
    """Time key of each row (float64, finite, 1-D), required for time-ordered folds."""
    name = f"t_{split}.npy"
    arr = _load(data_dir, name)
    if arr.dtype != np.float64:
        raise InputError(name, f"dtype {arr.dtype}, expected float64")
    if arr.ndim != 1 or arr.shape[0] != n_rows:
        raise InputError(name, f"shape {arr.shape}, expected [{n_rows}] (one time per row of X_{split}.npy)")
    if not np.isfinite(arr).all():
        raise InputError(name, f"{int((~np.isfinite(arr)).sum())} non-finite values")
    return np.ascontiguousarray(arr)
