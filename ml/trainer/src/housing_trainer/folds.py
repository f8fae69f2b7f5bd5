"""Cross-validation folds over train ∪ eval (the holdout never takes part).

``time``: expanding windows. The rows are ordered by their time key and cut
into ``folds + 1`` blocks of about equal size; fold i trains on blocks 0..i and
validates on block i+1. Cuts fall only between different time values, so every
validation row is strictly later than every training row of its fold.

``kfold``: a seeded permutation cut into ``folds`` parts; fold i validates on
part i and trains on the others.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Fold:
    train: np.ndarray  # row indices into train ∪ eval
    valid: np.ndarray


def time_folds(t: np.ndarray, folds: int) -> list[Fold]:
    """Expanding-window folds; raises ValueError when the times cannot give ``folds`` blocks."""
    t = np.asarray(t, dtype=np.float64)
    if np.isnan(t).any():
        raise ValueError("time keys must not be NaN")
    order = np.argsort(t, kind="stable")
    ts = t[order]
    n = len(ts)
    # Block b starts near row b * n / (folds + 1), moved to the nearer edge of the run of equal
    # times it falls in, so no time value straddles a cut.
    cuts: list[int] = []
    for b in range(1, folds + 1):
        pos = min(int(round(b * n / (folds + 1))), n - 1)
        left = int(np.searchsorted(ts, ts[pos], side="left"))
        right = int(np.searchsorted(ts, ts[pos], side="right"))
        prev = cuts[-1] if cuts else 0
        options = sorted((c for c in (left, right) if prev < c < n), key=lambda c: abs(c - pos))
        if not options:
            raise ValueError(
                f"cannot cut {n} rows with {len(np.unique(ts))} distinct times into {folds + 1} time blocks"
            )
        cuts.append(options[0])
    bounds = [*cuts, n]
    return [Fold(train=np.sort(order[: bounds[i]]), valid=np.sort(order[bounds[i] : bounds[i + 1]])) for i in range(folds)]


def kfold(n: int, folds: int, seed: int) -> list[Fold]:
    """Seeded k-fold; raises ValueError when there are fewer rows than folds."""
    if n < folds:
        raise ValueError(f"cannot cut {n} rows into {folds} folds")
    perm = np.random.default_rng(seed).permutation(n)
    parts = np.array_split(perm, folds)
    out = []
    for i in range(folds):
        train = np.sort(np.concatenate([p for j, p in enumerate(parts) if j != i]))
        out.append(Fold(train=train, valid=np.sort(parts[i])))
    return out
