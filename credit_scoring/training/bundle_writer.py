"""Write a complete bundle (training side): export, store, manifest, then one rename into place.

Everything is written into a hidden sibling directory of `out_dir`; the bundle is then read back with
the serving loader (so a bundle that serving would refuse is never published) and renamed into place.
A failure at any step removes the partial directory, so `out_dir` is either absent, the previous
bundle, or the complete new one.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import joblib
import numpy as np
import pandas as pd

from credit_scoring import schema
from credit_scoring.bundle.blocks import BLOCK_SIZE
from credit_scoring.bundle.integrity import sha256_file
from credit_scoring.bundle.loader import LoadedBundle, load_bundle
from credit_scoring.bundle.manifest import (
    MANIFEST_FILE,
    ExportCheck,
    FeatureSpec,
    Importance,
    Manifest,
    ModelSpec,
    StoreSpec,
    dump_manifest,
)
from credit_scoring.bundle.population import FEATURE_POPULATION_FILE
from credit_scoring.bundle.store import MISSING_CODE, ApplicationTable, FeatureStore
from credit_scoring.features.application import ApplicationFeatures
from credit_scoring.monitoring.reference import REFERENCE_FILE, Reference, build_reference
from credit_scoring.reasons import catalogue
from credit_scoring.reasons.grounds import DecisionGrounds
from credit_scoring.reasons.wording import ReasonWording
from credit_scoring.scoring.linear import LinearModel
from credit_scoring.scoring.scorer import Scorer
from credit_scoring.training.export import ExportedModel, export_pipeline

PIPELINE_FILE: Final = "model.joblib"
REPORTS_DIR: Final = "reports"
POPULATION_FILE: Final = "population.json"
LINEAR_FILE: Final = "serving/model.json"
LIGHTGBM_FILE: Final = "serving/model.txt"
PREPROCESS_FILE: Final = "serving/preprocess.json"
CALIBRATION_FILE: Final = "serving/calibration.json"
EXAMPLE_CLIENTS: Final = 5
CHECK_ROWS: Final = 50_000
"""Rows of contributions recomputed at a time when the stored scores and grounds are checked: bounded
memory."""


@dataclass(frozen=True)
class ReferencePopulation:
    """The clients monitoring compares new populations with (every training client): their ids, model
    input rows (features order) and raw application rows (SK_ID_CURR as column or index)."""

    ids: np.ndarray
    X: np.ndarray
    applications: pd.DataFrame


def write_bundle(
    out_dir: Path,
    *,
    pipeline: Any,
    features: Sequence[str],
    groups: Sequence[str],
    ids: np.ndarray,
    X: np.ndarray,
    threshold: float,
    cost: Mapping[str, float],
    data_fingerprint: str,
    protected: Sequence[str] | None,
    imbalance: str | None = None,
    metrics: Mapping[str, Any] | None = None,
    candidates: Sequence[Mapping[str, Any]] = (),
    fairness: Mapping[str, Any] | None = None,
    applications: pd.DataFrame | None = None,
    population: Mapping[str, Any] | None = None,
    feature_population: Mapping[str, Any] | None = None,
    provenance: Mapping[str, Any] | None = None,
    reports: Mapping[str, str] | None = None,
    model_card: Mapping[str, Any] | None = None,
    reference: ReferencePopulation | None = None,
    overwrite: bool = False,
) -> Manifest:
    """Export `pipeline`, check it on every stored client, and write the bundle to `out_dir`.

    `ids`/`X` are the stored clients (any order; the store is sorted by id) with columns in `features`
    order, `groups` the per-feature group ("application" or a history table). `protected` lists the
    protected application columns kept out of the model, or is None when the features cannot be
    computed from an application (an imported model). `applications` holds the clients' raw
    application fields (SK_ID_CURR as column or index), stored less the protected columns.
    `population` and `feature_population` (`bundle.population`, `training.feature_population`) are the
    dashboard's summaries of the training population. `reports`
    are text files for people (e.g. the candidate comparison), written under reports/ and hashed like
    every other file. `reference`, for a model of this code's features, is frozen as
    `monitoring/reference.json` (`credit_scoring.monitoring.reference`): its scores by the exported model,
    and the raw application inputs the model reads.
    A model of this code's features (`protected` not None) must have every feature in the reason
    catalogue, so that each of its reasons can be said in words; an imported model keeps its own names.
    Raises ExportError, ValueError (bad input; `catalogue.MissingFromCatalogueError` naming the features
    without an entry) or FileExistsError (`out_dir` exists, no `overwrite`).
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not overwrite:
        raise FileExistsError(f"{out_dir} already exists (pass overwrite=True to replace it)")
    names = tuple(features)
    if protected is not None:
        catalogue.require(names)
    ids, X = _sorted_store(ids, X, names)
    if len(groups) != len(names):
        raise ValueError(f"groups must give one group per feature ({len(names)}), got {len(groups)}")
    exported = export_pipeline(pipeline, names, X)
    table = None if applications is None else application_table(applications, ids, protected or ())
    store_contributions = exported.kind == "lightgbm"  # a linear model's are a product: cheaper than a read

    partial = out_dir.parent / f".{out_dir.name}.partial-{uuid.uuid4().hex[:8]}"
    partial.mkdir(parents=True)
    try:
        joblib.dump(pipeline, partial / PIPELINE_FILE)
        model_file, preprocess_file = _write_serving_model(partial, exported)
        stored_contributions = exported.contributions if store_contributions else None
        calibration_file = _write_calibration(partial, exported)
        scorer = Scorer(exported.model, threshold, calibration=exported.calibration)
        scores = scorer.scores(X, stored_contributions)
        grounds = DecisionGrounds.of_model(ReasonWording(names), scorer.max_reasons, protected is not None)
        stored_grounds = grounds.table(X, exported.contributions)
        FeatureStore.write(partial, ids, X, scores, stored_grounds, stored_contributions, table, BLOCK_SIZE)
        if population is not None:
            _write_json(partial / POPULATION_FILE, population)
        if feature_population is not None:
            # Compact: it summarises every feature, and the bundle ships in a Lambda layer.
            _write_json(partial / FEATURE_POPULATION_FILE, feature_population, separators=(",", ":"))
        if reference is not None and protected is not None:
            frozen = monitoring_reference(exported, reference, protected)
            (partial / REFERENCE_FILE).parent.mkdir(parents=True, exist_ok=True)
            (partial / REFERENCE_FILE).write_text(frozen.dumps(), encoding="utf-8")
        for name, text in (reports or {}).items():
            report = partial / REPORTS_DIR / name
            report.parent.mkdir(parents=True, exist_ok=True)
            report.write_text(text, encoding="utf-8")
        files = {
            path.relative_to(partial).as_posix(): sha256_file(path)
            for path in sorted(partial.rglob("*"))
            if path.is_file()
        }
        now = datetime.now(UTC)
        # The version's hash covers what decides (model, store, summaries), not the reports for people,
        # whose timings differ between two otherwise identical trainings.
        decisive = {n: d for n, d in files.items() if not n.startswith(f"{REPORTS_DIR}/")}
        content_hash = hashlib.sha256("".join(f"{n}:{d}\n" for n, d in sorted(decisive.items())).encode())
        manifest = Manifest(
            model_version=f"{now:%Y%m%dT%H%M%SZ}-{content_hash.hexdigest()[:8]}",
            created_at=f"{now:%Y-%m-%dT%H:%M:%SZ}",
            data_fingerprint=data_fingerprint,
            model=ModelSpec(
                kind=exported.kind,
                file=model_file,
                preprocess_file=preprocess_file,
                calibration_file=calibration_file,
                estimator=exported.estimator,
                imbalance=imbalance,
                params=exported.params,
                export_check=ExportCheck(exported.max_abs_diff, exported.rows_checked, exported.tolerance),
                provenance=dict(provenance or {}),
            ),
            features=tuple(FeatureSpec(name, group) for name, group in zip(names, groups, strict=True)),
            protected=None if protected is None else tuple(protected),
            threshold=float(threshold),
            cost={"fn": float(cost["fn"]), "fp": float(cost["fp"])},
            metrics=dict(metrics or {}),
            fairness=dict(fairness or {}),
            candidates=[dict(candidate) for candidate in candidates],
            global_importance=global_importance(names, X, exported.contributions),
            example_client_ids=tuple(
                int(i) for i in ids[np.linspace(0, len(ids) - 1, EXAMPLE_CLIENTS).astype(int)]
            ),
            store=StoreSpec(
                clients=len(ids),
                contributions=store_contributions,
                applications=table is not None,
                block_size=BLOCK_SIZE,
            ),
            files=files,
            model_card=dict(model_card or {}),
        )
        (partial / MANIFEST_FILE).write_text(dump_manifest(manifest), encoding="utf-8")
        # The serving side's own checks (hashes, shapes, model files, features), then its scores.
        loaded = load_bundle(partial)
        check_stored(loaded, grounds)
        _publish(partial, out_dir, overwrite)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return manifest


