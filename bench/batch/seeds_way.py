#!/usr/bin/env python
"""The seeds' way of batch scoring, for bench/batch: pandas read_csv + the features in pandas + XGBoost predict.

Read, cleaning and features are bench/ml-pipeline/pandas_reference.py's `prepare` (not a second copy):
pd.read_csv, the spec's cleaning with .str methods, dedupe, time split, encoders fitted with groupby,
float32 matrices. The model is XGBoost trained natively (xgboost.train) with the hyper-parameters and
number of rounds of our package's manifest, on the same train+eval rows, the way the seeds do it; the
booster is trained once (`--train`) and only scoring is timed:

  python seeds_way.py --csv FILE --manifest PKG/manifest.json --booster OUT.ubj --train
  python seeds_way.py --csv FILE --booster OUT.ubj            # one timed scoring run, JSON on stdout
  python seeds_way.py --csv FILE --booster OUT.ubj --tuned    # the tuned pandas way, predict only

Timed: load the booster, prepare (read + clean + features), DMatrix + predict, inverse target. With
--write, writing the predictions with DataFrame.to_csv is timed on top (reported separately).
--tuned is what a pandas expert would run for speed: prepare's tuned path (read_csv(engine="pyarrow"),
the same features computed the faster pandas way) and XGBoost predicting with a thread per core;
nothing is written.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "ml-pipeline"))

import numpy as np  # noqa: E402
import xgboost as xgb  # noqa: E402

import pandas_reference as ref  # noqa: E402

NATIVE_KEYS = ("objective", "tree_method", "max_depth", "learning_rate", "subsample", "colsample_bytree", "min_child_weight", "seed")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def train(csv: str, manifest_path: Path, out: Path) -> dict:
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    hp = manifest["hyperparameters"]
    params = {k: hp[k] for k in NATIVE_KEYS if k in hp}
    rounds = int(hp.get("n_estimators") or hp.get("num_boost_round") or 100)
    spec = ref.load_spec()
    matrices, _ = ref.prepare(csv, spec)
    X = np.concatenate([matrices["train"][0], matrices["eval"][0]])
    y = np.concatenate([matrices["train"][1], matrices["eval"][1]])
    if manifest["target"]["transform"] == "log":
        y = np.log1p(y)
    t = time.perf_counter()
    booster = xgb.train(params, xgb.DMatrix(X, label=y), num_boost_round=rounds)
    booster.save_model(str(out))
    return {"booster": str(out), "rounds": rounds, "params": params, "train_rows": int(X.shape[0]), "fit_seconds": time.perf_counter() - t}


def score(csv: str, booster_path: Path, log_target: bool, write: Path | None = None, tuned: bool = False) -> dict:
    start_rss = peak_rss_mb()
    threads = os.cpu_count() or 1
    c0 = time.process_time()  # CPU of every thread of this process (XGBoost predicts on several)
    t0 = time.perf_counter()
    booster = xgb.Booster()
    booster.load_model(str(booster_path))
    if tuned:
        booster.set_param({"nthread": threads})
    spec = ref.load_spec()
    matrices, report = ref.prepare(csv, spec, tuned=tuned)
    t1 = time.perf_counter()
    X = np.concatenate([m[0] for m in matrices.values()])
    raw = booster.predict(xgb.DMatrix(X, nthread=threads if tuned else None))
    prices = np.expm1(raw) if log_target else raw
    t2 = time.perf_counter()
    c2 = time.process_time()
    if write is not None:
        # What a batch job delivers: a result file. The seeds' frames are gone after prepare(), so this
        # writes the feature matrix plus the prediction (38 columns; our result has the 39 input columns + 2).
        names, _ = ref.feature_layout(spec)
        ref.pd.DataFrame(X, columns=names).assign(predicted_price=np.round(prices, 2)).to_csv(write, index=False)
    t3 = time.perf_counter()
    c3 = time.process_time()
    rows_read = report["rows_read"]
    return {
        "impl": "tuned-pandas-xgboost" if tuned else "seeds-pandas-xgboost",
        "xgboost_threads": threads if tuned else "default",
        "seconds": t2 - t0,
        "prepare_seconds": t1 - t0,
        "predict_seconds": t2 - t1,
        "rows_read": rows_read,
        "rows_scored": int(prices.shape[0]),
        "rows_per_second": rows_read / (t2 - t0),
        "cpu_seconds": c2 - c0,
        "rows_per_cpu_second": rows_read / (c2 - c0),
        "write_seconds": (t3 - t2) if write is not None else None,
        "cpu_seconds_with_write": (c3 - c0) if write is not None else None,
        "rows_per_second_with_write": rows_read / (t3 - t0) if write is not None else None,
        "peak_rss_mb": peak_rss_mb(),
        "start_rss_mb": start_rss,
        "stages": report["stages"],
        "pandas": ref.pd.__version__,
        "xgboost": xgb.__version__,
        "pyarrow": pyarrow_version(),
        "mean_price": float(np.mean(prices)),
    }


def pyarrow_version() -> str | None:
    try:
        import pyarrow

        return pyarrow.__version__
    except ImportError:
        return None


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", required=True)
    ap.add_argument("--booster", type=Path, required=True)
    ap.add_argument("--manifest", type=Path, help="with --train: the package whose hyper-parameters to use")
    ap.add_argument("--train", action="store_true")
    ap.add_argument("--linear-target", action="store_true", help="the model's target is not log-transformed")
    ap.add_argument("--write", type=Path, help="also write the predictions with DataFrame.to_csv (timed separately)")
    ap.add_argument("--tuned", action="store_true", help="pyarrow read, tuned pandas features, XGBoost on every core")
    args = ap.parse_args()
    if args.train:
        if not args.manifest:
            raise SystemExit("--train needs --manifest")
        result = train(args.csv, args.manifest, args.booster)
    else:
        if args.tuned and args.write:
            raise SystemExit("--tuned writes nothing: leave out --write")
        result = score(args.csv, args.booster, not args.linear_target, args.write, args.tuned)
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
