"""A LightGBM binary classifier evaluated with numpy from LightGBM's own text model format.

`serving/model.txt` is `Booster.model_to_string()`, unchanged; `serving/preprocess.json` says what the
fitted pipeline did before the booster (imputation, scaling) and which bundle features the booster's
inputs are. Predictions follow LightGBM's numerical split rule exactly, missing values included:

* a value within ±1e-35 (float32) is zero (LightGBM drops such values when it reads a dense row);
* NaN becomes 0 unless the split's missing type is NaN;
* a split whose missing type is Zero (and the value is zero) or NaN (and the value is NaN) sends the
  row to its default child (decision_type bit 1: left), any other row goes left iff value <= threshold.

Contributions are path-dependent TreeSHAP with the training counts as cover, as LightGBM's
`pred_contrib=True`. Each leaf l, with the distinct features U_l on its path, adds to feature i

    v_l · (o_i − z_i) · ∫₀¹ Π_{j ∈ U_l, j ≠ i} (o_j·s + z_j·(1 − s)) ds

where z_j is the product of the count ratios child/parent of the path's splits on feature j, and o_j is
1 if the row takes the path's side at every split on j, else 0. This is the Shapley value of the product
game TreeSHAP's recursion computes (the integral is the Shapley weight k!(d−k−1)!/d! as a Beta integral);
the integrand is a polynomial of degree < |U_l|, so a Gauss-Legendre rule of ⌈|U_l|/2⌉ nodes is exact.
All leaves of all trees needing the same rule are evaluated at once, in a few array operations.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from credit_scoring.scoring.model import Preprocessing, as_matrix, sigmoid

KIND: Final = "lightgbm"
ZERO_THRESHOLD: Final = float(np.float32(1e-35))
"""LightGBM's kZeroThreshold, a float literal compared in double precision."""
_MISSING_NONE, _MISSING_ZERO, _MISSING_NAN = 0, 1, 2
_CATEGORICAL_BIT, _DEFAULT_LEFT_BIT = 1, 2
_CHUNK_ELEMENTS: Final = 1 << 22
"""Rows are processed in chunks holding about this many intermediate values (32 MB of float64)."""


@dataclass(frozen=True)
class _Nodes:
    """Internal nodes of every tree, concatenated. A child >= 0 is a node index, a child < 0 is the
    leaf ~child (leaves of every tree concatenated too)."""

    feature: np.ndarray
    threshold: np.ndarray
    default_left: np.ndarray
    missing_type: np.ndarray
    left: np.ndarray
    right: np.ndarray
    count: np.ndarray


@dataclass(frozen=True)
class _Forest:
    """Every tree of the model: roots (a node, or ~leaf for a one-leaf tree), nodes, and the leaves of
    tree t at leaf_start[t]:leaf_start[t + 1]."""

    roots: np.ndarray
    nodes: _Nodes
    leaf_value: np.ndarray
    leaf_count: np.ndarray
    leaf_start: np.ndarray


@dataclass(frozen=True)
class _Group:
    """Leaves with the same number of quadrature nodes (⌈slots/2⌉), evaluated together.

    Their slots are `slots` of the flat arrays; within the group, the slots of a leaf are contiguous,
    starting at `leaf_slot_start`, and `slot_leaf` gives each slot's leaf (group positions).
    """

    slots: slice
    leaf_slot_start: np.ndarray
    slot_leaf: np.ndarray
    nodes: np.ndarray
    weights: np.ndarray
    zero_part: np.ndarray
    """z·(1 − s) for each slot and quadrature node s: the part of each factor not depending on the row."""


@dataclass(frozen=True)
class _Paths:
    """Each leaf's root path grouped by distinct feature ("slots"), flattened over all leaves.

    The splits ("steps") of a slot are contiguous, starting at `slot_step_start`, so numpy's reduceat
    combines them. Leaves of one-leaf trees have no slots and add nothing to any feature.
    """

    step_node: np.ndarray
    step_left: np.ndarray
    slot_step_start: np.ndarray
    slot_feature: np.ndarray
    slot_zero: np.ndarray
    slot_value: np.ndarray
    groups: tuple[_Group, ...]

    @property
    def size_per_row(self) -> int:
        """Values held per row while computing contributions (to size the chunks of rows)."""
        return self.step_node.size + sum(group.zero_part.size for group in self.groups)