def check_stored(bundle: LoadedBundle, grounds: DecisionGrounds) -> None:
    """Raise ValueError unless every stored score and every stored client's grounds equal, bit for bit,
    what the loaded bundle's scorer and `grounds` compute from the stored features and the serving
    model's contributions (stored ones, when the store has them): the computation an application's
    decision goes through. Contributions are computed once per block of rows, for both."""
    store, scorer = bundle.store, bundle.scorer
    features, contributions = store.features, store.all_contributions
    stored = {"scores": store.all_scores, "grounds": store.all_grounds}
    source = {"scores": "the serving scorer's", "grounds": "the serving computation's"}
    for start in range(0, len(store), CHECK_ROWS):
        rows = slice(start, start + CHECK_ROWS)
        X = features[rows]
        C = scorer.model.contributions(X) if contributions is None else contributions[rows]
        expected = {"scores": scorer.scores(X, C), "grounds": grounds.table(X, C)}
        for kind, records in expected.items():
            for name in records.dtype.names or ():
                if not np.array_equal(stored[kind][rows][name], records[name], equal_nan=True):
                    raise ValueError(f"stored {kind}: {name} differs from {source[kind]}")


def monitoring_reference(
    exported: ExportedModel, population: ReferencePopulation, protected: Sequence[str]
) -> Reference:
    """The reference of `population`: the calibrated probability the exported model gives each client,
    and each raw application input the model reads (`ApplicationFeatures.input_columns`)."""
    X = np.asarray(population.X, dtype=np.float64)
    probabilities = exported.calibration.probability(exported.model.raw_score(X))
    table = application_table(population.applications, np.asarray(population.ids), protected)
    read = set(ApplicationFeatures(tuple(protected)).input_columns)
    numeric = {
        column: table.numeric[:, j] for j, column in enumerate(table.numeric_columns) if column in read
    }
    categorical = {
        column: (table.codes[:, j], vocabulary)
        for j, (column, vocabulary) in enumerate(table.vocabularies.items())
        if column in read
    }
    return build_reference(probabilities, numeric, categorical)


