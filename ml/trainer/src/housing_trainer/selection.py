"""Model selection for one seed: parameters and the number of boosting rounds.

With ``config.cv`` every choice is made by cross-validation over train ∪ eval
(tuning, or just the round count for fixed/default parameters). Without it the
single eval window is used, as before: trials ranked by eval RMSE in price
space, rounds by early stopping on eval. The holdout is not an input here.
"""

from __future__ import annotations

import logging
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import xgboost as xgb

from . import model, transform, tuning
from .config import TrainConfig
from .cv import CvData, cv_objective
from .data import Dataset
from .errors import InputError
from .metrics import score
from .progress import Progress

log = logging.getLogger(__name__)


@dataclass
class Selection:
    seed: int
    mode: str  # tuned | fixed | default
    params: dict[str, Any]
    n_estimators: int
    score: float  # mean CV metric (with CV) or the eval-window metric (without)
    trials: list[dict[str, Any]] = field(default_factory=list)
    fold_scores: list[float] | None = None
    fold_rounds: list[int] | None = None
    tuning_seconds: float = 0.0
    trial_seconds: list[float] = field(default_factory=list)
    # Without CV: the train-only model that chose the rounds (reused for the eval metrics).
    eval_fit: model.FitResult | None = None


def _candidate_params(config: TrainConfig, seed: int, nthread: int) -> tuple[str, dict[str, Any] | None, int]:
    """(mode, params or None when tuning, round cap)."""
    if config.fixed_params is not None:
        params, rounds = model.params_from_fixed(config.fixed_params, seed, nthread, config.max_rounds)
        return "fixed", params, rounds
    if config.trials > 0:
        return "tuned", None, config.max_rounds
    return "default", model.build_params(dict(model.DEFAULT_TUNABLE), seed, nthread), config.max_rounds


def _fixed_params_error(e: xgb.core.XGBoostError) -> InputError:
    # Only user-supplied parameters can make a fit fail here: report it as input.
    first = next((ln for ln in str(e).splitlines() if ln.strip()), str(e))
    return InputError("config.json", f"fixed_params rejected by XGBoost: {first.strip()[:300]}")


def _trial_reporter(config: TrainConfig, progress: Progress, seed: int, metric: str | None):
    def on_trial(rec: tuning.TrialRecord, best: float | None) -> None:
        fields: dict[str, Any] = {"rmse": rec.eval_rmse, "best_rmse": best}
        if metric is not None:  # with CV the objective is the metric; rmse is the folds' mean price RMSE
            fields = {"metric": metric, "score": rec.extra.get("cv_score"), "best_score": best, "rmse": rec.eval_rmse}
        progress.emit("trial", number=rec.number, of=config.trials, seconds=rec.seconds, state=rec.state, seed=seed, **fields)
        log.info(
            "seed %d trial %d/%d: %s %s (best %s), %.2fs",
            seed, rec.number, config.trials, metric or "eval rmse",
            "n/a" if rec.state != "COMPLETE" else f"{rec.extra.get('cv_score', rec.eval_rmse):.6g}",
            "n/a" if best is None else f"{best:.6g}", rec.seconds,
        )

    return on_trial


def select_cv(config: TrainConfig, cv_data: CvData, seed: int, nthread: int, progress: Progress) -> Selection:
    """Parameters and rounds chosen by the mean CV metric."""
    metric = config.selection_metric
    mode, params, rounds = _candidate_params(config, seed, nthread)
    evaluate = cv_objective(cv_data, metric, rounds, config.early_stopping_rounds)
    t0 = time.perf_counter()
    if mode == "tuned":
        progress.stage("tuning")
        result = tuning.tune(
            n_trials=config.trials,
            seed=seed,
            nthread=nthread,
            timeout_seconds=config.timeout_seconds,
            evaluate=evaluate,
            on_trial=_trial_reporter(config, progress, seed, metric),
        )
        params = model.build_params(result.best_tunable, seed, nthread)
        outcome = result.best_outcome
        trials = [r.as_dict() for r in result.trials]
        trial_seconds = [r.seconds for r in result.trials]
    else:
        progress.stage("cv")
        try:
            outcome = evaluate(params)
        except xgb.core.XGBoostError as e:
            if mode == "fixed":
                raise _fixed_params_error(e) from e
            raise
        trials, trial_seconds = [], []
    assert outcome is not None
    return Selection(
        seed=seed,
        mode=mode,
        params=params,
        n_estimators=int(outcome.extra["n_estimators"]),
        score=float(outcome.extra["cv_score"]),
        trials=trials,
        fold_scores=list(outcome.extra["fold_scores"]),
        fold_rounds=list(outcome.extra["fold_rounds"]),
        tuning_seconds=time.perf_counter() - t0,
        trial_seconds=trial_seconds,
    )


def select_eval_window(config: TrainConfig, data: Dataset, mats: model.Matrices, seed: int, nthread: int, progress: Progress) -> Selection:
    """Without CV: tune on the eval window, rounds from early stopping on eval."""
    tf = config.target_transform
    mode, params, rounds = _candidate_params(config, seed, nthread)
    trials: list[dict[str, Any]] = []
    trial_seconds: list[float] = []
    tuning_seconds = 0.0
    tuned_rmse = None
    if mode == "tuned":
        progress.stage("tuning")
        evaluate = tuning.eval_window_objective(
            mats=mats, X_eval=data.X_eval, y_eval=data.y_eval, target_transform=tf,
            max_rounds=config.max_rounds, early_stopping_rounds=config.early_stopping_rounds,
        )
        result = tuning.tune(
            n_trials=config.trials, seed=seed, nthread=nthread, timeout_seconds=config.timeout_seconds,
            evaluate=evaluate, on_trial=_trial_reporter(config, progress, seed, None),
        )
        params = model.build_params(result.best_tunable, seed, nthread)
        tuned_rmse = result.best_rmse
        trials = [r.as_dict() for r in result.trials]
        trial_seconds = [r.seconds for r in result.trials]
        tuning_seconds = result.seconds
    else:
        log.info("%s parameters: tuning skipped", mode)
    progress.stage("eval_fit")
    try:
        fit = model.fit_with_early_stopping(params, mats, rounds, config.early_stopping_rounds)
    except xgb.core.XGBoostError as e:
        if mode != "fixed":
            raise
        raise _fixed_params_error(e) from e
    pred = transform.inverse(model.predict(fit.booster, data.X_eval, fit.n_estimators), tf)
    if tuned_rmse is not None and not np.isclose(score("rmse", data.y_eval, pred), tuned_rmse, rtol=1e-9, atol=0):
        log.warning("eval model differs from the best trial's (non-deterministic fit?)")
    return Selection(
        seed=seed,
        mode=mode,
        params=params,
        n_estimators=fit.n_estimators,
        score=score(config.selection_metric, data.y_eval, pred),
        trials=trials,
        tuning_seconds=tuning_seconds,
        trial_seconds=trial_seconds,
        eval_fit=fit,
    )


def per_trial_median(selections: list[Selection]) -> float | None:
    seconds = [s for sel in selections for s in sel.trial_seconds]
    return statistics.median(seconds) if seconds else None
