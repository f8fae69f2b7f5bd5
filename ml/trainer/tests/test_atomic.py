"""The output directory appears complete or not at all."""

import numpy as np
from conftest import run_train


def _siblings(path):
    return sorted(p.name for p in path.parent.iterdir())


def test_failing_run_leaves_no_output_dir(make_input, tmp_path, monkeypatch):
    from housing_trainer import onnx_export

    def boom(*a, **k):
        raise RuntimeError("converter exploded")

    monkeypatch.setattr(onnx_export, "convert", boom)
    out = tmp_path / "runs" / "out"
    res = run_train(make_input(trials=1, max_rounds=30), out)
    assert res.code == 1
    assert res.events[-1]["event"] == "error" and "converter exploded" in res.events[-1]["message"]
    assert not out.exists()
    assert _siblings(out) == []  # the staged temp dir was removed too


def test_failing_run_keeps_previous_output(make_input, tmp_path, monkeypatch):
    out = tmp_path / "out"
    data = make_input(trials=0, max_rounds=30)
    assert run_train(data, out).code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    from housing_trainer import model

    def boom(*a, **k):
        raise RuntimeError("refit failed")

    monkeypatch.setattr(model, "fit_fixed_rounds", boom)
    assert run_train(data, out).code == 1
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert _siblings(out) == sorted([data.name, "out"])


def test_successful_run_replaces_previous_output(make_input, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "stale.txt").write_text("old")
    res = run_train(make_input(trials=0, max_rounds=30), out)
    assert res.code == 0
    assert not (out / "stale.txt").exists()
    assert (out / "model.onnx").is_file()
    assert np.load(out / "predictions_holdout.npy").shape == (500,)
    assert [n for n in _siblings(out) if n.startswith(".")] == []


def test_staged_dir_lives_next_to_out_until_commit(make_input, tmp_path, monkeypatch):
    """While the run is in progress the files are in a hidden sibling, not in --out."""
    from housing_trainer import onnx_export

    seen = {}
    real_convert = onnx_export.convert

    def spy(*a, **k):
        seen["siblings"] = _siblings(tmp_path / "out")
        return real_convert(*a, **k)

    monkeypatch.setattr(onnx_export, "convert", spy)
    res = run_train(make_input(trials=0, max_rounds=30), tmp_path / "out")
    assert res.code == 0
    staged = [n for n in seen["siblings"] if n.startswith(".out.tmp-")]
    assert len(staged) == 1 and "out" not in seen["siblings"]
