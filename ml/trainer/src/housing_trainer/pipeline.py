"""The training run: baseline -> tuning -> eval fit -> refit -> ONNX export -> check.

Importing this module imports xgboost/optuna/onnx; the CLI validates the inputs
before importing it so input errors are reported quickly.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import numpy as np

from . import conformal, explain, model, onnx_export, selection, transform
from .cv import CvData
from .cv import out_of_fold as cv_out_of_fold
from .folds import kfold, time_folds
from .config import TrainConfig
from .data import Dataset
from .errors import InputError, OnnxCheckError
from .metrics import regression_metrics
from .outdir import StagedDir
from .progress import Progress, to_json

log = logging.getLogger(__name__)

OUTPUT_FILES = (
    "model.onnx",
    "onnx.json",
    "metrics.json",
    "params.json",
    "trials.json",
    "selection.json",
    "importances.json",
    "predictions_eval.npy",
    "predictions_holdout.npy",
    "parity.json",
    "onnx_check.json",
    "timings.json",
    "intervals.json",
    "trees.json",
    "contributions.json",
)

# Fewer eval rows than this give no intervals (a 90 % quantile of a handful of residuals means little).
MIN_CALIBRATION_ROWS = 50


def _write_json(path: Path, obj: Any) -> None:
    path.write_text(to_json(obj, indent=2) + "\n", encoding="utf-8")


def baseline_metrics(y_train: np.ndarray, y_eval: np.ndarray, y_holdout: np.ndarray) -> dict[str, Any]:
    """Predict median(y_train) for every row."""
    median = float(np.median(y_train))
    return {
        "eval": regression_metrics(y_eval, np.full(y_eval.shape, median)),
        "holdout": regression_metrics(y_holdout, np.full(y_holdout.shape, median)),
    }


def _selection_inputs(config: TrainConfig, data: Dataset, nthread: int) -> tuple[CvData | None, model.Matrices | None]:
    """CV folds over train ∪ eval (with config.cv), else the train/eval matrices. No holdout here."""
    tf = config.target_transform
    if config.cv is None:
        mats = model.Matrices(data.X_train, transform.forward(data.y_train, tf), data.X_eval, transform.forward(data.y_eval, tf), nthread)
        return None, mats
    X = np.concatenate([data.X_train, data.X_eval])
    y = np.concatenate([data.y_train, data.y_eval])
    try:
        if config.cv.kind == "time":
            assert data.t_train is not None and data.t_eval is not None
            folds = time_folds(np.concatenate([data.t_train, data.t_eval]), config.cv.folds)
        else:
            # One partition for every seed, so the seeds' CV scores are comparable.
            folds = kfold(len(y), config.cv.folds, config.seed)
    except ValueError as e:
        raise InputError("config.json", f"cv: {e}") from e
    log.info("cv: %s, %d folds, validation rows %s", config.cv.kind, len(folds), [len(f.valid) for f in folds])
    return CvData(X, y, folds, tf, nthread), None


def _spread(values: list[float | None]) -> dict[str, float | None]:
    """mean, std (sample, ddof=1; 0 for one value), min, max; nulls when any value is null."""
    if not values or any(v is None for v in values):
        return {"mean": None, "std": None, "min": None, "max": None}
    a = np.asarray(values, dtype=np.float64)
    return {"mean": float(a.mean()), "std": float(a.std(ddof=1)) if a.size > 1 else 0.0, "min": float(a.min()), "max": float(a.max())}


def _seed_report(config: TrainConfig, candidates: list, served_index: int, data: Dataset, fold_rows: list | None) -> dict[str, Any]:
    tf = config.target_transform
    seeds = []
    for sel, final in candidates:
        holdout = regression_metrics(data.y_holdout, transform.inverse(model.predict(final.booster, data.X_holdout), tf))
        seeds.append(
            {
                "seed": sel.seed,
                "mode": sel.mode,
                "selection_score": sel.score,
                "fold_scores": sel.fold_scores,
                "fold_rounds": sel.fold_rounds,
                "n_estimators": sel.n_estimators,
                "params": {k: sel.params[k] for k in sorted(sel.params) if k not in ("nthread", "verbosity")},
                "holdout": holdout,
            }
        )
    keys = ("mae", "rmse", "r2", "mape", "rmsle")
    return {
        "metric": config.selection_metric,
        "selected_by": "cv" if config.cv is not None else "eval",
        "cv": None if config.cv is None else {**config.cv.as_dict(), "fold_rows": fold_rows},
        "served_seed": candidates[served_index][0].seed,
        "seeds": seeds,
        "spread": {
            "selection_score": _spread([s["selection_score"] for s in seeds]),
            "holdout": {k: _spread([s["holdout"][k] for s in seeds]) for k in keys},
        },
    }


def _intervals(
    config: TrainConfig, calibration: tuple[np.ndarray, np.ndarray, str], z_pred_holdout: np.ndarray, y_holdout: np.ndarray
) -> dict[str, Any] | None:
    """Conformal calibration on residuals of rows the predicting model never saw: the chosen parameters'
    out-of-fold predictions with CV, else the eval fit's on the eval rows. Holdout coverage is reported, never used."""
    tf = config.target_transform
    z_pred, z_actual, source = calibration
    if len(z_actual) < MIN_CALIBRATION_ROWS:
        log.warning("intervals: %d calibration rows (fewer than %d): the package carries no intervals", len(z_actual), MIN_CALIBRATION_ROWS)
        return None
    bins = conformal.calibrate(z_pred, z_actual, config.interval_level)
    holdout = conformal.coverage_report(bins, z_pred_holdout, y_holdout, tf)
    log.info(
        "intervals: %.0f %% level, %d bins over %d %s rows; holdout coverage %s, mean width %s",
        config.interval_level * 100,
        len(bins["bins"]),
        bins["calibrationRows"],
        source,
        holdout["coverage"],
        holdout["meanWidth"],
    )
    return {
        "method": "split-conformal",
        "space": "transformed",
        "calibration": source,
        **bins,
        "holdout": holdout,
    }


