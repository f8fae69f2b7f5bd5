"""The plain XGBoost script of issue 10, the reference for the platform on Ames.

Log target, native categoricals (every text column), early stopping on eval, no refit.
Time split: train Yr Sold <= 2008, eval 2009, holdout 2010. One run per seed;
prints one JSON object per seed (holdout MAE, RMSE, R², MAPE, RMSLE, wall time).

    ml/trainer/.venv/bin/python bench/accuracy/plain_ames.py [--csv PATH] [--seeds 42 43 44]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time

# As in the trainer: spinning OpenMP threads are very slow on a busy machine.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import pandas as pd
import xgboost as xgb

PARAMS = {
    "objective": "reg:squarederror",
    "tree_method": "hist",
    "learning_rate": 0.05,
    "max_depth": 6,
    "subsample": 0.8,
    "colsample_bytree": 0.8,
    "eval_metric": "rmse",
}


def metrics(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    err = p - y
    return {
        "mae": float(np.mean(np.abs(err))),
        "rmse": float(math.sqrt(np.mean(err**2))),
        "r2": float(1 - np.sum(err**2) / np.sum((y - y.mean()) ** 2)),
        "mape": float(100 * np.mean(np.abs(err / y))),
        "rmsle": float(math.sqrt(np.mean((np.log1p(p) - np.log1p(y)) ** 2))),
        "rows": int(len(y)),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", default="/work/shared/data/ames/AmesHousing.csv")
    ap.add_argument("--seeds", type=int, nargs="+", default=[42, 43, 44])
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    df = pd.read_csv(args.csv, encoding="utf-8-sig")
    y = df.pop("SalePrice").to_numpy(dtype=np.float64)
    year = df["Yr Sold"].to_numpy()
    X = df.drop(columns=["Order", "PID"])
    for c in X.columns:
        if not pd.api.types.is_numeric_dtype(X[c]):
            X[c] = X[c].astype("category")
    parts = {"train": year <= 2008, "eval": year == 2009, "holdout": year == 2010}
    dm = {k: xgb.DMatrix(X[m], label=np.log1p(y[m]), enable_categorical=True, nthread=args.threads) for k, m in parts.items()}
    for seed in args.seeds:
        t0 = time.perf_counter()
        booster = xgb.train(
            {**PARAMS, "seed": seed, "nthread": args.threads},
            dm["train"],
            num_boost_round=5000,
            evals=[(dm["eval"], "eval")],
            early_stopping_rounds=100,
            verbose_eval=False,
        )
        pred = np.expm1(booster.predict(dm["holdout"], iteration_range=(0, booster.best_iteration + 1)))
        out = {
            "seed": seed,
            "holdout": metrics(y[parts["holdout"]], pred),
            "rounds": booster.best_iteration + 1,
            "features": X.shape[1],
            "seconds": time.perf_counter() - t0,
        }
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
