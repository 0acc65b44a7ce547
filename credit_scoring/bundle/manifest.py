"""`manifest.json`: what a bundle holds, how it was made, and the sha256 of every other file.

The manifest is the bundle's table of contents and its integrity anchor. Serving reads the typed fields
below and checks them on load (a missing or mistyped field is a `BundleError` naming it); the training
reports (`metrics`, `fairness`, `candidates`) are passed through as JSON for `GET /model`.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Final, Literal, TypeVar, get_args

from credit_scoring.bundle.blocks import BLOCKS_SUFFIX
from credit_scoring.bundle.errors import BundleError, os_error

FORMAT_VERSION: Final = 3
"""2: the store keeps every stored client's score (`store/scores.npy`); 3: and the grounds of its
decision, its principal reasons and coverage (`store/grounds.npy`)."""
MANIFEST_FILE: Final = "manifest.json"

ModelKind = Literal["linear", "lightgbm"]
MODEL_KINDS: Final[tuple[str, ...]] = get_args(ModelKind)

IDS_FILE: Final = "store/ids.npy"
FEATURES_FILE: Final = "store/features.npy"
SCORES_FILE: Final = "store/scores.npy"
GROUNDS_FILE: Final = "store/grounds.npy"
CONTRIBUTIONS_FILE: Final = "store/contributions.npy"
APPLICATIONS_LAYOUT_FILE: Final = "store/applications.json"
APPLICATIONS_NUMERIC_FILE: Final = "store/applications_numeric.npy"
APPLICATIONS_CODES_FILE: Final = "store/applications_categories.npy"

_T = TypeVar("_T")


@dataclass(frozen=True)
class ExportCheck:
    """The serving form's agreement with the fitted pipeline, measured at export on every stored client."""

    max_abs_diff: float
    clients: int
    tolerance: float


@dataclass(frozen=True)
class ModelSpec:
    """Which serving model the bundle holds, and what it was exported from."""

    kind: ModelKind
    file: str
    estimator: str
    imbalance: str | None
    params: dict[str, Any]
    export_check: ExportCheck
    preprocess_file: str | None = None
    provenance: dict[str, Any] = field(default_factory=dict)
    calibration_file: str | None = None
    """The map from raw score to calibrated probability; None serves sigmoid(raw score) uncalibrated."""


@dataclass(frozen=True)
class FeatureSpec:
    """One model input, in the order of the store's columns."""

    name: str
    group: str
    dtype: str = "float64"


@dataclass(frozen=True)
class StoreSpec:
    """Which optional parts the client store has, and the block size of its block-wise digests."""

    clients: int
    contributions: bool
    applications: bool
    block_size: int

    def blockwise_files(self) -> tuple[str, ...]:
        """The large arrays, verified block by block as they are read (see `bundle.blocks`)."""
        optional = (CONTRIBUTIONS_FILE,) * self.contributions + (
            APPLICATIONS_NUMERIC_FILE,
            APPLICATIONS_CODES_FILE,
        ) * self.applications
        return (FEATURES_FILE, SCORES_FILE, GROUNDS_FILE, *optional)

    def files(self) -> tuple[str, ...]:
        """Every file of the store, as named in `Manifest.files`."""
        blockwise = self.blockwise_files()
        layout = (APPLICATIONS_LAYOUT_FILE,) * self.applications
        return (IDS_FILE, *layout, *blockwise, *(name + BLOCKS_SUFFIX for name in blockwise))


@dataclass(frozen=True)
class Importance:
    """Mean absolute contribution of one feature over the stored clients."""

    feature: str
    importance: float
    direction: int
    """+1 when higher values of the feature raise the risk over the stored clients (for an indicator:
    being in its category), -1 when they lower it, 0 when neither (a constant feature)."""


