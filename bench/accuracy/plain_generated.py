"""The plain XGBoost script of issue 10 applied to the two generated datasets (HouseTS demo, California).

The same recipe as plain_ames.py: log target, native categoricals (every text column), early stopping on
eval, no refit, no feature engineering beyond what pandas gives; cleaning only as much as a plain script
must to run (numbers with stray characters coerced, rows without a date or target dropped).

- housets: time split on `date` (eval from 2020-01-01, holdout from 2022-01-01, as ml/specs/housets.json),
  date -> year and month, `median_sale_price` dropped (leakage), target outside 10,000–20,000,000 and
  repeated (date, zipcode) rows dropped (the spec's bounds and keys), other dirt left as read;
- california: the platform's seeded random split (mulberry32, seed 7, holdout 0.15, eval 0.15), so the
  holdout rows are the platform's.

    ml/trainer/.venv/bin/python bench/accuracy/plain_generated.py housets|california CSV [--seeds 42 43 44]
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import xgboost as xgb  # noqa: E402
from plain_ames import PARAMS, metrics  # noqa: E402


def mulberry32(seed: int):
    a = seed & 0xFFFFFFFF

    def nxt() -> float:
        nonlocal a
        a = (a + 0x6D2B79F5) & 0xFFFFFFFF
        t = a
        t = ((t ^ (t >> 15)) * (t | 1)) & 0xFFFFFFFF
        t ^= (t + (((t ^ (t >> 7)) * (t | 61)) & 0xFFFFFFFF)) & 0xFFFFFFFF
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296

    return nxt


def numeric(col: pd.Series) -> pd.Series:
    return pd.to_numeric(col.astype(str).str.replace(r"[^0-9.eE+\-]", "", regex=True), errors="coerce")


def load(dataset: str, csv: str) -> tuple[pd.DataFrame, np.ndarray, dict[str, np.ndarray]]:
    df = pd.read_csv(csv, dtype=str, keep_default_na=False)
    if dataset == "housets":
        date = pd.to_datetime(df.pop("date"), errors="coerce", format="mixed")
        y = numeric(df.pop("price"))
        # The minimum a plain script needs on this file: the target's plausible range and one row per
        # (date, zipcode), as the spec says; everything else (stray characters, spellings) is left as read.
        keep = date.notna() & y.notna() & (y >= 10_000) & (y <= 20_000_000)
        keep &= ~pd.DataFrame({"d": date, "z": df["zipcode"].str.strip()}).duplicated()
        df, y, date = df[keep], y[keep].to_numpy(), date[keep]
        df = df.drop(columns=["median_sale_price"])
        df["year"], df["month"] = date.dt.year.to_numpy(), date.dt.month.to_numpy()
        parts = {
            "train": (date < "2020-01-01").to_numpy(),
            "eval": ((date >= "2020-01-01") & (date < "2022-01-01")).to_numpy(),
            "holdout": (date >= "2022-01-01").to_numpy(),
        }
        text = {"city", "zipcode", "city_full"}
    else:
        y = numeric(df.pop("median_house_value")).to_numpy()
        rnd = mulberry32(7)
        r = np.array([rnd() for _ in range(len(df))])
        parts = {"holdout": r < 0.15, "eval": (r >= 0.15) & (r < 0.30), "train": r >= 0.30}
        text = {"ocean_proximity"}
    for c in df.columns:
        if c in text:
            df[c] = df[c].astype("category")
        elif c not in ("year", "month"):
            df[c] = numeric(df[c])
    return df.reset_index(drop=True), np.asarray(y, dtype=np.float64), parts


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dataset", choices=["housets", "california"])
    ap.add_argument("csv")
    ap.add_argument("--seeds", type=int, nargs="+", default=[42, 43, 44])
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    X, y, parts = load(args.dataset, args.csv)
    dm = {k: xgb.DMatrix(X[m], label=np.log1p(y[m]), enable_categorical=True, nthread=args.threads) for k, m in parts.items()}
    for seed in args.seeds:
        t0 = time.perf_counter()
        booster = xgb.train(
            {**PARAMS, "seed": seed, "nthread": args.threads}, dm["train"], num_boost_round=5000,
            evals=[(dm["eval"], "eval")], early_stopping_rounds=100, verbose_eval=False,
        )
        pred = np.expm1(booster.predict(dm["holdout"], iteration_range=(0, booster.best_iteration + 1)))
        print(json.dumps({
            "seed": seed, "holdout": metrics(y[parts["holdout"]], pred), "rounds": booster.best_iteration + 1,
            "features": X.shape[1], "rows": {k: int(m.sum()) for k, m in parts.items()}, "seconds": time.perf_counter() - t0,
        }), flush=True)


if __name__ == "__main__":
    main()