def global_importance(
    names: Sequence[str], X: np.ndarray, contributions: np.ndarray
) -> tuple[Importance, ...]:
    """Mean |contribution| of each feature over the stored clients `X`, largest first, with the direction
    of its effect: the sign of the covariance of its known values with its contributions."""
    C = contributions[:, :-1]
    means = np.abs(C).mean(axis=0)
    known = ~np.isnan(X)
    counts = known.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):  # a feature never known has no direction
        values = np.where(known, X - np.nansum(X, axis=0) / counts, 0.0)
        parts = np.where(known, C - np.where(known, C, 0.0).sum(axis=0) / counts, 0.0)
    covariance = (values * parts).sum(axis=0)
    scale = np.abs(C).sum(axis=0) * np.nanmax(np.abs(values), axis=0, initial=0.0)
    # Covariances lost in rounding (a constant feature, a feature the model gives no weight) are 0.
    direction = np.where(np.abs(covariance) > 1e-12 * scale, np.sign(covariance), 0.0)
    order = np.argsort(-means, kind="stable")
    return tuple(Importance(names[j], float(means[j]), int(direction[j])) for j in order)


def application_table(frame: pd.DataFrame, ids: np.ndarray, protected: Sequence[str]) -> ApplicationTable:
    """The raw application fields of the clients `ids`, in that order, without protected columns.

    Categories become codes into `schema.APPLICATION_CATEGORIES`; a value outside the vocabulary, an
    unknown column or a client without a row is a ValueError naming it.
    """
    if schema.CLIENT_ID in frame.columns:
        frame = frame.set_index(schema.CLIENT_ID)
    if frame.index.has_duplicates:
        raise ValueError(
            f"applications: {schema.CLIENT_ID} {frame.index[frame.index.duplicated()][0]} appears twice"
        )
    known = schema.application_columns()
    unknown = [column for column in frame.columns if column not in known and column != schema.TARGET]
    if unknown:
        raise ValueError(f"applications: unknown columns {unknown[:5]}")
    missing = ids[~np.isin(ids, frame.index.to_numpy())]
    if len(missing):
        raise ValueError(
            f"applications: no row for {len(missing)} stored clients, e.g. {schema.CLIENT_ID} {missing[0]}"
        )
    frame = frame.reindex(ids)
    columns = [c for c in known if c != schema.CLIENT_ID and c not in set(protected)]
    numeric_columns = [c for c in columns if known[c] != schema.CATEGORY]
    vocabularies = {c: schema.APPLICATION_CATEGORIES[c] for c in columns if known[c] == schema.CATEGORY}
    numeric = np.full((len(ids), len(numeric_columns)), np.nan)
    for j, column in enumerate(numeric_columns):
        if column in frame.columns:
            try:
                numeric[:, j] = pd.to_numeric(frame[column], errors="raise").to_numpy(dtype=np.float64)
            except (ValueError, TypeError) as error:
                raise ValueError(f"applications: column {column} must be numeric ({error})") from None
    codes = np.full((len(ids), len(vocabularies)), MISSING_CODE, dtype=np.int16)
    for j, (column, vocabulary) in enumerate(vocabularies.items()):
        if column in frame.columns:
            codes[:, j] = _encode(frame[column], column, vocabulary)
    return ApplicationTable(tuple(columns), tuple(numeric_columns), numeric, vocabularies, codes)


