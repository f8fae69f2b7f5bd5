"""Housing price trainer: tunes and fits XGBoost, evaluates, exports to ONNX."""

import os as _os

__version__ = "0.1.0"

# XGBoost's OpenMP threads busy-wait at barriers by default. When the cores are
# shared with other work (the TypeScript CLI, CI, a second job) a spinning
# thread holds a core its sibling needs and small fits slow down by 10-100x.
# Sleeping waits cost a little in the uncontended case and avoid that cliff.
# libgomp reads this once, when xgboost is first imported; an explicit setting
# in the environment wins.
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