@dataclass(frozen=True)
class Manifest:
    """The typed content of `manifest.json` (format version 3)."""

    model_version: str
    created_at: str
    data_fingerprint: str
    model: ModelSpec
    features: tuple[FeatureSpec, ...]
    protected: tuple[str, ...] | None
    """Protected application columns kept out of the model; None when the features cannot be computed
    from an application (`application_features: null` in JSON), e.g. the predecessor's imported model."""
    threshold: float
    cost: dict[str, float]
    metrics: dict[str, Any]
    fairness: dict[str, Any]
    candidates: list[dict[str, Any]]
    global_importance: tuple[Importance, ...]
    example_client_ids: tuple[int, ...]
    store: StoreSpec
    files: dict[str, str]
    format_version: int = FORMAT_VERSION
    model_card: dict[str, Any] = field(default_factory=dict)
    """What a risk team signs off: discrimination with intervals, calibration, costs, fairness."""

    @functools.cached_property
    def feature_names(self) -> tuple[str, ...]:
        # Cached: requests read it, and a frozen dataclass never changes its features.
        return tuple(feature.name for feature in self.features)

    def required_files(self) -> tuple[str, ...]:
        """The files serving opens: each must be listed in `files` (and so verified)."""
        optional = (self.model.preprocess_file, self.model.calibration_file)
        model_files = (self.model.file, *(name for name in optional if name))
        return (*model_files, *self.store.files())

    def to_json(self) -> dict[str, Any]:
        """The JSON object written as `manifest.json`."""
        return {
            "format_version": self.format_version,
            "model_version": self.model_version,
            "created_at": self.created_at,
            "data_fingerprint": self.data_fingerprint,
            "model": {
                "kind": self.model.kind,
                "file": self.model.file,
                "preprocess_file": self.model.preprocess_file,
                "calibration_file": self.model.calibration_file,
                "estimator": self.model.estimator,
                "imbalance": self.model.imbalance,
                "params": self.model.params,
                "export_check": vars(self.model.export_check),
                "provenance": self.model.provenance,
            },
            "features": [vars(feature) for feature in self.features],
            "application_features": None if self.protected is None else {"protected": list(self.protected)},
            "threshold": self.threshold,
            "cost": self.cost,
            "metrics": self.metrics,
            "fairness": self.fairness,
            "candidates": self.candidates,
            "global_importance": [vars(item) for item in self.global_importance],
            "example_client_ids": list(self.example_client_ids),
            "store": vars(self.store),
            "model_card": self.model_card,
            "files": self.files,
        }

    @classmethod
    def from_json(cls, data: object) -> Manifest:
        """Check and type a parsed `manifest.json`; raises BundleError naming the first bad field."""
        root = _Fields(data, "manifest")
        version = root.get("format_version", int)
        if version != FORMAT_VERSION:
            raise BundleError(
                MANIFEST_FILE,
                f"format_version {version} is not supported (this code reads version {FORMAT_VERSION})",
            )
        model = root.object("model")
        kind = model.get("kind", str)
        if kind not in MODEL_KINDS:
            raise BundleError(MANIFEST_FILE, f"model.kind {kind!r} is not one of {', '.join(MODEL_KINDS)}")
        check = model.object("export_check")
        store = root.object("store")
        cost = root.object("cost")
        application_features = root.optional("application_features", dict)
        protected = (
            None
            if application_features is None
            else tuple(_Fields(application_features, "application_features").strings("protected"))
        )
        features = tuple(
            FeatureSpec(
                name=item.get("name", str), group=item.get("group", str), dtype=item.get("dtype", str)
            )
            for item in root.objects("features")
        )
        if len({feature.name for feature in features}) != len(features):
            raise BundleError(MANIFEST_FILE, "features: a feature name appears twice")
        return cls(
            format_version=version,
            model_version=root.get("model_version", str),
            created_at=root.get("created_at", str),
            data_fingerprint=root.get("data_fingerprint", str),
            model=ModelSpec(
                kind=kind,
                file=model.get("file", str),
                preprocess_file=model.optional("preprocess_file", str),
                calibration_file=model.optional("calibration_file", str),
                estimator=model.get("estimator", str),
                imbalance=model.optional("imbalance", str),
                params=model.get("params", dict),
                export_check=ExportCheck(
                    max_abs_diff=check.number("max_abs_diff"),
                    clients=check.get("clients", int),
                    tolerance=check.number("tolerance"),
                ),
                provenance=model.get("provenance", dict),
            ),
            features=features,
            protected=protected,
            threshold=root.probability("threshold"),
            cost={"fn": cost.number("fn"), "fp": cost.number("fp")},
            metrics=root.get("metrics", dict),
            fairness=root.get("fairness", dict),
            candidates=root.get("candidates", list),
            global_importance=tuple(
                Importance(
                    feature=item.get("feature", str),
                    importance=item.number("importance"),
                    direction=item.direction("direction"),
                )
                for item in root.objects("global_importance")
            ),
            example_client_ids=tuple(root.integers("example_client_ids")),
            store=StoreSpec(
                clients=store.get("clients", int),
                contributions=store.get("contributions", bool),
                applications=store.get("applications", bool),
                block_size=store.positive("block_size"),
            ),
            model_card=root.optional("model_card", dict) or {},
            files={name: _file_digest(name, digest) for name, digest in root.get("files", dict).items()},
        )


