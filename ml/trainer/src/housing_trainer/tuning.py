"""Optuna hyper-parameter search (TPE, seeded, sequential => deterministic)."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import optuna
import xgboost as xgb

from . import model, transform
from .metrics import rmse

log = logging.getLogger(__name__)

# name: (low, high, log-scale?) for floats; ints are marked with int bounds.
SEARCH_SPACE: dict[str, tuple[str, float, float, bool]] = {
    "learning_rate": ("float", 0.02, 0.3, True),
    "max_depth": ("int", 3, 10, False),
    "min_child_weight": ("float", 1.0, 20.0, True),
    "subsample": ("float", 0.6, 1.0, False),
    "colsample_bytree": ("float", 0.5, 1.0, False),
    "reg_lambda": ("float", 1e-3, 10.0, True),
    "reg_alpha": ("float", 1e-3, 10.0, True),
    "gamma": ("float", 0.0, 1.0, False),
}


def suggest(trial: optuna.Trial) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, (kind, low, high, log_scale) in SEARCH_SPACE.items():
        if kind == "int":
            out[name] = trial.suggest_int(name, int(low), int(high), log=log_scale)
        else:
            out[name] = trial.suggest_float(name, float(low), float(high), log=log_scale)
    return out


@dataclass
class TrialRecord:
    number: int  # 1-based, the same number as in the progress "trial" events
    params: dict[str, Any]
    eval_rmse: float | None
    best_iteration: int | None
    seconds: float
    state: str
    # Cross-validation details (metric, cv_score, fold_scores, n_estimators); empty without CV.
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "params": self.params,
            "eval_rmse": self.eval_rmse,
            "best_iteration": self.best_iteration,
            "seconds": self.seconds,
            "state": self.state,
            **self.extra,
        }


@dataclass
class Outcome:
    """What one parameter set scored: ``value`` is minimised."""

    value: float
    best_iteration: int
    eval_rmse: float
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class TuningResult:
    best_tunable: dict[str, Any]
    best_rmse: float  # the best objective value (eval RMSE without CV, mean CV metric with it)
    trials: list[TrialRecord] = field(default_factory=list)
    seconds: float = 0.0
    best_outcome: Outcome | None = None


def silence_optuna() -> None:
    """Optuna logs INFO per trial through its own stderr handler; keep warnings only."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)


def eval_window_objective(
    *, mats: model.Matrices, X_eval: np.ndarray, y_eval: np.ndarray, target_transform: str,
    max_rounds: int, early_stopping_rounds: int,
) -> Callable[[dict[str, Any]], Outcome]:
    """Without CV: fit on train, early-stop on eval, score eval RMSE in price space."""

    def evaluate(params: dict[str, Any]) -> Outcome:
        fit = model.fit_with_early_stopping(params, mats, max_rounds, early_stopping_rounds)
        pred = transform.inverse(model.predict(fit.booster, X_eval, fit.n_estimators), target_transform)
        value = rmse(y_eval, pred)
        return Outcome(value, fit.best_iteration, value)

    return evaluate


def tune(
    *,
    n_trials: int,
    seed: int,
    nthread: int,
    timeout_seconds: float | None,
    evaluate: Callable[[dict[str, Any]], Outcome],
    on_trial: Callable[[TrialRecord, float | None], None] | None = None,
) -> TuningResult:
    """Run ``n_trials`` TPE trials minimising ``evaluate(params).value``."""
    silence_optuna()
    records: list[TrialRecord] = []
    best_so_far: list[float] = []
    outcomes: dict[int, Outcome] = {}

    def objective(trial: optuna.Trial) -> float:
        tunable = suggest(trial)
        params = model.build_params(tunable, seed, nthread)
        t0 = time.perf_counter()
        try:
            outcome = evaluate(params)
        except xgb.core.XGBoostError as e:
            seconds = time.perf_counter() - t0
            rec = TrialRecord(trial.number + 1, tunable, None, None, seconds, "FAIL")
            records.append(rec)
            log.warning("trial %d failed: %s", rec.number, " ".join(str(e).split())[:300])
            if on_trial:
                on_trial(rec, min(best_so_far) if best_so_far else None)
            raise
        seconds = time.perf_counter() - t0
        value = outcome.value
        finite = math.isfinite(value)
        rec = TrialRecord(
            trial.number + 1,
            tunable,
            outcome.eval_rmse if finite else None,
            outcome.best_iteration,
            seconds,
            "COMPLETE" if finite else "FAIL",
            outcome.extra,
        )
        records.append(rec)
        outcomes[trial.number] = outcome
        if finite:
            best_so_far.append(value)
        trial.set_user_attr("best_iteration", outcome.best_iteration)
        if on_trial:
            on_trial(rec, min(best_so_far) if best_so_far else None)
        # NaN makes Optuna mark the trial FAIL (it never becomes the best).
        return value if finite else float("nan")

    t0 = time.perf_counter()
    sampler = optuna.samplers.TPESampler(seed=seed)
    study = optuna.create_study(direction="minimize", sampler=sampler)
    study.optimize(
        objective,
        n_trials=n_trials,
        timeout=timeout_seconds,
        n_jobs=1,
        catch=(xgb.core.XGBoostError,),
        gc_after_trial=False,
        show_progress_bar=False,
    )
    seconds = time.perf_counter() - t0
    complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    if not complete:
        raise RuntimeError(f"all {len(study.trials)} tuning trials failed")
    best = study.best_trial
    return TuningResult(
        best_tunable=dict(best.params),
        best_rmse=float(best.value),
        trials=records,
        seconds=seconds,
        best_outcome=outcomes.get(best.number),
    )
