"""The client store: features and scores (and optionally contributions and raw application fields) by
SK_ID_CURR.

Every array is a `.npy` file opened memory-mapped: a cold start reads the ids and the headers only, and
a lookup touches the few pages holding one client (binary search in the sorted ids, then one row). The
large arrays are verified block by block before a row is used (`bundle.blocks`). The store never holds
protected columns: the writer is given the application fields without them.

A stored client's score (`Scorer.scores`: probability, reasons and their contributions) is computed
once, when the bundle is written, by the bundle's own scorer, and checked against it before the bundle
is published: a decision for a stored client then reads one record instead of evaluating the model.
The grounds of its decision (`reasons.grounds`: principal reasons and coverage) are kept the same way.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np

from credit_scoring.bundle.blocks import BLOCK_SIZE, BLOCKS_SUFFIX, BlockVerifier, block_digests
from credit_scoring.bundle.errors import BundleError, os_error
from credit_scoring.bundle.manifest import (
    APPLICATIONS_CODES_FILE,
    APPLICATIONS_LAYOUT_FILE,
    APPLICATIONS_NUMERIC_FILE,
    CONTRIBUTIONS_FILE,
    FEATURES_FILE,
    GROUNDS_FILE,
    IDS_FILE,
    SCORES_FILE,
    StoreSpec,
)
from credit_scoring.scoring.scorer import grounds_dtype, scores_dtype

_INT64: Final = np.iinfo(np.int64)
MISSING_CODE: Final = -1
"""Category code of a missing value in `ApplicationTable.codes`."""


@dataclass(frozen=True)
class ApplicationTable:
    """Raw application fields of the stored clients, one row per client in store order.

    `numeric` is float64 with NaN for missing; `codes` is int16, each column indexing its own
    `vocabularies[column]` (MISSING_CODE for missing). `columns` is the display order of both kinds.
    """

    columns: tuple[str, ...]
    numeric_columns: tuple[str, ...]
    numeric: np.ndarray
    vocabularies: dict[str, tuple[str, ...]]
    codes: np.ndarray

    @property
    def category_columns(self) -> tuple[str, ...]:
        return tuple(self.vocabularies)

    def record(self, row: int) -> dict[str, float | str | None]:
        """One client's fields: numbers as float, categories as their label, missing as None."""
        numeric = dict(zip(self.numeric_columns, self.numeric[row].tolist(), strict=True))
        codes = dict(zip(self.category_columns, self.codes[row].tolist(), strict=True))
        record: dict[str, float | str | None] = {}
        for column in self.columns:
            if column in numeric:
                value = numeric[column]
                record[column] = None if value != value else value  # NaN is the only value unequal to itself
            else:
                code = codes[column]
                record[column] = None if code == MISSING_CODE else self.vocabularies[column][code]
        return record