def run_training(
    config: TrainConfig,
    data: Dataset,
    out_dir: Path,
    progress: Progress,
    started: float | None = None,
) -> dict[str, Any]:
    """Train, evaluate, export and check; writes ``out_dir`` atomically.

    Raises OnnxCheckError after committing the output directory when the ONNX
    check fails; any other exception leaves no output directory behind.
    """
    started = time.perf_counter() if started is None else started
    timings: dict[str, float | None] = {}
    tf = config.target_transform
    nthread = model.resolve_threads(config.threads)
    staged = StagedDir(out_dir)
    try:
        # ---------------------------------------------------------------- baseline
        progress.stage("baseline")
        t = time.perf_counter()
        baseline = baseline_metrics(data.y_train, data.y_eval, data.y_holdout)
        timings["baseline"] = time.perf_counter() - t
        log.info(
            "baseline (median %.6g): eval rmse %.6g, holdout rmse %.6g",
            float(np.median(data.y_train)),
            baseline["eval"]["rmse"],
            baseline["holdout"]["rmse"],
        )

        # ------------------------------------------------- selection + refit per seed
        X_refit = np.concatenate([data.X_train, data.X_eval])
        y_refit = np.concatenate([data.y_train, data.y_eval])
        z_refit = transform.forward(y_refit, tf)
        cv_data, mats = _selection_inputs(config, data, nthread)
        candidates: list[tuple[selection.Selection, model.FitResult]] = []
        refit_seconds = 0.0
        for i, seed in enumerate(config.seed + k for k in range(config.seeds)):
            if config.seeds > 1:
                progress.emit("seed", seed=seed, index=i + 1, of=config.seeds)
            if cv_data is not None:
                sel = selection.select_cv(config, cv_data, seed, nthread, progress)
            else:
                sel = selection.select_eval_window(config, data, mats, seed, nthread, progress)
            progress.stage("refit")
            final = model.fit_fixed_rounds(sel.params, X_refit, z_refit, sel.n_estimators)
            refit_seconds += final.seconds
            log.info("seed %d: %s params, %d rounds, selection %s %.6g", seed, sel.mode, sel.n_estimators, config.selection_metric, sel.score)
            candidates.append((sel, final))
        fold_rows = cv_data.describe() if cv_data is not None else None
        # The served model: the best selection score (CV, or eval without CV); never the holdout.
        served_index = min(range(len(candidates)), key=lambda k: (candidates[k][0].score, k))
        chosen, final = candidates[served_index]
        # Interval calibration rows: the chosen parameters' out-of-fold residuals when selection used CV.
        calibration = None
        if cv_data is not None and len(cv_data.folds) > 0:
            t = time.perf_counter()
            calibration = (*cv_out_of_fold(cv_data, chosen.params, chosen.n_estimators), "cv")
            timings["calibration"] = time.perf_counter() - t
        del mats, cv_data
        params, mode = chosen.params, chosen.mode
        timings["tuning"] = sum(sel.tuning_seconds for sel, _ in candidates)
        timings["per_trial_median"] = selection.per_trial_median([sel for sel, _ in candidates])

        # --------------------------------------------------------------- eval fit
        if chosen.eval_fit is not None:
            eval_fit = chosen.eval_fit
        else:
            # With CV: the chosen parameters and rounds fitted on train only, for the eval metrics.
            progress.stage("eval_fit")
            eval_fit = model.fit_fixed_rounds(params, data.X_train, transform.forward(data.y_train, tf), chosen.n_estimators)
        timings["eval_fit"] = eval_fit.seconds
        z_pred_eval = model.predict(eval_fit.booster, data.X_eval, eval_fit.n_estimators)
        pred_eval = transform.inverse(z_pred_eval, tf)
        eval_metrics = regression_metrics(data.y_eval, pred_eval)

        # ------------------------------------------------------------------ refit
        timings["refit"] = refit_seconds
        train_metrics = regression_metrics(y_refit, transform.inverse(model.predict(final.booster, X_refit), tf))
        z_pred_holdout = model.predict(final.booster, data.X_holdout)
        pred_holdout = transform.inverse(z_pred_holdout, tf)
        holdout_metrics = regression_metrics(data.y_holdout, pred_holdout)
        pred_parity = transform.inverse(model.predict(final.booster, data.X_parity), tf)
        if not (np.isfinite(pred_eval).all() and np.isfinite(pred_holdout).all() and np.isfinite(pred_parity).all()):
            raise RuntimeError("model produced non-finite price predictions (overflow in the inverse transform?)")
        log.info("final model: %d trees on %d rows, holdout rmse %.6g", final.rounds_trained, len(y_refit), holdout_metrics["rmse"])
        # Holdout figures of every seed, computed only now that the served seed is fixed: reported, never used.
        seed_report = _seed_report(config, candidates, served_index, data, fold_rows)
        # -------------------------------------------------------------- intervals
        if calibration is None:
            calibration = (z_pred_eval, transform.forward(data.y_eval, tf), "eval")
        intervals = _intervals(config, calibration, z_pred_holdout, data.y_holdout)
        # ----------------------------------------------------------------- export
        progress.stage("export")
        t = time.perf_counter()
        onnx_model, info = onnx_export.convert(
            final.booster,
            config.n_features,
            metadata={
                "feature_names": json.dumps(config.feature_names),
                "target_transform": tf,
                "output_space": "transformed",
            },
        )
        model_bytes = onnx_model.SerializeToString()
        staged.path("model.onnx").write_bytes(model_bytes)
        timings["export"] = time.perf_counter() - t

        # ------------------------------------------------------------- onnx check
        progress.stage("onnx_check")
        t = time.perf_counter()
        X_check = np.concatenate([data.X_eval, data.X_holdout, data.X_parity])
        native_check = transform.inverse(model.predict(final.booster, X_check), tf)
        sess = onnx_export.session(model_bytes, nthread)
        onnx_check_price = transform.inverse(onnx_export.predict(sess, X_check), tf)
        check = onnx_export.compare(native_check, onnx_check_price, config.onnx_tolerance)
        timings["onnx_check"] = time.perf_counter() - t
        log.info(
            "onnx check: %d rows, max abs diff %.3g, max rel diff %.3g, passed=%s",
            check["rows_checked"],
            check["max_abs_diff"],
            check["max_rel_diff"],
            check["passed"],
        )

        # ----------------------------------------------------------------- outputs
        metrics = {
            "train": train_metrics,
            "eval": eval_metrics,
            "holdout": holdout_metrics,
            "baseline": baseline,
        }
        _write_json(staged.path("onnx.json"), info.contract(tf, config.feature_names))
        _write_json(staged.path("metrics.json"), metrics)
        _write_json(
            staged.path("params.json"),
            {
                "best_params": params,
                "best_iteration": eval_fit.best_iteration,
                "n_estimators": eval_fit.n_estimators,
                "refit_rows": len(y_refit),
                "mode": mode,
                "target_transform": tf,
                "seed": chosen.seed,
                "metric": config.selection_metric,
                "cv": None if config.cv is None else config.cv.as_dict(),
                "cv_score": chosen.score if config.cv is not None else None,
            },
        )
        _write_json(staged.path("trials.json"), chosen.trials)
        _write_json(staged.path("selection.json"), seed_report)
        _write_json(staged.path("importances.json"), model.importances(final.booster, config.feature_names))
        np.save(staged.path("predictions_eval.npy"), pred_eval.astype(np.float64))
        np.save(staged.path("predictions_holdout.npy"), pred_holdout.astype(np.float64))
        _write_json(staged.path("parity.json"), {"predictions": [float(v) for v in pred_parity]})
        _write_json(staged.path("onnx_check.json"), check)
        _write_json(staged.path("intervals.json"), intervals)
        # For TreeSHAP in TypeScript: the covers of the served trees, and XGBoost's contributions to check it by.
        staged.path("trees.json").write_text(json.dumps(explain.tree_covers(final.booster)), encoding="utf-8")
        _write_json(staged.path("contributions.json"), {"parity": explain.contributions(final.booster, data.X_parity)})
        timings["total"] = time.perf_counter() - started
        _write_json(staged.path("timings.json"), timings)

        missing = [f for f in OUTPUT_FILES if not staged.path(f).is_file()]
        if missing:  # pragma: no cover - guards the contract
            raise RuntimeError(f"internal error: outputs not written: {missing}")
        out = staged.commit()
    except BaseException:
        staged.discard()
        raise

    if not check["passed"]:
        raise OnnxCheckError(
            f"onnx_check.json: {check['rows_failed']} of {check['rows_checked']} rows differ beyond tolerance "
            f"(max abs diff {check['max_abs_diff']:.6g}, max rel diff {check['max_rel_diff']:.3g}; "
            f"tolerance absolute {config.onnx_tolerance.absolute}, relative {config.onnx_tolerance.relative})"
        )
    progress.emit("done", metrics=metrics, out=str(out))
    return {"metrics": metrics, "out": out, "onnx_check": check, "params": params, "mode": mode}
