"""ONNX export (onnxmltools) and the ONNX-vs-native agreement check."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
import xgboost as xgb

from .config import Tolerance

log = logging.getLogger(__name__)

INPUT_NAME = "features"
ML_DOMAIN = "ai.onnx.ml"


@dataclass
class OnnxInfo:
    input: str
    output: str
    opset: int
    opset_imports: dict[str, int]
    output_shape: list[int | None]
    n_trees: int

    def contract(self, target_transform: str, feature_names: list[str]) -> dict[str, Any]:
        """Content of onnx.json."""
        return {
            "input": self.input,
            "output": self.output,
            "opset": self.opset,
            "output_space": "transformed",
            "target_transform": target_transform,
            "inverse_transform": "expm1" if target_transform == "log" else "identity",
            "input_shape": [None, len(feature_names)],
            "input_dtype": "float32",
            "output_shape": self.output_shape,
            "opset_imports": self.opset_imports,
            "feature_names": feature_names,
            "n_trees": self.n_trees,
        }


def _dim(d: onnx.TensorShapeProto.Dimension) -> int | None:
    return d.dim_value if d.HasField("dim_value") else None


def convert(booster: xgb.Booster, n_features: int, metadata: dict[str, str] | None = None) -> tuple[onnx.ModelProto, OnnxInfo]:
    """Convert a regression booster to an ai.onnx.ml TreeEnsembleRegressor model.

    The booster must use default feature names (f0..fN): onnxmltools parses them.
    """
    # Imported here: onnxmltools pulls in skl2onnx/scikit-learn (slow import).
    from onnxmltools import convert_xgboost
    from onnxmltools.convert.common.data_types import FloatTensorType

    model = convert_xgboost(
        booster,
        name="housing_price_xgboost",
        initial_types=[(INPUT_NAME, FloatTensorType([None, n_features]))],
    )
    model.producer_name = "housing_trainer"
    for k, v in (metadata or {}).items():
        entry = model.metadata_props.add()
        entry.key, entry.value = k, v
    onnx.checker.check_model(model)

    if len(model.graph.input) != 1 or len(model.graph.output) != 1:
        raise RuntimeError(
            f"unexpected ONNX graph: {len(model.graph.input)} inputs, {len(model.graph.output)} outputs"
        )
    inp, out = model.graph.input[0], model.graph.output[0]
    if inp.name != INPUT_NAME:
        raise RuntimeError(f"ONNX input is named {inp.name!r}, expected {INPUT_NAME!r}")
    opsets = {(o.domain or "ai.onnx"): int(o.version) for o in model.opset_import}
    trees = [n for n in model.graph.node if n.op_type == "TreeEnsembleRegressor"]
    n_trees = 0
    for node in trees:
        for attr in node.attribute:
            if attr.name == "nodes_treeids":
                n_trees += len(set(attr.ints))
    if n_trees != booster.num_boosted_rounds():
        raise RuntimeError(
            f"ONNX model has {n_trees} trees, the booster has {booster.num_boosted_rounds()}"
        )
    info = OnnxInfo(
        input=inp.name,
        output=out.name,
        opset=opsets.get(ML_DOMAIN, max(opsets.values())),
        opset_imports=opsets,
        output_shape=[_dim(d) for d in out.type.tensor_type.shape.dim],
        n_trees=n_trees,
    )
    return model, info


def session(model_bytes: bytes, threads: int) -> ort.InferenceSession:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.log_severity_level = 3  # errors only
    return ort.InferenceSession(model_bytes, sess_options=opts, providers=["CPUExecutionProvider"])


def predict(sess: ort.InferenceSession, X: np.ndarray) -> np.ndarray:
    """ONNX output (transformed space) as 1-D float64."""
    if X.shape[0] == 0:
        return np.zeros(0, dtype=np.float64)
    (out,) = sess.run(None, {sess.get_inputs()[0].name: np.ascontiguousarray(X, dtype=np.float32)})
    return np.asarray(out, dtype=np.float64).reshape(X.shape[0], -1)[:, 0]


def compare(native_price: np.ndarray, onnx_price: np.ndarray, tol: Tolerance) -> dict[str, Any]:
    """A row fails only if it exceeds BOTH tol.absolute and tol.relative * |native|."""
    native_price = np.asarray(native_price, dtype=np.float64)
    onnx_price = np.asarray(onnx_price, dtype=np.float64)
    diff = np.abs(onnx_price - native_price)
    scale = np.abs(native_price)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(scale > 0, diff / scale, np.where(diff > 0, np.inf, 0.0))
    bad = (diff > tol.absolute) & (diff > tol.relative * scale)
    bad |= ~np.isfinite(onnx_price)
    n = int(native_price.size)
    result: dict[str, Any] = {
        "rows_checked": n,
        "max_abs_diff": float(diff.max()) if n else 0.0,
        "max_rel_diff": float(rel.max()) if n else 0.0,
        "tolerance": tol.as_dict(),
        "rows_failed": int(bad.sum()),
        "passed": not bool(bad.any()),
    }
    if bad.any():
        cand = np.flatnonzero(bad)
        i = int(cand[np.argmax(np.where(np.isfinite(diff[cand]), diff[cand], np.inf))])
        result["worst_row"] = {"row": i, "native": float(native_price[i]), "onnx": float(onnx_price[i])}
    return result