class FeatureStore:
    """Stored clients' model inputs by id; see the module docstring for the layout."""

    def __init__(
        self,
        ids: np.ndarray,
        features: np.ndarray,
        scores: np.ndarray,
        grounds: np.ndarray,
        contributions: np.ndarray | None = None,
        applications: ApplicationTable | None = None,
        verifiers: Mapping[str, BlockVerifier] | None = None,
    ) -> None:
        # Plain ndarray views of the memory maps: np.memmap's subclass hooks cost microseconds per call.
        self.ids = np.asarray(ids)
        self._features = np.asarray(features)
        self._scores = np.asarray(scores)
        self._grounds = np.asarray(grounds)
        self._contributions = None if contributions is None else np.asarray(contributions)
        self._applications = applications
        self._verifiers = dict(verifiers or {})
        self._n = len(self.ids)

    def __len__(self) -> int:
        return self._n

    @property
    def has_contributions(self) -> bool:
        return self._contributions is not None

    @property
    def has_applications(self) -> bool:
        return self._applications is not None

    @property
    def features(self) -> np.ndarray:
        """Every stored client's features, (clients, p) read-only; verifies the whole array on first use,
        so prefer `row` / `rows` for a few clients."""
        self._verify_all(FEATURES_FILE)
        return self._features

    def row_index(self, client_id: int) -> int | None:
        """Row of a client in the store, or None when it is not stored."""
        if not _INT64.min <= client_id <= _INT64.max:
            return None
        row = int(self.ids.searchsorted(client_id))
        if row < self._n and self.ids[row] == client_id:
            return row
        return None

    def rows_of(self, client_ids: np.ndarray) -> np.ndarray:
        """`row_index` for many ids at once: each id's row, -1 where the client is not stored."""
        rows = self.ids.searchsorted(client_ids)
        inside = rows < self._n
        found = np.zeros(len(client_ids), dtype=bool)
        found[inside] = self.ids[rows[inside]] == client_ids[inside]
        return np.where(found, rows, -1)

    def lookup(self, client_id: int) -> np.ndarray | None:
        """A client's features (read-only, in manifest order), or None when it is not stored."""
        row = self.row_index(client_id)
        return None if row is None else self.row(row)

    def row(self, row: int) -> np.ndarray:
        """Features of the client at a row index (from `row_index`), read-only."""
        self._verify(FEATURES_FILE, row)
        return self._features[row]

    def rows(self, rows: Sequence[int] | np.ndarray) -> np.ndarray:
        """Features of the clients at these row indices, (len(rows), p), a copy."""
        return self._verified_rows(FEATURES_FILE, self._features, rows)

    def probability(self, row: int) -> float:
        """The stored probability of default of the client at a row index (what `Scorer.decision` takes)."""
        self._verify(SCORES_FILE, row)
        return self._scores.item(row)[0]

    def scores(self, rows: Sequence[int] | np.ndarray) -> np.ndarray:
        """The stored scores of the clients at these row indices (`scores_dtype` records), a copy."""
        return self._verified_rows(SCORES_FILE, self._scores, rows)

    def grounds(self, row: int) -> tuple:
        """The stored grounds of the decision of the client at a row index, as `record.item()` (what
        `DecisionGrounds.from_record` takes)."""
        self._verify(GROUNDS_FILE, row)
        return self._grounds.item(row)

    @property
    def all_grounds(self) -> np.ndarray:
        """Every stored client's grounds, read-only; verifies the whole array on first use."""
        self._verify_all(GROUNDS_FILE)
        return self._grounds

    @property
    def all_scores(self) -> np.ndarray:
        """Every stored client's score, read-only; verifies the whole array on first use."""
        self._verify_all(SCORES_FILE)
        return self._scores

    @property
    def all_contributions(self) -> np.ndarray | None:
        """Every stored client's contributions (None when the store has none), read-only; verifies the
        whole array on first use."""
        if self._contributions is None:
            return None
        self._verify_all(CONTRIBUTIONS_FILE)
        return self._contributions

    def contributions(self, row: int) -> np.ndarray | None:
        """Precomputed contributions of the client at a row index, last element the base value; None when
        the bundle stores none (the scorer then computes them)."""
        if self._contributions is None:
            return None
        self._verify(CONTRIBUTIONS_FILE, row)
        return self._contributions[row]

    def application(self, client_id: int) -> dict[str, float | str | None] | None:
        """A stored client's raw application fields; None when the client or the record is not stored."""
        if self._applications is None:
            return None
        row = self.row_index(client_id)
        if row is None:
            return None
        self._verify(APPLICATIONS_NUMERIC_FILE, row)
        self._verify(APPLICATIONS_CODES_FILE, row)
        return self._applications.record(row)

    def _verified_rows(self, name: str, array: np.ndarray, rows: Sequence[int] | np.ndarray) -> np.ndarray:
        """These rows of one of the store's arrays, a copy, each row's blocks verified first."""
        indices = np.asarray(rows, dtype=np.int64)
        for row in indices.tolist():
            self._verify(name, row)
        return array[indices]

    def _verify(self, name: str, row: int) -> None:
        verifier = self._verifiers.get(name)
        if verifier is not None:
            verifier.row(row)

    def _verify_all(self, name: str) -> None:
        verifier = self._verifiers.get(name)
        if verifier is not None:
            verifier.check_all()

    @classmethod
    def open(
        cls, bundle_dir: Path, spec: StoreSpec, n_features: int, *, verified: bool = False
    ) -> FeatureStore:
        """Open a bundle's store memory-mapped, checking each array's dtype and shape against the
        manifest's store `spec` and feature count; raises BundleError naming the file at fault.

        Unless the large arrays were already verified in full (`verified`, e.g. on download), each is
        verified block by block as it is read, against its `.blocks` digests.
        """
        bundle_dir = Path(bundle_dir)
        n, p = spec.clients, n_features
        ids = _open_array(bundle_dir, IDS_FILE, np.int64, (n,))
        # One pass over the ids (8 bytes per client) guards every lookup's binary search.
        if n > 1 and not bool(np.all(ids[1:] > ids[:-1])):
            raise BundleError(IDS_FILE, "ids must be sorted ascending without duplicates")
        arrays = {
            FEATURES_FILE: _open_array(bundle_dir, FEATURES_FILE, np.float64, (n, p)),
            SCORES_FILE: _open_array(bundle_dir, SCORES_FILE, scores_dtype(), (n,)),
            GROUNDS_FILE: _open_array(bundle_dir, GROUNDS_FILE, grounds_dtype(), (n,)),
        }
        if spec.contributions:
            arrays[CONTRIBUTIONS_FILE] = _open_array(bundle_dir, CONTRIBUTIONS_FILE, np.float64, (n, p + 1))
        applications = _open_applications(bundle_dir, n) if spec.applications else None
        if applications is not None:
            arrays[APPLICATIONS_NUMERIC_FILE] = applications.numeric
            arrays[APPLICATIONS_CODES_FILE] = applications.codes
        verifiers = {}
        if not verified:
            for name, array in arrays.items():
                digests = _read_bytes(bundle_dir, name + BLOCKS_SUFFIX)
                verifiers[name] = BlockVerifier(
                    name, bundle_dir / name, digests, spec.block_size, array.offset, array.strides[0]
                )
        return cls(
            ids,
            arrays[FEATURES_FILE],
            arrays[SCORES_FILE],
            arrays[GROUNDS_FILE],
            arrays.get(CONTRIBUTIONS_FILE),
            applications,
            verifiers,
        )

    @staticmethod
    def write(
        bundle_dir: Path,
        ids: np.ndarray,
        features: np.ndarray,
        scores: np.ndarray,
        grounds: np.ndarray,
        contributions: np.ndarray | None = None,
        applications: ApplicationTable | None = None,
        block_size: int = BLOCK_SIZE,
    ) -> tuple[str, ...]:
        """Write a store under `bundle_dir/store/`, with the block digests of its large arrays; returns
        the files written (manifest names).

        `ids` must be unique and ascending, and every other array in the same row order; `scores` are
        the bundle's scorer's (`Scorer.scores`) for these features, `grounds` their decisions' grounds
        (`DecisionGrounds.table`).
        """
        ids = np.asarray(ids)
        features = np.asarray(features)
        n = len(ids)
        if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
            raise ValueError(f"ids must be a 1-D integer array, got {ids.dtype} with shape {ids.shape}")
        if n > 1 and not bool(np.all(ids[1:] > ids[:-1])):
            raise ValueError("ids must be sorted ascending without duplicates")
        if features.ndim != 2 or len(features) != n:
            raise ValueError(f"features must have shape ({n}, number of features), got {features.shape}")
        scores = np.asarray(scores)
        if scores.dtype != scores_dtype() or scores.shape != (n,):
            raise ValueError(
                f"scores must be {n} records of Scorer.scores, got {scores.dtype} {scores.shape}"
            )
        grounds = np.asarray(grounds)
        if grounds.dtype != grounds_dtype() or grounds.shape != (n,):
            raise ValueError(
                f"grounds must be {n} grounds_dtype records, got {grounds.dtype} {grounds.shape}"
            )
        arrays = {
            IDS_FILE: ids.astype(np.int64),
            FEATURES_FILE: features.astype(np.float64),
            SCORES_FILE: scores,
            GROUNDS_FILE: grounds,
        }
        if contributions is not None:
            _check_shape("contributions", contributions, (n, features.shape[1] + 1))
            arrays[CONTRIBUTIONS_FILE] = np.asarray(contributions, dtype=np.float64)
        bundle_dir = Path(bundle_dir)
        (bundle_dir / "store").mkdir(parents=True, exist_ok=True)
        if applications is not None:
            arrays.update(_applications_arrays(bundle_dir, applications, n))
        for name, array in arrays.items():
            np.save(bundle_dir / name, np.ascontiguousarray(array), allow_pickle=False)
        blockwise = [name for name in arrays if name != IDS_FILE]
        for name in blockwise:
            (bundle_dir / (name + BLOCKS_SUFFIX)).write_bytes(block_digests(bundle_dir / name, block_size))
        layout = (APPLICATIONS_LAYOUT_FILE,) * (applications is not None)
        return (*arrays, *layout, *(name + BLOCKS_SUFFIX for name in blockwise))


