"""Vectorised helpers for one-to-many history rows (a client's credits, a loan's months)."""

from __future__ import annotations

import numpy as np


def expand(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For `counts[i]` child rows of each parent i: each child's parent index and its position 0, 1, ...

    >>> expand(np.array([2, 0, 3]))
    (array([0, 0, 2, 2, 2]), array([0, 1, 0, 1, 2]))
    """
    counts = np.asarray(counts, dtype=np.int64)
    parents = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    return parents, np.arange(int(counts.sum())) - starts[parents]


def run_lengths(flags: np.ndarray, parents: np.ndarray) -> np.ndarray:
    """For rows ordered by parent, how many consecutive rows up to each one (same parent) are flagged.

    >>> run_lengths(np.array([1, 1, 0, 1, 1, 1], bool), np.array([0, 0, 0, 0, 1, 1]))
    array([1, 2, 0, 1, 1, 2])
    """
    flags = np.asarray(flags, dtype=bool)
    if len(flags) == 0:
        return np.zeros(0, dtype=np.int64)
    index = np.arange(len(flags))
    new_parent = np.r_[True, parents[1:] != parents[:-1]]
    # Each row's run is counted from the last unflagged row, or from just before its parent's first row.
    boundary = np.where(~flags, index, np.where(new_parent, index - 1, -1))
    return np.where(flags, index - np.maximum.accumulate(boundary), 0)


def cumulative_count(flags: np.ndarray, parents: np.ndarray) -> np.ndarray:
    """For rows ordered by parent, how many rows up to each one (same parent) are flagged.

    >>> cumulative_count(np.array([1, 0, 1, 1, 1], bool), np.array([0, 0, 0, 1, 1]))
    array([1, 1, 2, 1, 2])
    """
    flags = np.asarray(flags, dtype=np.int64)
    if len(flags) == 0:
        return flags
    total = np.cumsum(flags)
    first = np.r_[True, parents[1:] != parents[:-1]]
    before_parent = np.maximum.accumulate(np.where(first, np.arange(len(flags)), 0))
    return total - total[before_parent] + flags[before_parent]
