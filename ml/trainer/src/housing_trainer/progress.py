"""JSON-lines progress events on stdout (one object per line, flushed)."""

from __future__ import annotations

import json
import math
from typing import Any, TextIO


def _clean(v: Any) -> Any:
    """Make a value strict-JSON safe: NaN/inf become null, numpy scalars plain."""
    if isinstance(v, dict):
        return {str(k): _clean(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_clean(x) for x in v]
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        try:
            v = v.item()
        except (TypeError, ValueError):
            pass
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def to_json(obj: Any, **kwargs: Any) -> str:
    return json.dumps(_clean(obj), allow_nan=False, **kwargs)


class Progress:
    """Writes progress events to ``stream``; every line is a complete JSON object."""

    def __init__(self, stream: TextIO | None) -> None:
        self._stream = stream

    def emit(self, event: str, **fields: Any) -> None:
        if self._stream is None:
            return
        self._stream.write(to_json({"event": event, **fields}) + "\n")
        self._stream.flush()

    def stage(self, stage: str) -> None:
        self.emit("stage", stage=stage)