def _check_shape(what: str, array: np.ndarray, shape: tuple[int, int]) -> None:
    if np.shape(array) != shape:
        raise ValueError(f"{what} must have shape {shape}, got {np.shape(array)}")


def _open_array(bundle_dir: Path, name: str, dtype: type | np.dtype, shape: tuple[int, ...]) -> np.ndarray:
    try:
        array = np.load(bundle_dir / name, mmap_mode="r", allow_pickle=False)
    except FileNotFoundError:
        raise BundleError(name, "is missing from the bundle") from None
    except OSError as error:
        raise os_error(name, error) from None
    except (ValueError, EOFError) as error:  # numpy raises EOFError for an empty file
        raise BundleError(name, f"is not a readable .npy array: {error}") from None
    expected = np.dtype(dtype)
    if array.dtype != expected or array.shape != shape:
        kind = expected.name if expected.names is None else f"records {expected}"
        raise BundleError(name, f"must be {kind} of shape {shape}, found {array.dtype} {array.shape}")
    return array


def _applications_arrays(bundle_dir: Path, table: ApplicationTable, n: int) -> dict[str, np.ndarray]:
    """Write the applications layout; return its two arrays, to be saved with the others."""
    _check_shape("applications numeric", table.numeric, (n, len(table.numeric_columns)))
    _check_shape("applications codes", table.codes, (n, len(table.vocabularies)))
    if sorted(table.columns) != sorted([*table.numeric_columns, *table.vocabularies]):
        raise ValueError("applications columns must list each numeric and category column once")
    layout = {
        "columns": list(table.columns),
        "numeric": list(table.numeric_columns),
        "categories": {column: list(labels) for column, labels in table.vocabularies.items()},
    }
    (bundle_dir / APPLICATIONS_LAYOUT_FILE).write_text(json.dumps(layout, indent=1) + "\n", encoding="utf-8")
    return {
        APPLICATIONS_NUMERIC_FILE: np.asarray(table.numeric, dtype=np.float64),
        APPLICATIONS_CODES_FILE: np.asarray(table.codes, dtype=np.int16),
    }