def _encode(values: pd.Series, column: str, vocabulary: tuple[str, ...]) -> np.ndarray:
    code_of = {label: code for code, label in enumerate(vocabulary)}
    present = values.notna().to_numpy()
    # object dtype: a pandas Categorical would refuse the missing code as a new category
    codes = values.astype(object).map(code_of)
    unknown = present & codes.isna().to_numpy()
    if unknown.any():
        row = int(np.argmax(unknown))
        raise ValueError(
            f"applications: column {column} has {values.iloc[row]!r} for {schema.CLIENT_ID} "
            f"{values.index[row]}, outside its vocabulary {list(vocabulary)}"
        )
    return np.where(present, codes.fillna(MISSING_CODE).to_numpy(dtype=np.float64), MISSING_CODE).astype(
        np.int16
    )


def _sorted_store(ids: np.ndarray, X: np.ndarray, names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    ids = np.asarray(ids)
    X = np.asarray(X, dtype=np.float64)
    if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"ids must be a 1-D array of integers, got {ids.dtype} with shape {ids.shape}")
    if len(set(names)) != len(names):
        raise ValueError("features: a feature name appears twice")
    if X.shape != (len(ids), len(names)):
        raise ValueError(f"X must have shape ({len(ids)}, {len(names)}) (clients, features), got {X.shape}")
    if len(ids) == 0:
        raise ValueError("the store must hold at least one client")
    order = np.argsort(ids, kind="stable")
    ids, X = ids[order].astype(np.int64), X[order]
    duplicated = ids[1:][ids[1:] == ids[:-1]]
    if len(duplicated):
        raise ValueError(f"ids: {schema.CLIENT_ID} {duplicated[0]} appears more than once")
    return ids, X


def _write_serving_model(bundle_dir: Path, exported: ExportedModel) -> tuple[str, str | None]:
    (bundle_dir / "serving").mkdir()
    model = exported.model
    if isinstance(model, LinearModel):
        (bundle_dir / LINEAR_FILE).write_text(model.dumps(), encoding="utf-8")
        return LINEAR_FILE, None
    (bundle_dir / LIGHTGBM_FILE).write_text(model.model_text, encoding="utf-8")
    (bundle_dir / PREPROCESS_FILE).write_text(model.dumps_preprocess(), encoding="utf-8")
    return LIGHTGBM_FILE, PREPROCESS_FILE


def _write_calibration(bundle_dir: Path, exported: ExportedModel) -> str | None:
    """serving/calibration.json when the model is calibrated; None serves sigmoid(raw score)."""
    if not exported.calibration.calibrated:
        return None
    (bundle_dir / CALIBRATION_FILE).write_text(exported.calibration.dumps(), encoding="utf-8")
    return CALIBRATION_FILE


def _write_json(path: Path, content: Mapping[str, Any], **dumps: Any) -> None:
    path.write_text(json.dumps(content, allow_nan=False, **dumps) + "\n", encoding="utf-8")


def _publish(partial: Path, out_dir: Path, overwrite: bool) -> None:
    """Rename the finished bundle into place; an existing one (with `overwrite`) is moved aside first and
    removed once the new one is in place, so a reader sees the old bundle or the new one, never a mix."""
    if not out_dir.exists():
        partial.rename(out_dir)
        return
    if not overwrite:
        raise FileExistsError(f"{out_dir} already exists (pass overwrite=True to replace it)")
    previous = out_dir.parent / f".{out_dir.name}.previous-{uuid.uuid4().hex[:8]}"
    out_dir.rename(previous)
    partial.rename(out_dir)
    shutil.rmtree(previous)
