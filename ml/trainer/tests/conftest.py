from __future__ import annotations

import io
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from synth import base_config, write_input_dir

from housing_trainer import cli


@dataclass
class RunResult:
    code: int
    events: list[dict[str, Any]]
    stdout: str
    out: Path
    data: Path

    def json(self, name: str) -> Any:
        return json.loads((self.out / name).read_text())

    def npy(self, name: str) -> np.ndarray:
        return np.load(self.out / name)

    def input(self, name: str) -> np.ndarray:
        return np.load(self.data / name)

    def trial_events(self) -> list[dict[str, Any]]:
        return [e for e in self.events if e["event"] == "trial"]

    def stages(self) -> list[str]:
        return [e["stage"] for e in self.events if e["event"] == "stage"]


def run_train(data: Path, out: Path) -> RunResult:
    """Run the CLI in-process; progress events are captured from the stream."""
    stream = io.StringIO()
    code = cli.run(["train", "--data", str(data), "--out", str(out), "--log-level", "WARNING"], progress_stream=stream)
    text = stream.getvalue()
    events = [json.loads(line) for line in text.splitlines()]
    return RunResult(code, events, text, out, data)


@pytest.fixture
def make_input(tmp_path: Path):
    """make_input(rows=..., data_seed=..., **config_overrides) -> input dir."""
    counter = iter(range(1000))

    def _make(rows: dict[str, int] | None = None, data_seed: int = 0, **overrides: Any) -> Path:
        return write_input_dir(tmp_path / f"data{next(counter)}", base_config(**overrides), rows=rows, seed=data_seed)

    return _make


@pytest.fixture(scope="session")
def tuned_log_run(tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    """One tuned run (log target, 4 trials) shared by the output/ONNX tests."""
    root = tmp_path_factory.mktemp("tuned_log")
    data = write_input_dir(root / "data", base_config(trials=4, target_transform="log"))
    res = run_train(data, root / "out")
    assert res.code == 0, res.stdout
    return res


@pytest.fixture(scope="session")
def none_transform_run(tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    """A run with target_transform "none" (2 trials)."""
    root = tmp_path_factory.mktemp("tuned_none")
    data = write_input_dir(root / "data", base_config(trials=2, target_transform="none"), seed=1)
    res = run_train(data, root / "out")
    assert res.code == 0, res.stdout
    return res
