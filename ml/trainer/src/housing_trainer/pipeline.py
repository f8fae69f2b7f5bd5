"""The training run: baseline -> tuning -> eval fit -> refit -> ONNX export -> check.

Importing this module imports xgboost/optuna/onnx; the CLI validates the inputs
before importing it so input errors are reported quickly.
"""

from __future__ import annotations

import json
import logging
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np
import xgboost as xgb

from . import model, onnx_export, transform, tuning
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
    "importances.json",
    "predictions_eval.npy",
    "predictions_holdout.npy",
    "parity.json",
    "onnx_check.json",
    "timings.json",
)


def _write_json(path: Path, obj: Any) -> None:
    path.write_text(to_json(obj, indent=2) + "\n", encoding="utf-8")


def baseline_metrics(y_train: np.ndarray, y_eval: np.ndarray, y_holdout: np.ndarray) -> dict[str, Any]:
    """Predict median(y_train) for every row."""
    median = float(np.median(y_train))
    return {
        "eval": regression_metrics(y_eval, np.full(y_eval.shape, median)),
        "holdout": regression_metrics(y_holdout, np.full(y_holdout.shape, median)),
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

        z_train = transform.forward(data.y_train, tf)
        z_eval = transform.forward(data.y_eval, tf)
        mats = model.Matrices(data.X_train, z_train, data.X_eval, z_eval, nthread)

        # ------------------------------------------------------------------ tuning
        trials: list[dict[str, Any]] = []
        max_rounds = config.max_rounds
        tuned_rmse: float | None = None
        if config.fixed_params is not None:
            mode = "fixed"
            params, max_rounds = model.params_from_fixed(config.fixed_params, config.seed, nthread, config.max_rounds)
            timings["tuning"] = 0.0
            timings["per_trial_median"] = None
            log.info("fixed_params given: tuning skipped")
        elif config.trials > 0:
            mode = "tuned"
            progress.stage("tuning")

            def on_trial(rec: tuning.TrialRecord, best: float | None) -> None:
                progress.emit(
                    "trial",
                    number=rec.number,
                    of=config.trials,
                    rmse=rec.eval_rmse,
                    best_rmse=best,
                    seconds=rec.seconds,
                    state=rec.state,
                )
                log.info(
                    "trial %d/%d: eval rmse %s (best %s), %d rounds, %.2fs",
                    rec.number,
                    config.trials,
                    "n/a" if rec.eval_rmse is None else f"{rec.eval_rmse:.6g}",
                    "n/a" if best is None else f"{best:.6g}",
                    -1 if rec.best_iteration is None else rec.best_iteration + 1,
                    rec.seconds,
                )

            result = tuning.tune(
                n_trials=config.trials,
                seed=config.seed,
                nthread=nthread,
                max_rounds=config.max_rounds,
                early_stopping_rounds=config.early_stopping_rounds,
                timeout_seconds=config.timeout_seconds,
                target_transform=tf,
                mats=mats,
                X_eval=data.X_eval,
                y_eval=data.y_eval,
                on_trial=on_trial,
            )
            params = model.build_params(result.best_tunable, config.seed, nthread)
            tuned_rmse = result.best_rmse
            trials = [r.as_dict() for r in result.trials]
            timings["tuning"] = result.seconds
            timings["per_trial_median"] = statistics.median(r.seconds for r in result.trials)
        else:
            mode = "default"
            params = model.build_params(dict(model.DEFAULT_TUNABLE), config.seed, nthread)
            timings["tuning"] = 0.0
            timings["per_trial_median"] = None
            log.info("trials = 0: using default parameters")

        # --------------------------------------------------------------- eval fit
        progress.stage("eval_fit")
        try:
            eval_fit = model.fit_with_early_stopping(params, mats, max_rounds, config.early_stopping_rounds)
        except xgb.core.XGBoostError as e:
            if mode != "fixed":
                raise
            # Only user-supplied parameters can make a fit fail here: report it as input.
            first = next((ln for ln in str(e).splitlines() if ln.strip()), str(e))
            raise InputError("config.json", f"fixed_params rejected by XGBoost: {first.strip()[:300]}") from e
        timings["eval_fit"] = eval_fit.seconds
        pred_eval = transform.inverse(model.predict(eval_fit.booster, data.X_eval, eval_fit.n_estimators), tf)
        eval_metrics = regression_metrics(data.y_eval, pred_eval)
        if tuned_rmse is not None and not np.isclose(eval_metrics["rmse"], tuned_rmse, rtol=1e-9, atol=0):
            log.warning(
                "eval model rmse %.10g differs from the best trial's %.10g (non-deterministic fit?)",
                eval_metrics["rmse"],
                tuned_rmse,
            )
        log.info(
            "eval model: best_iteration %d (of %d trained), eval rmse %.6g",
            eval_fit.best_iteration,
            eval_fit.rounds_trained,
            eval_metrics["rmse"],
        )
        del mats

        # ------------------------------------------------------------------ refit
        progress.stage("refit")
        X_refit = np.concatenate([data.X_train, data.X_eval])
        y_refit = np.concatenate([data.y_train, data.y_eval])
        final = model.fit_fixed_rounds(params, X_refit, transform.forward(y_refit, tf), eval_fit.n_estimators)
        timings["refit"] = final.seconds
        train_metrics = regression_metrics(y_refit, transform.inverse(model.predict(final.booster, X_refit), tf))
        pred_holdout = transform.inverse(model.predict(final.booster, data.X_holdout), tf)
        holdout_metrics = regression_metrics(data.y_holdout, pred_holdout)
        pred_parity = transform.inverse(model.predict(final.booster, data.X_parity), tf)
        if not (np.isfinite(pred_eval).all() and np.isfinite(pred_holdout).all() and np.isfinite(pred_parity).all()):
            raise RuntimeError("model produced non-finite price predictions (overflow in the inverse transform?)")
        log.info("final model: %d trees on %d rows, holdout rmse %.6g", final.rounds_trained, len(y_refit), holdout_metrics["rmse"])

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
                "seed": config.seed,
            },
        )
        _write_json(staged.path("trials.json"), trials)
        _write_json(staged.path("importances.json"), model.importances(final.booster, config.feature_names))
        np.save(staged.path("predictions_eval.npy"), pred_eval.astype(np.float64))
        np.save(staged.path("predictions_holdout.npy"), pred_holdout.astype(np.float64))
        _write_json(staged.path("parity.json"), {"predictions": [float(v) for v in pred_parity]})
        _write_json(staged.path("onnx_check.json"), check)
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
