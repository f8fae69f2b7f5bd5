"""Cross-validated scoring of one parameter set over train ∪ eval.

Each fold fits on its training rows with early stopping on its validation rows,
monitoring the selection metric in price space; the score is the mean of the
fold scores at each fold's best iteration, and the number of rounds for the
refit is the mean of the folds' best round counts. Only train ∪ eval rows ever
reach this module: the holdout is not an argument.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import xgboost as xgb

from . import model, transform
from .folds import Fold
from .metrics import rmse, score
from .tuning import Outcome


class CvData:
    """The folds' matrices, built once and shared by every trial."""

    def __init__(self, X: np.ndarray, y: np.ndarray, folds: list[Fold], target_transform: str, nthread: int) -> None:
        self.folds = folds
        self.target_transform = target_transform
        z = transform.forward(y, target_transform)
        self.y_valid = [y[f.valid] for f in folds]
        self.X_valid = [X[f.valid] for f in folds]
        self.mats = [model.Matrices(X[f.train], z[f.train], X[f.valid], z[f.valid], nthread) for f in folds]

    def describe(self) -> list[dict[str, int]]:
        return [{"train_rows": int(len(f.train)), "valid_rows": int(len(f.valid))} for f in self.folds]


def _price_metric(metric: str, y_valid: np.ndarray, target_transform: str) -> Callable[[np.ndarray, xgb.DMatrix], tuple[str, float]]:
    name = f"price_{metric}"

    def fn(predt: np.ndarray, _: xgb.DMatrix) -> tuple[str, float]:
        return name, score(metric, y_valid, transform.inverse(predt, target_transform))

    return fn


def fit_fold(params: dict[str, Any], data: CvData, i: int, metric: str, max_rounds: int, early_stopping_rounds: int) -> tuple[xgb.Booster, int]:
    """Fit fold ``i`` with early stopping on its validation rows; returns (booster, best_iteration)."""
    mats = data.mats[i]
    stopper = xgb.callback.EarlyStopping(
        rounds=early_stopping_rounds, metric_name=f"price_{metric}", data_name="valid", maximize=False, save_best=False
    )
    booster = xgb.train(
        params,
        mats.train(model.max_bin(params)),
        num_boost_round=max_rounds,
        evals=[(mats.eval, "valid")],
        custom_metric=_price_metric(metric, data.y_valid[i], data.target_transform),
        callbacks=[stopper],
        verbose_eval=False,
    )
    best = getattr(booster, "best_iteration", None)
    return booster, int(booster.num_boosted_rounds() - 1 if best is None else best)


def cv_objective(data: CvData, metric: str, max_rounds: int, early_stopping_rounds: int) -> Callable[[dict[str, Any]], Outcome]:
    """``evaluate(params)``: mean fold score of ``metric``; best_iteration is the refit's rounds - 1."""

    def evaluate(params: dict[str, Any]) -> Outcome:
        scores: list[float] = []
        rmses: list[float] = []
        rounds: list[int] = []
        for i in range(len(data.folds)):
            booster, best = fit_fold(params, data, i, metric, max_rounds, early_stopping_rounds)
            pred = transform.inverse(model.predict(booster, data.X_valid[i], best + 1), data.target_transform)
            scores.append(score(metric, data.y_valid[i], pred))
            rmses.append(rmse(data.y_valid[i], pred))
            rounds.append(best + 1)
        n_estimators = max(1, int(round(float(np.mean(rounds)))))
        value = float(np.mean(scores))
        return Outcome(
            value if all(math.isfinite(s) for s in scores) else math.nan,
            n_estimators - 1,
            float(np.mean(rmses)),
            {"metric": metric, "cv_score": value, "fold_scores": scores, "fold_rounds": rounds, "n_estimators": n_estimators},
        )

    return evaluate


def out_of_fold(data: CvData, params: dict[str, Any], rounds: int) -> tuple[np.ndarray, np.ndarray]:
    """Every fold's validation rows predicted by ``params`` fitted on the fold's training rows for ``rounds``
    rounds (the refit's count, so no fold picks its rounds on the rows it then predicts); transformed space.
    Returns (predictions, actuals) over all folds' validation rows."""
    preds: list[np.ndarray] = []
    actual: list[np.ndarray] = []
    for i in range(len(data.folds)):
        booster = xgb.train(params, data.mats[i].train(model.max_bin(params)), num_boost_round=rounds, verbose_eval=False)
        preds.append(model.predict(booster, data.X_valid[i]))
        actual.append(transform.forward(data.y_valid[i], data.target_transform))
    return np.concatenate(preds), np.concatenate(actual)