def read_manifest(bundle_dir: Path) -> Manifest:
    """Read and check `manifest.json` of a bundle directory; raises BundleError when absent or invalid."""
    path = Path(bundle_dir) / MANIFEST_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BundleError(MANIFEST_FILE, "is missing from the bundle directory", detail=str(path)) from None
    except OSError as error:
        raise os_error(MANIFEST_FILE, error) from None
    except UnicodeDecodeError as error:
        raise BundleError(MANIFEST_FILE, "is not UTF-8 text", detail=str(error)) from None
    return parse_manifest(text)


def parse_manifest(text: str | bytes) -> Manifest:
    """Parse and check the text of `manifest.json`; raises BundleError when it is not a valid manifest."""
    try:
        data = json.loads(text)
    except ValueError as error:
        raise BundleError(MANIFEST_FILE, f"is not valid JSON: {error}") from None
    return Manifest.from_json(data)


def dump_manifest(manifest: Manifest) -> str:
    """The text of `manifest.json` (strict JSON: NaN or infinity anywhere is an error, not a token)."""
    return json.dumps(manifest.to_json(), indent=2, allow_nan=False) + "\n"


class _Fields:
    """Typed access to one JSON object of the manifest; every failure names the field's path."""

    def __init__(self, data: object, path: str) -> None:
        if not isinstance(data, dict):
            raise BundleError(MANIFEST_FILE, f"{path} must be a JSON object")
        self._data: Mapping[str, object] = data
        self._path = path

    def _fail(self, key: str, expected: str) -> BundleError:
        return BundleError(MANIFEST_FILE, f"{self._path}.{key} must be {expected}")

    def get(self, key: str, kind: type[_T]) -> _T:
        if key not in self._data:
            raise BundleError(MANIFEST_FILE, f"{self._path}.{key} is missing")
        value = self._data[key]
        # bool is a subclass of int: a JSON true must not pass for a count.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self._fail(key, f"of JSON type {_JSON_NAMES[kind]}")
        return value

    def optional(self, key: str, kind: type[_T]) -> _T | None:
        """The field, or None when it is absent or null."""
        return None if self._data.get(key) is None else self.get(key, kind)

    def number(self, key: str) -> float:
        value = self.get(key, object)
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise self._fail(key, "a finite number")
        return float(value)

    def direction(self, key: str) -> int:
        value = self.get(key, int)
        if value not in (-1, 0, 1):
            raise self._fail(key, "-1, 0 or 1")
        return value

    def positive(self, key: str) -> int:
        value = self.get(key, int)
        if value < 1:
            raise self._fail(key, "a positive integer")
        return value

    def probability(self, key: str) -> float:
        value = self.number(key)
        if not 0.0 <= value <= 1.0:
            raise self._fail(key, "between 0 and 1")
        return value

    def object(self, key: str) -> _Fields:
        return _Fields(self.get(key, dict), f"{self._path}.{key}")

    def objects(self, key: str) -> list[_Fields]:
        return [_Fields(item, f"{self._path}.{key}[{i}]") for i, item in enumerate(self.get(key, list))]

    def strings(self, key: str) -> list[str]:
        values = self.get(key, list)
        if not all(isinstance(value, str) for value in values):
            raise self._fail(key, "a list of strings")
        return values

    def integers(self, key: str) -> list[int]:
        values = self.get(key, list)
        if not all(isinstance(value, int) and not isinstance(value, bool) for value in values):
            raise self._fail(key, "a list of integers")
        return values


_JSON_NAMES: Final[dict[type, str]] = {
    object: "any value",
    str: "string",
    int: "integer",
    bool: "boolean",
    dict: "object",
    list: "array",
}
_SHA256 = re.compile(r"[0-9a-f]{64}")


def _file_digest(name: str, digest: object) -> str:
    """One entry of `files`, checked: the name cannot reach outside the bundle (it becomes a local path
    when a bundle is downloaded from S3) and the digest is a lowercase sha256."""
    if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
        raise BundleError(MANIFEST_FILE, f"files[{name!r}] must be a lowercase sha256 hex digest")
    path = PurePosixPath(name)
    if path.is_absolute() or not path.parts or ".." in path.parts or "\\" in name or name == MANIFEST_FILE:
        raise BundleError(MANIFEST_FILE, f"files[{name!r}] must be a relative path inside the bundle")
    return digest
