#!/usr/bin/env python
"""The seed projects' way: pandas read_csv + vectorised cleaning and encoding + XGBoost.

Same CSV, same cleaning and encoding rules as ml/specs/housets.json (read from the spec so the
bounds, renames and smoothing are the same numbers), written the idiomatic pandas way:

  read            pd.read_csv (default C engine)
  clean+features  str.replace for stray characters + pd.to_numeric(errors='coerce'),
                  pd.to_datetime(errors='coerce'), drop target outliers, drop_duplicates(subset=
                  ['date', 'zipcode']) keeping the first, numeric bounds -> NaN, city_full normalised
                  with .str methods, time split, zipcode frequency and city_full smoothed target
                  encoding fitted on train with groupby, date -> year/quarter/month, float32 matrices.

The fit (unless --prep-only) runs the project's own trainer (python -m housing_trainer train) in a
subprocess on the pandas-built matrices with the same config.json as ours (fixed params, early
stopping on eval, refit on train+eval with the best number of rounds): the same policy by
construction. Prep peak RSS is this process's ru_maxrss when the matrices are ready; the fit's peak RSS
is the trainer subprocess's own (GNU time when available, else RUSAGE_CHILDREN).

Usage:
  python pandas_reference.py --csv FILE --prep-only
  python pandas_reference.py --csv FILE --config OUR_WORK/config.json [--compare OUR_WORK] [--work DIR]
Prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SPEC_PATH = ROOT / "ml" / "specs" / "housets.json"
TRAINER_DIR = ROOT / "ml" / "trainer"

# The same character class as readNumber's STRAY in ml/src/clean/values.ts.
STRAY = r"[$€£,\s*%_']"
DASHES = r"\s*[\u2010-\u2015\u2212-]\s*"

# FAST_PARAMS of ml/src/train/train.ts, used when no --config is given.
FAST_PARAMS = {"max_depth": 6, "learning_rate": 0.1, "subsample": 0.9, "colsample_bytree": 0.9, "min_child_weight": 1}


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


def load_spec() -> dict:
    return json.loads(SPEC_PATH.read_text(encoding="utf-8"))


def feature_layout(spec: dict) -> tuple[list[str], list[dict]]:
    """Model input names in spec order, as ml/src/features/fit.ts names them."""
    names: list[str] = []
    for c in spec["columns"]:
        if c["role"] == "date":
            names += [f"{c['name']}_{p}" for p in c["derive"]]
        elif c["role"] == "numeric":
            names.append(c["name"])
        elif c["role"] == "categorical":
            names.append(f"{c['name']}_frequency" if c["encoding"] == "frequency" else f"{c['name']}_target_mean")
    return names, spec["columns"]


def prepare(csv: str, spec: dict, tuned: bool = False) -> tuple[dict, dict]:
    """Returns (matrices, report). matrices: {split: (X float32 [n, f], y float64 [n])}.

    tuned=False is the seed projects' way. tuned=True is what a pandas expert would do for speed (not
    the reference, reported for context): the pyarrow CSV engine, parse numbers first and repair only the
    values that failed, normalise each distinct category once and map.
    """
    cols = spec["columns"]
    by_role = lambda role: [c for c in cols if c["role"] == role]  # noqa: E731
    target = by_role("target")[0]
    date_col = by_role("date")[0]["name"]
    numeric = by_role("numeric")
    cats = {c["name"]: c for c in by_role("categorical")}
    split = spec["split"]
    timings: dict[str, float] = {}

    # ------------------------------------------------------------------ read
    t = time.perf_counter()
    # low_memory=False: columns with a stray "$1,234" anywhere are read as text as a whole (otherwise
    # pandas mixes floats and strings per chunk and .str.replace turns the floats into NaN).
    if tuned:
        df = pd.read_csv(csv, dtype={"zipcode": str, date_col: str}, engine="pyarrow")
    else:
        df = pd.read_csv(csv, dtype={"zipcode": str, date_col: str}, low_memory=False)
    timings["read"] = time.perf_counter() - t
    rows_read = len(df)
    rss_after_read = peak_rss_mb()

    # --------------------------------------------------------- clean + features
    t = time.perf_counter()
    dropped: dict[str, int] = {}
    df = df.drop(columns=[c["name"] for c in by_role("drop") if c["name"] in df.columns])

    def to_number(s: pd.Series) -> pd.Series:
        if pd.api.types.is_numeric_dtype(s):
            return s.astype("float64")
        if not tuned:
            return pd.to_numeric(s.str.replace(STRAY, "", regex=True), errors="coerce")
        v = pd.to_numeric(s, errors="coerce")
        bad = v.isna() & s.notna()
        if bad.any():
            v[bad] = pd.to_numeric(s[bad].str.replace(STRAY, "", regex=True), errors="coerce")
        return v

    # target: parse, drop missing and outside [min, max]
    y = to_number(df[target["name"]])
    keep = y.notna() & (y >= target["min"]) & (y <= target["max"])
    dropped["target_outlier_or_missing"] = int((~keep).sum())
    df = df[keep]
    df[target["name"]] = y[keep]

    # date: unparsable -> dropped
    dates = pd.to_datetime(df[date_col], format="%Y-%m-%d", errors="coerce")
    keep = dates.notna()
    dropped["bad_date"] = int((~keep).sum())
    df = df[keep]
    df[date_col] = dates[keep]

    # categories: the spec's normalisation with .str methods
    for name, c in cats.items():
        rule = c.get("normalize", {})
        column = df[name]
        s = pd.Series(column.dropna().unique(), dtype=column.dtype) if tuned else column
        if rule.get("trim", True):
            s = s.str.strip()
        if rule.get("collapseWhitespace"):
            s = s.str.replace(r"\s+", " ", regex=True)
        if rule.get("unifyDashes"):
            s = s.str.replace(DASHES, "-", regex=True)
        if rule.get("case") == "title":
            s = s.str.title()
        elif rule.get("case") == "lower":
            s = s.str.lower()
        elif rule.get("case") == "upper":
            s = s.str.upper()
        if rule.get("renames"):
            s = s.replace(rule["renames"])
        s = s.replace("", np.nan)
        if tuned:
            s = column.map(dict(zip(column.dropna().unique(), s)))
        df[name] = s

    # dedupe on the cleaned keys, keeping the first
    before = len(df)
    df = df.drop_duplicates(subset=spec["cleaning"]["dedupeKeys"], keep="first")
    dropped["duplicate"] = before - len(df)

    # numeric features: repair stray characters; outside [min, max] -> missing
    for c in numeric:
        v = to_number(df[c["name"]])
        if "min" in c:
            v = v.mask(v < c["min"])
        if "max" in c:
            v = v.mask(v > c["max"])
        df[c["name"]] = v

    # time split
    d = df[date_col]
    part = np.where(d >= pd.Timestamp(split["holdoutFrom"]), 2, np.where(d >= pd.Timestamp(split["evalFrom"]), 1, 0))
    train = df[part == 0]
    timings["clean"] = time.perf_counter() - t
    t_features = time.perf_counter()

    # encoders fitted on train only
    y_train_log = np.log1p(train[target["name"]]) if target.get("transform") == "log" else train[target["name"]]
    prior = float(y_train_log.mean())
    encoded: dict[str, pd.Series] = {}
    for name, c in cats.items():
        if c["encoding"] == "frequency":
            freq = train[name].value_counts() / len(train)
            encoded[name] = df[name].map(freq).fillna(0.0)
        elif c["encoding"] == "target":
            m = c["smoothing"]
            stats = y_train_log.groupby(train[name]).agg(["sum", "count"])
            means = (stats["sum"] + m * prior) / (stats["count"] + m)
            encoded[name] = df[name].map(means).fillna(prior)
        else:
            raise SystemExit(f"encoding {c['encoding']} not implemented in the reference")

    # feature frame in the model's column order
    features = {}
    for c in cols:
        if c["role"] == "date":
            for p in c["derive"]:
                features[f"{c['name']}_{p}"] = getattr(d.dt, p)
        elif c["role"] == "numeric":
            features[c["name"]] = df[c["name"]]
        elif c["role"] == "categorical":
            suffix = "frequency" if c["encoding"] == "frequency" else "target_mean"
            features[f"{c['name']}_{suffix}"] = encoded[c["name"]]
    X = pd.DataFrame(features).to_numpy(dtype=np.float32)
    yv = df[target["name"]].to_numpy(dtype=np.float64)
    matrices = {
        name: (np.ascontiguousarray(X[part == k]), np.ascontiguousarray(yv[part == k]))
        for k, name in enumerate(("train", "eval", "holdout"))
    }
    timings["features"] = time.perf_counter() - t_features
    timings["clean_features"] = time.perf_counter() - t
    rss_prep = peak_rss_mb()

    report = {
        "stages": timings,
        "prep_seconds": timings["read"] + timings["clean_features"],
        "rows_read": rows_read,
        "rows_kept": int(len(df)),
        "splits": {name: int(m[0].shape[0]) for name, m in matrices.items()},
        "dropped": dropped,
        "features": int(X.shape[1]),
        "peak_rss_after_read_mb": rss_after_read,
        "peak_rss_mb": rss_prep,
    }
    return matrices, report


def compare(matrices: dict, ours: Path, names: list[str]) -> dict:
    """Element-wise comparison with our X_*/y_* (NaN == NaN)."""
    out: dict = {}
    for split, (X, y) in matrices.items():
        Xo = np.load(ours / f"X_{split}.npy")
        yo = np.load(ours / f"y_{split}.npy")
        entry: dict = {"rows_pandas": int(X.shape[0]), "rows_ours": int(Xo.shape[0])}
        if Xo.shape == X.shape:
            both_nan = np.isnan(X) & np.isnan(Xo)
            diff = np.where(both_nan, 0.0, np.abs(X.astype(np.float64) - Xo.astype(np.float64)))
            diff = np.nan_to_num(diff, nan=np.inf)  # NaN on one side only
            per_col = diff.max(axis=0)
            rel = diff / np.maximum(np.abs(Xo.astype(np.float64)), 1e-12)
            rel = np.where(diff == 0, 0.0, rel)
            entry.update(
                identical_cells=float((diff == 0).mean()),
                max_rel_diff=float(rel.max()),
                columns_differing={n: float(v) for n, v in zip(names, per_col) if v != 0},
                y_identical=bool(np.array_equal(y, yo)),
            )
        out[split] = entry
    return out


def fit(matrices: dict, names: list[str], config_path: Path | None, work: Path) -> dict:
    """Runs the project's trainer on the pandas matrices, in a subprocess, with our config."""
    work.mkdir(parents=True, exist_ok=True)
    for split, (X, y) in matrices.items():
        np.save(work / f"X_{split}.npy", X)
        np.save(work / f"y_{split}.npy", y)
    np.save(work / "X_parity.npy", np.zeros((0, len(names)), dtype=np.float32))
    if config_path is not None:
        config = json.loads(config_path.read_text(encoding="utf-8"))
        if config["feature_names"] != names:
            raise SystemExit(f"feature order differs from ours: {config['feature_names']} vs {names}")
    else:
        config = {
            "feature_names": names,
            "target_transform": "log",
            "seed": 42,
            "trials": 0,
            "fixed_params": FAST_PARAMS,
            "max_rounds": 300,
            "early_stopping_rounds": 50,
            "timeout_seconds": None,
            "threads": 0,
        }
    (work / "config.json").write_text(json.dumps(config), encoding="utf-8")
    out = work / "out"
    python = os.environ.get("ML_TRAINER_PYTHON") or str(TRAINER_DIR / ".venv" / "bin" / "python")
    cmd = [python, "-m", "housing_trainer", "train", "--data", str(work), "--out", str(out)]
    # The trainer's own peak RSS: RUSAGE_CHILDREN would also count this process's pages (the child is
    # forked from it, and ru_maxrss survives exec), so GNU time measures the trainer when it exists.
    rss_file = work / "trainer-maxrss-kib.txt"
    if Path("/usr/bin/time").exists():
        cmd = ["/usr/bin/time", "-f", "%M", "-o", str(rss_file), *cmd]
    t = time.perf_counter()
    proc = subprocess.run(
        cmd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"trainer failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    metrics = json.loads((out / "metrics.json").read_text())
    return {
        "config": {k: v for k, v in config.items() if k != "feature_names"},
        "wall_seconds": wall,
        "timings": json.loads((out / "timings.json").read_text()),
        "params": json.loads((out / "params.json").read_text()),
        "holdout": metrics["holdout"],
        "eval": metrics["eval"],
        "baseline_holdout": metrics["baseline"]["holdout"],
        "peak_rss_mb": (
            int(rss_file.read_text().split()[-1]) / 1024 if rss_file.is_file() else peak_rss_mb(resource.RUSAGE_CHILDREN)
        ),
        "peak_rss_source": "GNU time %M of the trainer" if rss_file.is_file() else "RUSAGE_CHILDREN (includes fork)",
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", required=True)
    ap.add_argument("--prep-only", action="store_true", help="stop when the matrices are ready")
    ap.add_argument("--tuned", action="store_true", help="the faster-than-idiomatic pandas variant (context only)")
    ap.add_argument("--config", type=Path, help="config.json to fit with (ours); default FAST_PARAMS, 300 rounds")
    ap.add_argument("--compare", type=Path, help="a directory with our X_*.npy / y_*.npy to compare against")
    ap.add_argument("--work", type=Path, help="where to write the matrices for the trainer (default: temp dir)")
    args = ap.parse_args()

    spec = load_spec()
    names, _ = feature_layout(spec)
    start_rss = peak_rss_mb()
    matrices, report = prepare(args.csv, spec, tuned=args.tuned)
    result = {
        "impl": "pandas-tuned" if args.tuned else "pandas",
        "python": sys.version.split()[0],
        "pandas": pd.__version__,
        "numpy": np.__version__,
        "csv": str(Path(args.csv).resolve()),
        "start_rss_mb": start_rss,
        **report,
    }
    if args.compare:
        result["compare_with_ours"] = compare(matrices, args.compare, names)
    if not args.prep_only:
        work = args.work or Path(tempfile.mkdtemp(prefix="bench-pandas-"))
        try:
            result["fit"] = fit(matrices, names, args.config, work)
        finally:
            if args.work is None:
                shutil.rmtree(work, ignore_errors=True)
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
