"""Exceptions that map to the CLI's documented exit codes."""

from __future__ import annotations

EXIT_OK = 0
EXIT_UNEXPECTED = 1
EXIT_INPUT = 2
EXIT_ONNX_CHECK = 3


class TrainerError(Exception):
    """Base class for errors with a documented exit code and a one-line message."""

    exit_code = EXIT_UNEXPECTED

    def one_line(self) -> str:
        return " ".join(str(self).split())


class InputError(TrainerError):
    """A problem with the --data directory: exit code 2.

    The message always starts with the offending file name, e.g.
    ``X_eval.npy: 12 columns, config.feature_names has 13``.
    """

    exit_code = EXIT_INPUT

    def __init__(self, file: str, problem: str) -> None:
        self.file = file
        self.problem = problem
        super().__init__(f"{file}: {problem}")


class OnnxCheckError(TrainerError):
    """ONNX and native predictions disagree beyond tolerance: exit code 3."""

    exit_code = EXIT_ONNX_CHECK