def _open_applications(bundle_dir: Path, n: int) -> ApplicationTable:
    try:
        layout = json.loads((bundle_dir / APPLICATIONS_LAYOUT_FILE).read_text(encoding="utf-8"))
        columns = _strings(layout["columns"])
        numeric_columns = _strings(layout["numeric"])
        vocabularies = {str(column): _strings(labels) for column, labels in layout["categories"].items()}
    except FileNotFoundError:
        raise BundleError(APPLICATIONS_LAYOUT_FILE, "is missing from the bundle") from None
    except OSError as error:
        raise os_error(APPLICATIONS_LAYOUT_FILE, error) from None
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise BundleError(
            APPLICATIONS_LAYOUT_FILE, f"is not a valid applications layout: {error!r}"
        ) from None
    if sorted(columns) != sorted([*numeric_columns, *vocabularies]):
        raise BundleError(APPLICATIONS_LAYOUT_FILE, "columns must list each numeric and category column once")
    numeric = _open_array(bundle_dir, APPLICATIONS_NUMERIC_FILE, np.float64, (n, len(numeric_columns)))
    codes = _open_array(bundle_dir, APPLICATIONS_CODES_FILE, np.int16, (n, len(vocabularies)))
    return ApplicationTable(columns, numeric_columns, numeric, vocabularies, codes)


def _read_bytes(bundle_dir: Path, name: str) -> bytes:
    try:
        return (bundle_dir / name).read_bytes()
    except FileNotFoundError:
        raise BundleError(name, "is missing from the bundle") from None
    except OSError as error:
        raise os_error(name, error) from None


def _strings(values: Sequence[object]) -> tuple[str, ...]:
    if not isinstance(values, list) or not all(isinstance(value, str) for value in values):
        raise ValueError(f"expected a list of strings, got {values!r:.80}")
    return tuple(values)