class TreeEnsemble:
    """Numpy evaluation of a LightGBM binary model; see the module docstring."""

    def __init__(
        self,
        feature_names: Sequence[str],
        model_text: str,
        preprocessing: Preprocessing | None = None,
        input_columns: Sequence[int] | None = None,
    ) -> None:
        self.feature_names = tuple(feature_names)
        self.preprocessing = preprocessing or Preprocessing()
        self.model_text = model_text
        header, trees = _parse(model_text)
        n_inputs = _int(header, "max_feature_idx", "header") + 1
        columns = np.arange(len(self.feature_names)) if input_columns is None else np.asarray(input_columns)
        if columns.shape != (n_inputs,) or (n_inputs and not 0 <= columns.min() <= columns.max() < self._p):
            raise ValueError(
                f"the booster reads {n_inputs} inputs: input_columns must give one index below {self._p} each"
            )
        self.input_columns = columns
        self.sigmoid = _binary_sigmoid(header)
        self._forest = _flatten(trees, columns)
        self._roots = self._forest.roots
        self._nodes = self._forest.nodes
        self._leaf_value = self._forest.leaf_value
        self.base_value = self.sigmoid * _expected_value(self._forest)

    @functools.cached_property
    def _paths(self) -> _Paths:
        # Built on the first explanation, not at load: a cold start that serves stored clients skips it.
        return _leaf_paths(self._forest)

    @property
    def _p(self) -> int:
        return len(self.feature_names)

    @property
    def n_trees(self) -> int:
        return len(self._roots)

    def raw_score(self, X: np.ndarray) -> np.ndarray:
        Z = self.preprocessing.apply(as_matrix(X, self._p))
        rows_per_chunk = max(1, _CHUNK_ELEMENTS // max(1, self.n_trees))
        out = np.empty(len(Z))
        for start in range(0, len(Z), rows_per_chunk):
            chunk = Z[start : start + rows_per_chunk]
            out[start : start + len(chunk)] = self._leaf_value[self._leaves(chunk)].sum(axis=1)
        return self.sigmoid * out

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return sigmoid(self.raw_score(X))

    def contributions(self, X: np.ndarray) -> np.ndarray:
        Z = self.preprocessing.apply(as_matrix(X, self._p))
        out = np.empty((len(Z), self._p + 1))
        out[:, -1] = self.base_value
        rows_per_chunk = max(1, _CHUNK_ELEMENTS // max(1, self._paths.size_per_row))
        for start in range(0, len(Z), rows_per_chunk):
            chunk = Z[start : start + rows_per_chunk]
            out[start : start + len(chunk), :-1] = self._shap(chunk)
        return out

    def _go_left(self, values: np.ndarray, node: np.ndarray) -> np.ndarray:
        """LightGBM's NumericalDecision for feature values at the given internal nodes."""
        nodes = self._nodes
        missing_type = nodes.missing_type[node]
        is_nan = np.isnan(values)
        values = np.where(
            (np.abs(values) <= ZERO_THRESHOLD) | (is_nan & (missing_type != _MISSING_NAN)), 0.0, values
        )
        is_missing = np.where(
            missing_type == _MISSING_ZERO, values == 0.0, is_nan & (missing_type == _MISSING_NAN)
        )
        return np.where(is_missing, nodes.default_left[node], values <= nodes.threshold[node])

    def _leaves(self, Z: np.ndarray) -> np.ndarray:
        """Index of the leaf each row reaches in each tree, shape (n, trees): all trees descend together."""
        node = np.tile(self._roots, (len(Z), 1))
        rows = np.broadcast_to(np.arange(len(Z))[:, np.newaxis], node.shape)
        active = node >= 0
        while active.any():
            at = node[active]
            left = self._go_left(Z[rows[active], self._nodes.feature[at]], at)
            node[active] = np.where(left, self._nodes.left[at], self._nodes.right[at])
            active = node >= 0
        return ~node

    def _shap(self, Z: np.ndarray) -> np.ndarray:
        """TreeSHAP contributions of a chunk of preprocessed rows, shape (n, p)."""
        paths = self._paths
        n_nodes = len(self._nodes.feature)
        if n_nodes == 0:  # every tree is a single leaf: the base value is the whole score
            return np.zeros((len(Z), self._p))
        goes_left = self._go_left(Z[:, self._nodes.feature], np.arange(n_nodes))
        step_ok = goes_left[:, paths.step_node] == paths.step_left
        one = np.logical_and.reduceat(step_ok, paths.slot_step_start, axis=1)  # o, shape (n, slots)
        phi = np.empty(one.shape)
        for group in paths.groups:
            o = one[:, group.slots]
            factor = o[..., np.newaxis] * group.nodes + group.zero_part  # o·s + z·(1 − s): (n, slots, nodes)
            leaf_product = np.multiply.reduceat(factor, group.leaf_slot_start, axis=1)
            # The product over a leaf's other slots. A zero factor (o = 0 and z = 0: a split with an empty
            # child) makes its own slot's term vanish through (o − z) = 0, so it is skipped, not divided by.
            others = np.divide(
                leaf_product[:, group.slot_leaf], factor, out=np.zeros_like(factor), where=factor != 0.0
            )
            zero = paths.slot_zero[group.slots]
            phi[:, group.slots] = paths.slot_value[group.slots] * (o - zero) * (others @ group.weights)
        rows = self._p * np.arange(len(Z))[:, np.newaxis]
        totals = np.bincount(
            (rows + paths.slot_feature).ravel(), weights=phi.ravel(), minlength=len(Z) * self._p
        )
        return self.sigmoid * totals.reshape(len(Z), self._p)

    def preprocess_json(self) -> dict[str, Any]:
        """The content of `serving/preprocess.json`."""
        return {
            "kind": KIND,
            "features": list(self.feature_names),
            **self.preprocessing.to_json(),
            "input_columns": self.input_columns.tolist(),
        }

    @classmethod
    def from_files(cls, model_text: str, preprocess: object) -> TreeEnsemble:
        """Build from `serving/model.txt` and the parsed `serving/preprocess.json`; ValueError if bad."""
        if not isinstance(preprocess, dict) or preprocess.get("kind") != KIND:
            raise ValueError(f'preprocess must be a JSON object with "kind": "{KIND}"')
        names = preprocess.get("features")
        columns = preprocess.get("input_columns")
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            raise ValueError("preprocess features must be a list of feature names")
        if not isinstance(columns, list) or not all(
            isinstance(c, int) and not isinstance(c, bool) for c in columns
        ):
            raise ValueError("preprocess input_columns must be a list of feature indices")
        return cls(names, model_text, Preprocessing.from_json(preprocess, len(names)), columns)

    def dumps_preprocess(self) -> str:
        return json.dumps(self.preprocess_json(), allow_nan=False) + "\n"


def _parse(text: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Split LightGBM's text format into the header's and each tree's key=value lines."""
    if not text.startswith("tree\n"):
        raise ValueError("not a LightGBM text model (it must start with a 'tree' line)")
    body = text.split("\nend of trees", 1)
    if len(body) != 2:
        raise ValueError("not a complete LightGBM text model ('end of trees' is missing)")
    blocks = body[0].split("\nTree=")
    header, trees = _key_values(blocks[0]), [_key_values(block) for block in blocks[1:]]
    if "average_output" in blocks[0].splitlines():  # a bare flag line: random-forest boosting
        raise ValueError("LightGBM models with average_output (boosting_type='rf') are not supported")
    if not trees:
        raise ValueError("the LightGBM model has no trees")
    return header, trees


def _key_values(block: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in block.splitlines() if "=" in line)


def _int(fields: dict[str, str], key: str, where: str) -> int:
    try:
        return int(fields[key])
    except (KeyError, ValueError):
        raise ValueError(f"{where}: {key} is missing or not an integer") from None


def _array(fields: dict[str, str], key: str, where: str, dtype: type, length: int) -> np.ndarray:
    try:
        array = np.array(fields[key].split(), dtype=dtype)
    except (KeyError, ValueError):
        raise ValueError(f"{where}: {key} is missing or malformed") from None
    if array.shape != (length,):
        raise ValueError(f"{where}: {key} must hold {length} values, found {len(array)}")
    return array


def _binary_sigmoid(header: dict[str, str]) -> float:
    """The sigmoid scale of a binary objective ("binary sigmoid:1"); other objectives are refused."""
    objective = header.get("objective", "").split()
    if not objective or objective[0] != "binary" or _int(header, "num_class", "header") != 1:
        raise ValueError(
            f"only binary LightGBM models are supported, found objective {header.get('objective')!r}"
        )
    for option in objective[1:]:
        name, _, value = option.partition(":")
        if name == "sigmoid":
            return float(value)
    return 1.0


def _flatten(trees: list[dict[str, str]], columns: np.ndarray) -> _Forest:
    """Concatenate every tree's nodes and leaves, checking each tree's arrays."""
    parts: dict[str, list[np.ndarray]] = {name: [] for name in _Nodes.__dataclass_fields__}
    roots, leaf_values, leaf_counts, leaf_start = [], [], [], [0]
    n_nodes = 0
    for index, tree in enumerate(trees):
        where = f"Tree={index}"
        leaves = _int(tree, "num_leaves", where)
        if leaves < 1 or _int(tree, "num_cat", where) != 0 or tree.get("is_linear", "0") != "0":
            raise ValueError(f"{where}: only numerical splits are supported (no categorical or linear trees)")
        leaf_values.append(_array(tree, "leaf_value", where, np.float64, leaves))
        leaf_counts.append(_array(tree, "leaf_count", where, np.float64, leaves))
        if leaves == 1:
            roots.append(~leaf_start[-1])
        else:
            splits = leaves - 1
            decision = _array(tree, "decision_type", where, np.int64, splits)
            if np.any(decision & _CATEGORICAL_BIT):
                raise ValueError(f"{where}: categorical splits are not supported")
            split_feature = _array(tree, "split_feature", where, np.int64, splits)
            if split_feature.min() < 0 or split_feature.max() >= len(columns):
                raise ValueError(f"{where}: split_feature refers to an input the model does not have")
            for side in ("left", "right"):
                child = _array(tree, f"{side}_child", where, np.int64, splits)
                if child.min() < -leaves or child.max() >= splits:
                    raise ValueError(f"{where}: {side}_child refers to a node the tree does not have")
                parts[side].append(np.where(child >= 0, child + n_nodes, child - leaf_start[-1]))
            parts["feature"].append(columns[split_feature])
            parts["threshold"].append(_array(tree, "threshold", where, np.float64, splits))
            parts["default_left"].append((decision & _DEFAULT_LEFT_BIT) != 0)
            parts["missing_type"].append((decision >> 2) & 3)
            parts["count"].append(_array(tree, "internal_count", where, np.float64, splits))
            roots.append(n_nodes)
            n_nodes += splits
        leaf_start.append(leaf_start[-1] + leaves)
    dtypes = {
        "feature": np.int64,
        "left": np.int64,
        "right": np.int64,
        "default_left": bool,
        "missing_type": np.int64,
    }
    nodes = _Nodes(
        **{
            name: np.concatenate(arrays) if arrays else np.empty(0, dtype=dtypes.get(name, np.float64))
            for name, arrays in parts.items()
        }
    )
    return _Forest(
        roots=np.array(roots, dtype=np.int64),
        nodes=nodes,
        leaf_value=np.concatenate(leaf_values),
        leaf_count=np.concatenate(leaf_counts),
        leaf_start=np.array(leaf_start, dtype=np.int64),
    )


def _expected_value(forest: _Forest) -> float:
    """Σ over trees of the count-weighted mean leaf value (a one-leaf tree: its value), as LightGBM's
    ExpectedValue, which is TreeSHAP's base value."""
    total = 0.0
    for root, start, stop in zip(forest.roots, forest.leaf_start[:-1], forest.leaf_start[1:], strict=True):
        values = forest.leaf_value[start:stop]
        if root < 0:
            total += float(values[0])
        else:
            total += float(forest.leaf_count[start:stop] @ values / forest.nodes.count[root])
    return total


def _leaf_paths(forest: _Forest) -> _Paths:
    """Walk each tree once and record, for every leaf, its path's splits grouped by feature; leaves are
    ordered by their number of slots so that each group of equal quadrature size is contiguous."""
    left, right = forest.nodes.left.tolist(), forest.nodes.right.tolist()
    count, leaf_count = forest.nodes.count.tolist(), forest.leaf_count.tolist()
    feature = forest.nodes.feature.tolist()
    slots_of_leaf: dict[int, list[tuple[int, float, list[tuple[int, bool]]]]] = {}
    for root in forest.roots[forest.roots >= 0].tolist():
        stack: list[tuple[int, list[tuple[int, bool, float]]]] = [(root, [])]
        while stack:
            node, path = stack.pop()
            for child, went_left in ((left[node], True), (right[node], False)):
                child_count = count[child] if child >= 0 else leaf_count[~child]
                step_path = [*path, (node, went_left, child_count / count[node])]
                if child >= 0:
                    stack.append((child, step_path))
                else:
                    slots_of_leaf[~child] = _group_by_feature(step_path, feature)
    leaves = sorted(slots_of_leaf, key=lambda leaf: len(slots_of_leaf[leaf]))
    steps: list[tuple[int, bool]] = []
    slot_step_start, slot_feature, slot_zero, slot_value = [], [], [], []
    leaf_value = forest.leaf_value.tolist()
    for leaf in leaves:
        for feature_index, zero, feature_steps in slots_of_leaf[leaf]:
            slot_step_start.append(len(steps))
            steps.extend(feature_steps)
            slot_feature.append(feature_index)
            slot_zero.append(zero)
            slot_value.append(leaf_value[leaf])
    zero_array = np.array(slot_zero)
    return _Paths(
        step_node=np.array([node for node, _ in steps], dtype=np.int64),
        step_left=np.array([went_left for _, went_left in steps], dtype=bool),
        slot_step_start=np.array(slot_step_start, dtype=np.int64),
        slot_feature=np.array(slot_feature, dtype=np.int64),
        slot_zero=zero_array,
        slot_value=np.array(slot_value),
        groups=_quadrature_groups([len(slots_of_leaf[leaf]) for leaf in leaves], zero_array),
    )


def _quadrature_groups(slots_per_leaf: list[int], slot_zero: np.ndarray) -> tuple[_Group, ...]:
    """Split the leaves (ordered by slot count) into runs needing the same Gauss-Legendre rule: with d
    slots the integrand has degree d − 1, which ⌈d/2⌉ nodes integrate exactly."""
    groups = []
    start = leaf = 0
    while leaf < len(slots_per_leaf):
        size = math.ceil(slots_per_leaf[leaf] / 2)
        counts = []
        while leaf < len(slots_per_leaf) and math.ceil(slots_per_leaf[leaf] / 2) == size:
            counts.append(slots_per_leaf[leaf])
            leaf += 1
        nodes, weights = np.polynomial.legendre.leggauss(size)
        nodes, weights = (nodes + 1.0) / 2.0, weights / 2.0
        slots = slice(start, start + sum(counts))
        groups.append(
            _Group(
                slots=slots,
                leaf_slot_start=np.cumsum([0, *counts[:-1]]).astype(np.int64),
                slot_leaf=np.repeat(np.arange(len(counts)), counts),
                nodes=nodes,
                weights=weights,
                zero_part=slot_zero[slots, np.newaxis] * (1.0 - nodes),
            )
        )
        start = slots.stop
    return tuple(groups)


def _group_by_feature(
    path: list[tuple[int, bool, float]], feature: list[int]
) -> list[tuple[int, float, list[tuple[int, bool]]]]:
    """(feature, product of its count ratios z, its splits) for each distinct feature of a path."""
    zeros: dict[int, float] = {}
    steps: dict[int, list[tuple[int, bool]]] = {}
    for node, went_left, ratio in path:
        split_feature = feature[node]
        zeros[split_feature] = zeros.get(split_feature, 1.0) * ratio
        steps.setdefault(split_feature, []).append((node, went_left))
    return [(split_feature, zero, steps[split_feature]) for split_feature, zero in zeros.items()]
