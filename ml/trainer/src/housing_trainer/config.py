"""Reading and validating ``config.json`` from the --data directory."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError
from .metrics import SELECTION_METRICS as METRICS
from .metrics import default_metric

CONFIG_FILE = "config.json"
TARGET_TRANSFORMS = ("log", "none")

DEFAULTS: dict[str, Any] = {
    "target_transform": "log",
    "seed": 42,
    "trials": 20,
    "fixed_params": None,
    "max_rounds": 2000,
    "early_stopping_rounds": 50,
    "timeout_seconds": None,
    "threads": 0,
    "onnx_tolerance": {"relative": 1e-4, "absolute": 1.0},
    "metric": None,
    "cv": None,
    "seeds": 1,
    "interval_level": 0.9,
}
CV_KINDS = ("time", "kfold")
KNOWN_KEYS = {"feature_names", *DEFAULTS}


@dataclass(frozen=True)
class Tolerance:
    relative: float = 1e-4
    absolute: float = 1.0

    def as_dict(self) -> dict[str, float]:
        return {"relative": self.relative, "absolute": self.absolute}


@dataclass(frozen=True)
class CvConfig:
    kind: str  # "time" (expanding windows over t_train/t_eval) or "kfold" (seeded)
    folds: int

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "folds": self.folds}


@dataclass(frozen=True)
class TrainConfig:
    feature_names: list[str]
    target_transform: str = "log"
    seed: int = 42
    trials: int = 20
    fixed_params: dict[str, Any] | None = None
    max_rounds: int = 2000
    early_stopping_rounds: int = 50
    timeout_seconds: float | None = None
    threads: int = 0
    onnx_tolerance: Tolerance = field(default_factory=Tolerance)
    # None: RMSE in the transformed space (rmsle for log, rmse for none).
    metric: str | None = None
    cv: CvConfig | None = None
    seeds: int = 1
    # Nominal coverage of the conformal prediction intervals (conformal.py).
    interval_level: float = 0.9
    unknown_keys: tuple[str, ...] = ()

    @property
    def n_features(self) -> int:
        return len(self.feature_names)

    @property
    def selection_metric(self) -> str:
        return self.metric if self.metric is not None else default_metric(self.target_transform)


def _fail(problem: str) -> InputError:
    return InputError(CONFIG_FILE, problem)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v: Any) -> bool:
    return (isinstance(v, (int, float)) and not isinstance(v, bool)) and math.isfinite(v)


def _int(raw: dict[str, Any], key: str, minimum: int) -> int:
    v = raw.get(key, DEFAULTS[key])
    if not _is_int(v):
        raise _fail(f"{key} must be an integer, got {json.dumps(v)}")
    if v < minimum:
        raise _fail(f"{key} must be >= {minimum}, got {v}")
    return int(v)


def parse_config(raw: Any) -> TrainConfig:
    """Validate a decoded config object; raises InputError naming config.json."""
    if not isinstance(raw, dict):
        raise _fail("top level must be a JSON object")

    names = raw.get("feature_names")
    if names is None:
        raise _fail("feature_names is missing")
    if not isinstance(names, list) or not names:
        raise _fail("feature_names must be a non-empty list of strings")
    if not all(isinstance(n, str) and n for n in names):
        raise _fail("feature_names must contain only non-empty strings")
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise _fail(f"feature_names has duplicates: {', '.join(dupes)}")

    transform = raw.get("target_transform", DEFAULTS["target_transform"])
    if transform not in TARGET_TRANSFORMS:
        raise _fail(
            f"target_transform must be one of {', '.join(TARGET_TRANSFORMS)}, got {json.dumps(transform)}"
        )

    seed = _int(raw, "seed", 0)
    trials = _int(raw, "trials", 0)
    max_rounds = _int(raw, "max_rounds", 1)
    early = _int(raw, "early_stopping_rounds", 1)
    threads = _int(raw, "threads", 0)

    fixed = raw.get("fixed_params", DEFAULTS["fixed_params"])
    if fixed is not None:
        if not isinstance(fixed, dict):
            raise _fail("fixed_params must be null or an object of XGBoost params")
        for k, v in fixed.items():
            if not (v is None or isinstance(v, (str, int, float, bool))):
                raise _fail(f"fixed_params.{k} must be a scalar, got {json.dumps(v)}")
            if k in ("n_estimators", "num_boost_round") and (not _is_int(v) or v < 1):
                raise _fail(f"fixed_params.{k} must be a positive integer, got {json.dumps(v)}")
        fixed = dict(fixed)

    timeout = raw.get("timeout_seconds", DEFAULTS["timeout_seconds"])
    if timeout is not None and (not _is_number(timeout) or timeout <= 0):
        raise _fail(f"timeout_seconds must be null or a positive number, got {json.dumps(timeout)}")

    tol_raw = raw.get("onnx_tolerance", DEFAULTS["onnx_tolerance"])
    if tol_raw is None:
        tol_raw = DEFAULTS["onnx_tolerance"]
    if not isinstance(tol_raw, dict):
        raise _fail("onnx_tolerance must be an object with relative and absolute")
    tol_vals = {}
    for k in ("relative", "absolute"):
        v = tol_raw.get(k, DEFAULTS["onnx_tolerance"][k])
        if not _is_number(v) or v < 0:
            raise _fail(f"onnx_tolerance.{k} must be a non-negative number, got {json.dumps(v)}")
        tol_vals[k] = float(v)

    metric = raw.get("metric", DEFAULTS["metric"])
    if metric is not None and metric not in METRICS:
        raise _fail(f"metric must be null or one of {', '.join(METRICS)}, got {json.dumps(metric)}")
    seeds = _int(raw, "seeds", 1)
    level = raw.get("interval_level", DEFAULTS["interval_level"])
    if not _is_number(level) or not 0.5 <= level <= 0.99:
        raise _fail(f"interval_level must be a number from 0.5 to 0.99, got {json.dumps(level)}")
    cv = _parse_cv(raw.get("cv", DEFAULTS["cv"]))

    return TrainConfig(
        feature_names=list(names),
        metric=metric,
        cv=cv,
        seeds=seeds,
        interval_level=float(level),
        target_transform=transform,
        seed=seed,
        trials=trials,
        fixed_params=fixed,
        max_rounds=max_rounds,
        early_stopping_rounds=early,
        timeout_seconds=None if timeout is None else float(timeout),
        threads=threads,
        onnx_tolerance=Tolerance(**tol_vals),
        unknown_keys=tuple(sorted(set(raw) - KNOWN_KEYS)),
    )


def _parse_cv(raw: Any) -> CvConfig | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise _fail('cv must be null or an object {"kind": "time" | "kfold", "folds": 2..20}')
    kind = raw.get("kind")
    if kind not in CV_KINDS:
        raise _fail(f"cv.kind must be one of {', '.join(CV_KINDS)}, got {json.dumps(kind)}")
    folds = raw.get("folds", 5 if kind == "kfold" else 4)
    if not _is_int(folds) or not 2 <= folds <= 20:
        raise _fail(f"cv.folds must be an integer from 2 to 20, got {json.dumps(folds)}")
    return CvConfig(kind=kind, folds=int(folds))


def load_config(data_dir: Path) -> TrainConfig:
    path = Path(data_dir) / CONFIG_FILE
    if not path.is_file():
        raise _fail(f"missing (expected at {path})")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise _fail(f"cannot be read: {e}") from e
    except json.JSONDecodeError as e:
        raise _fail(f"invalid JSON: {e}") from e
    return parse_config(raw)
