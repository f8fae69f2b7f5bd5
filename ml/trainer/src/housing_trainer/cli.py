"""Command line: ``python -m housing_trainer train --data DIR --out DIR``.

stdout carries only JSON-lines progress events; everything else (logs, library
chatter, tracebacks) goes to stderr. Exit codes: 0 ok, 1 unexpected error,
2 invalid input (one-line message naming the file), 3 ONNX check failed.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from . import __version__
from .errors import EXIT_UNEXPECTED, InputError, TrainerError
from .progress import Progress

log = logging.getLogger("housing_trainer")


class _StderrHandler(logging.Handler):
    """Writes to whatever sys.stderr is at emit time (plays well with pytest capture)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:  # pragma: no cover
            self.handleError(record)


def setup_logging(level: str = "INFO") -> None:
    root = logging.getLogger("housing_trainer")
    if not any(isinstance(h, _StderrHandler) for h in root.handlers):
        h = _StderrHandler()
        h.setFormatter(logging.Formatter("housing-trainer %(levelname)s %(message)s"))
        root.addHandler(h)
        root.propagate = False
    root.setLevel(level)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="housing-trainer", description="Train and export the housing price model.")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="tune, fit, evaluate and export to ONNX")
    t.add_argument("--data", required=True, type=Path, help="input directory (config.json + .npy arrays)")
    t.add_argument("--out", required=True, type=Path, help="output directory (written atomically)")
    t.add_argument(
        "--log-level",
        default="INFO",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="stderr log level (default INFO)",
    )
    return p


def _train(args: argparse.Namespace, progress: Progress) -> None:
    started = time.perf_counter()
    from .config import load_config
    from .data import load_dataset

    data_dir: Path = args.data
    if not data_dir.is_dir():
        raise InputError("--data", f"{data_dir} is not a directory")
    config = load_config(data_dir)
    data = load_dataset(data_dir, config)
    for key in config.unknown_keys:
        log.warning("config.json: unknown key %r ignored", key)
    log.info(
        "data: train %d, eval %d, holdout %d, parity %d rows, %d features; transform %s, trials %d",
        data.X_train.shape[0],
        data.X_eval.shape[0],
        data.X_holdout.shape[0],
        data.X_parity.shape[0],
        config.n_features,
        config.target_transform,
        0 if config.fixed_params is not None else config.trials,
    )
    # Heavy imports (xgboost, optuna, onnx) only once the inputs are known good.
    from .pipeline import run_training

    run_training(config, data, args.out, progress, started)


def run(argv: Sequence[str] | None = None, progress_stream: TextIO | None = None) -> int:
    """Parse ``argv`` and run; returns the exit code. Progress goes to ``progress_stream``
    (default sys.stdout). Used in-process by the tests; ``main`` adds stdout isolation."""
    args = build_parser().parse_args(argv)
    return _dispatch(args, progress_stream if progress_stream is not None else sys.stdout)


def _dispatch(args: argparse.Namespace, stream: TextIO) -> int:
    setup_logging(args.log_level)
    progress = Progress(stream)
    try:
        _train(args, progress)
        return 0
    except TrainerError as e:
        msg = e.one_line()
        progress.emit("error", code=e.exit_code, message=msg)
        print(f"error: {msg}", file=sys.stderr, flush=True)
        return e.exit_code
    except Exception as e:
        traceback.print_exc(file=sys.stderr)
        msg = f"{type(e).__name__}: {' '.join(str(e).split())}"
        progress.emit("error", code=EXIT_UNEXPECTED, message=msg)
        print(f"error: {msg}", file=sys.stderr, flush=True)
        return EXIT_UNEXPECTED


def _isolate_stdout() -> TextIO:
    """Keep the real stdout for progress events only.

    fd 1 is pointed at stderr, so anything a library prints (XGBoost's log
    callback uses print(), native code may write to fd 1) lands on stderr and can
    never corrupt the JSON-lines stream.
    """
    sys.stdout.flush()
    progress_fd = os.dup(1)
    os.dup2(2, 1)
    return os.fdopen(progress_fd, "w", buffering=1, encoding="utf-8", closefd=True)


def _on_sigterm(signum: int, frame: object) -> None:
    # SystemExit unwinds normally, so the staged output directory is removed.
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)  # --help/usage errors behave normally
    stream = _isolate_stdout()
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        return _dispatch(args, stream)
    finally:
        stream.flush()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
