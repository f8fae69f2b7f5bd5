"""The real entry points as the TypeScript CLI runs them (separate processes)."""

import json
import subprocess
import sys
from pathlib import Path

from synth import base_config, write_input_dir

BIN = Path(sys.executable).parent


def test_python_dash_m_stdout_is_pure_json_lines(tmp_path):
    # an unknown XGBoost parameter makes libxgboost print a warning: it must land on stderr
    cfg = base_config(trials=0, fixed_params={"max_depth": 3, "not_a_real_param": 1}, max_rounds=30)
    data = write_input_dir(tmp_path / "data", cfg, rows={"train": 800, "eval": 200, "holdout": 200, "parity": 8})
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "housing_trainer", "train", "--data", str(data), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]  # every line parses
    assert events[0] == {"event": "stage", "stage": "baseline"}
    assert events[-1]["event"] == "done"
    assert events[-1]["metrics"] == json.loads((out / "metrics.json").read_text())
    assert "not_a_real_param" in proc.stderr
    assert "not_a_real_param" not in proc.stdout
    assert "housing-trainer INFO" in proc.stderr


def test_console_script_reports_input_error(tmp_path):
    data = write_input_dir(tmp_path / "data", base_config(), rows={"train": 50, "eval": 10, "holdout": 10, "parity": 0})
    (data / "y_eval.npy").unlink()
    proc = subprocess.run(
        [str(BIN / "housing-trainer"), "train", "--data", str(data), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [f"error: y_eval.npy: missing (expected at {data / 'y_eval.npy'})"]
    assert [json.loads(line) for line in proc.stdout.splitlines()] == [
        {"event": "error", "code": 2, "message": f"y_eval.npy: missing (expected at {data / 'y_eval.npy'})"}
    ]
    assert not (tmp_path / "out").exists()
