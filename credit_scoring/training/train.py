"""Training from a data directory to a bundle: the one orchestration behind `credit-scoring train`.

load → features → stratified train/test split → cross-validated search of every candidate → champion
(lowest out-of-fold business cost among eligible candidates) → refit on the whole training split →
calibrated on the champion's out-of-fold scores → metrics, fairness and the model card on the held-out
test split → bundle (export, store of every client or a sample,
population summaries, comparison table) → MLflow outcome. The bundle directory appears only when complete, and
the MLflow parent run ends FAILED if anything on the way fails.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from credit_scoring import schema
from credit_scoring.bundle.manifest import Manifest
from credit_scoring.training import report
from credit_scoring.training.calibration import CalibratedPipeline
from credit_scoring.training.candidates import SearchPlan, candidates
from credit_scoring.training.cost import CostWeights
from credit_scoring.training.errors import TrainingError
from credit_scoring.training.eta import SearchEta
from credit_scoring.training.fairness import fairness_report, gap_lines, protected_groups
from credit_scoring.training.fingerprint import data_fingerprint
from credit_scoring.training.metrics import calibration_metrics, decision_metrics, format_rate
from credit_scoring.training.model_card import model_card, report_files
from credit_scoring.training.search import (
    CandidateResult,
    choose_champion,
    search_candidate,
    stratified_folds,
)
from credit_scoring.training.tracking import training_run

if TYPE_CHECKING:
    from credit_scoring.data.validation import Inspection
    from credit_scoring.training.feature_frame import FeatureFrame

DEFAULT_PROTECTED: Final = ("CODE_GENDER",)
MIN_DEFAULTS_PER_FOLD: Final = 10
"""Each training fold must keep enough defaulters for SMOTE's 5 neighbours and a stable AUC."""


@dataclass(frozen=True)
class TrainingOptions:
    """Everything `train` may be told besides where the data is and where the bundle goes."""

    plan: SearchPlan
    seed: int = 42
    cost: CostWeights = field(default_factory=CostWeights)
    max_auc_gap: float = 0.05
    protected: tuple[str, ...] = DEFAULT_PROTECTED
    test_size: float = 0.2
    n_jobs: int = 2
    """Parallel (configuration, fold) fits during the search."""
    application_only: bool = False
    """Read application_train alone, ignoring any history table beside it."""
    overwrite: bool = False
    store_clients: int | None = None
    """Clients kept in the bundle's feature store (a seeded random sample); None keeps every client.
    The model is trained on every client either way: this bounds the bundle's size (the committed
    default bundle must stay small), not what the model learns from."""

    def __post_init__(self) -> None:
        if self.store_clients is not None and self.store_clients < 1:
            raise TrainingError(f"the store must keep at least 1 client, got {self.store_clients}")
        if not 0.0 < self.test_size < 1.0:
            raise TrainingError(f"test size must be between 0 and 1 (exclusive), got {self.test_size}")
        if not self.max_auc_gap >= 0.0:
            raise TrainingError(f"the maximum AUC gap must be 0 or more, got {self.max_auc_gap}")
        unknown = [name for name in self.protected if name not in _PROTECTABLE]
        if unknown:
            raise TrainingError(
                f"protected column {unknown[0]} is not an application column "
                f"(expected one of application_train's columns, e.g. CODE_GENDER)"
            )


_PROTECTABLE: Final = frozenset(schema.application_columns()) - {schema.CLIENT_ID}


@dataclass(frozen=True)
class TrainingOutcome:
    """What a training produced: the bundle's manifest, every candidate's result, the champion's."""

    manifest: Manifest
    results: tuple[CandidateResult, ...]
    champion: CandidateResult
    table: str
    """The comparison table, Markdown."""
    seconds: float


def split_indices(target: np.ndarray, test_size: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Row indices of the stratified training and held-out test splits."""
    rows = np.arange(target.size)
    train, test = train_test_split(rows, test_size=test_size, stratify=target, random_state=seed)
    return np.sort(train), np.sort(test)


def _check_classes(target: np.ndarray, options: TrainingOptions, file: str) -> None:
    """Enough defaulters and repaid clients for every fold and for the test split."""
    needed = int(np.ceil(MIN_DEFAULTS_PER_FOLD * options.plan.folds / (1.0 - options.test_size)))
    counts = np.bincount(target, minlength=2)
    if counts.min() < needed:
        raise TrainingError(
            f"{file}: TARGET has {counts[1]} defaults and {counts[0]} repaid clients; a "
            f"{options.plan.folds}-fold search with a {options.test_size:g} test split needs at least "
            f"{needed} of each"
        )


def _refit(result: CandidateResult, X: np.ndarray, y: np.ndarray) -> CalibratedPipeline:
    """The champion's pipeline with its retained parameters, fitted on the whole training split (with the
    search's single LightGBM thread, so that the same seed gives the same model), followed by the
    calibrator fitted on its out-of-fold scores."""
    pipeline = result.candidate.build().set_params(**result.best.params).fit(X, y)
    return CalibratedPipeline(pipeline, result.calibration.calibrator, result.calibration.method)


def search_sample(y: np.ndarray, search_clients: int | None, seed: int) -> np.ndarray:
    """Rows of the training split the candidates are compared on: all, or a stratified seeded sample."""
    rows = np.arange(y.size)
    if search_clients is None or search_clients >= y.size:
        return rows
    sample, _ = train_test_split(rows, train_size=search_clients, stratify=y, random_state=seed)
    return np.sort(sample)


def _search_all(
    X: np.ndarray,
    y: np.ndarray,
    options: TrainingOptions,
    progress: Callable[[str], None],
    log_candidate: Callable[[CandidateResult], None],
) -> list[CandidateResult]:
    """Search every candidate on the same folds, one progress line each with the time left."""
    folds = stratified_folds(y, options.plan.folds, options.seed)
    class_ratio = float(np.sum(y == 0) / np.sum(y == 1))
    pool = candidates(options.plan, options.seed, class_ratio)
    eta = SearchEta(pool, options.seed)
    start = time.perf_counter()
    results = []
    for index, candidate in enumerate(pool, start=1):
        result = search_candidate(
            candidate, X, y, folds, options.cost, options.max_auc_gap, options.seed, options.n_jobs
        )
        log_candidate(result)
        results.append(result)
        eta.finished(candidate, result.configs_tried, result.seconds)
        line = report.progress_line(index, len(pool), result, len(folds), time.perf_counter() - start)
        progress(f"{line}; {eta.left()}")
    return results


def _on_every_client(
    champion: CandidateResult, X: np.ndarray, y: np.ndarray, options: TrainingOptions
) -> CandidateResult:
    """The champion's retained configuration cross-validated on every training client, so that its
    calibration, threshold and CV figures are those of the model that is served, not of the sample's."""
    single = dataclasses.replace(
        champion.candidate,
        space=({name: [value] for name, value in champion.best.params.items()},),
        configs=1,
    )
    folds = stratified_folds(y, options.plan.folds, options.seed)
    result = search_candidate(
        single, X, y, folds, options.cost, options.max_auc_gap, options.seed, options.n_jobs
    )
    return dataclasses.replace(result, eligible=champion.eligible, reason=champion.reason)


def train(
    data_dir: Path,
    out_dir: Path,
    options: TrainingOptions,
    progress: Callable[[str], None] = lambda line: None,
) -> TrainingOutcome:
    """Train, select, evaluate and write the bundle to `out_dir` (see the module docstring).

    Raises DataError (unusable data), TrainingError (data or options that cannot give a sound model),
    FileExistsError (`out_dir` exists and `options.overwrite` is false).
    """
    from credit_scoring.bundle.population import build_population
    from credit_scoring.data import load_data, table_paths
    from credit_scoring.training.bundle_writer import ReferencePopulation, write_bundle
    from credit_scoring.training.feature_frame import build_applicant_features
    from credit_scoring.training.feature_population import build_feature_population

    start = time.perf_counter()
    out_dir = Path(out_dir)
    if out_dir.exists() and not options.overwrite:
        raise FileExistsError(f"{out_dir} already exists: choose another --out, or pass --overwrite")

    history = not options.application_only
    fingerprint = data_fingerprint(list(table_paths(Path(data_dir), history=history).values()))
    data = load_data(Path(data_dir), history=history, progress=progress)
    for notice in data.notices():
        progress(f"notice: {notice}")
    read = time.perf_counter()
    frame, applicants = build_applicant_features(data.tables, options.protected)
    tables = ", ".join(sorted(data.tables))
    # The raw tables are the largest thing held (gigabytes at Kaggle's volume): only their notices stay.
    data = dataclasses.replace(data, tables={})
    progress(f"features built in {time.perf_counter() - read:.1f} s")
    file = f"{schema.APPLICATION}.csv"
    if frame.target is None:
        raise TrainingError(f"{file}: no {schema.TARGET} column, so there is nothing to learn from")
    _check_classes(frame.target, options, file)
    progress(
        f"loaded {frame.ids.size:,} clients × {len(frame.names)} features "
        f"({tables}) in {time.perf_counter() - start:.1f} s"
    )

    train_rows, test_rows = split_indices(frame.target, options.test_size, options.seed)
    X_train, y_train = frame.X[train_rows], frame.target[train_rows]
    params = {
        "search": options.plan.name,
        "folds": options.plan.folds,
        "seed": options.seed,
        "cost_fn": options.cost.fn,
        "cost_fp": options.cost.fp,
        "max_auc_gap": options.max_auc_gap,
        "protected": ",".join(options.protected),
        "test_size": options.test_size,
        "clients": int(frame.ids.size),
        "features": len(frame.names),
        "data_fingerprint": fingerprint,
    }
    searched = search_sample(y_train, options.plan.search_clients, options.seed)
    params["search_clients"] = int(searched.size)
    with training_run(f"train-{options.plan.name}", params) as run:
        if searched.size < y_train.size:
            progress(f"comparing the candidates on a stratified sample of {searched.size:,} training clients")
        results = _search_all(
            X_train[searched],
            y_train[searched],
            options,
            progress,
            lambda result: run.log_candidate(result, options.plan.folds),
        )
        champion = choose_champion(results)
        if searched.size < y_train.size:
            started = time.perf_counter()
            # A fit's time grows at least linearly with the clients: the sample's time scaled is a floor.
            estimate = champion.seconds / champion.configs_tried * y_train.size / searched.size
            progress(
                f"champion: {champion.candidate.name}; cross-validating it on all {y_train.size:,} training "
                f"clients (at least {estimate:.0f} s)"
            )
            champion = _on_every_client(champion, X_train, y_train, options)
            progress(
                f"champion on every client: CV AUC {champion.best.cv_auc:.4f}, cost "
                f"{champion.threshold.cost_per_client:.4f} at {champion.threshold.threshold:.3f} "
                f"({time.perf_counter() - started:.0f} s)"
            )
        progress(f"champion: {champion.candidate.name}; refitting on {train_rows.size:,} clients")
        pipeline = _refit(champion, X_train, y_train)

        y_test = frame.target[test_rows]
        test_probability = pipeline.predict_proba(frame.X[test_rows])[:, 1]
        threshold = champion.threshold.threshold
        test_metrics = {
            **decision_metrics(y_test, test_probability, threshold, options.cost),
            "calibration": calibration_metrics(y_test, test_probability),
        }
        fairness = fairness_report(
            y_test,
            test_probability,
            threshold,
            protected_groups(frame.applications.iloc[test_rows], options.protected),
        )
        card = model_card(
            y_test,
            test_probability,
            threshold,
            options.cost,
            {"method": pipeline.method, "calibrated": True, "cv": champion.calibration.scores},
            fairness,
            options.seed,
        )
        rows = report.candidate_rows(results, champion.candidate.name)
        best = champion.best
        metrics = {
            "cv": {
                "auc": best.cv_auc,
                "auc_std": best.cv_auc_std,
                "train_auc": best.train_auc,
                "auc_gap": best.auc_gap,
                "business_cost": champion.threshold.cost_per_client,
                "folds": options.plan.folds,
                "n": int(train_rows.size),
            },
            "test": test_metrics,
        }
        progress("writing the bundle (export check on every stored client, store, population summaries)")
        store = stored_clients(frame, applicants, options.store_clients, options.seed)
        table = report.markdown_table(rows)
        comparison = {report.MARKDOWN_FILE: table, report.CSV_FILE: report.csv_table(rows)}
        notes = data_notes(data, store)
        reports = {**comparison, **report_files(card), report.DATA_FILE: report.data_markdown(notes)}
        manifest = write_bundle(
            out_dir,
            pipeline=pipeline,
            features=frame.names,
            groups=frame.groups,
            ids=store.ids,
            X=store.X,
            threshold=threshold,
            cost={"fn": options.cost.fn, "fp": options.cost.fp},
            data_fingerprint=fingerprint,
            protected=options.protected,
            imbalance=champion.candidate.imbalance,
            metrics=metrics,
            candidates=rows,
            fairness=fairness,
            applications=store.applications,
            population=build_population(frame.X, frame.names, frame.target, seed=options.seed),
            feature_population=build_feature_population(frame.X, frame.names, frame.target),
            provenance={
                "training": {**params, "champion": champion.candidate.name},
                "data": notes,
            },
            reports=reports,
            model_card=card,
            reference=ReferencePopulation(frame.ids, frame.X, frame.applications),
            overwrite=options.overwrite,
        )
        run.log_outcome(
            champion.candidate.name,
            metrics={
                f"test_{key}": value
                for key, value in test_metrics.items()
                if key in ("auc", "business_cost", "precision", "recall")
            },
            tags={"model_version": manifest.model_version, "bundle": str(out_dir.resolve())},
            artifacts=reports,  # the same files in the bundle and in MLflow
        )
    return TrainingOutcome(
        manifest=manifest,
        results=tuple(results),
        champion=champion,
        table=table,
        seconds=time.perf_counter() - start,
    )


def summary_lines(outcome: TrainingOutcome) -> list[str]:
    """The human summary `train` prints after the comparison table."""
    manifest = outcome.manifest
    test = manifest.metrics["test"]
    matrix = test["confusion_matrix"]
    lines = [
        f"champion: {outcome.champion.candidate.name} (model version {manifest.model_version})",
        f"threshold {manifest.threshold:.3f} (chosen on calibrated out-of-fold predictions; decision "
        f"theory {manifest.model_card['threshold']['decision_theory']:.3f}); cost weights "
        f"fn={manifest.cost['fn']:g}, fp={manifest.cost['fp']:g}",
        f"probabilities calibrated ({manifest.model_card['calibration']['method']}): test Brier "
        f"{test['calibration']['brier']:.4f} (base rate {test['calibration']['brier_base_rate']:.4f}), ECE "
        f"{test['calibration']['ece']:.4f}, mean predicted {test['calibration']['mean_probability']:.4f} "
        f"against {test['calibration']['default_rate']:.4f} observed",
        f"CV AUC {manifest.metrics['cv']['auc']:.4f}; test AUC {test['auc']:.4f}, business cost "
        f"{test['business_cost']:.4f} per client, precision {format_rate(test['precision'])}, "
        f"recall {format_rate(test['recall'])} on {test['n']:,} held-out clients",
        f"confusion matrix at the threshold: TN {matrix['tn']}  FP {matrix['fp']}  FN {matrix['fn']}  "
        f"TP {matrix['tp']}",
        "fairness on the test split (largest gaps between groups):",
        *(f"  {line}" for line in gap_lines(manifest.fairness)),
        f"done in {outcome.seconds:.0f} s",
    ]
    return lines


def store_rows(n_clients: int, store_clients: int | None, seed: int) -> np.ndarray:
    """Indices of the clients the bundle's store keeps: all of them, or a seeded sample, in order."""
    if store_clients is None or store_clients >= n_clients:
        return np.arange(n_clients)
    return np.sort(np.random.default_rng(seed).choice(n_clients, size=store_clients, replace=False))


@dataclass(frozen=True)
class StoredClients:
    """The clients of the bundle's store: training clients and applicants to decide, features and rows."""

    ids: np.ndarray
    X: np.ndarray
    applications: pd.DataFrame
    training_clients: int
    applicants: int


def stored_clients(
    frame: FeatureFrame, applicants: FeatureFrame | None, store_clients: int | None, seed: int
) -> StoredClients:
    """Every client of application_train and application_test (the applicants the bank must decide),
    or a seeded sample of `store_clients` of them."""
    frames = [frame] if applicants is None else [frame, applicants]
    ids = np.concatenate([part.ids for part in frames])
    X = frame.X if applicants is None else np.concatenate([frame.X, applicants.X])
    rows = store_rows(ids.size, store_clients, seed)
    training = int(np.sum(rows < frame.ids.size))
    every = rows.size == ids.size  # no copy of the whole matrix when the store keeps every client
    return StoredClients(
        ids=ids if every else ids[rows],
        X=X if every else X[rows],
        applications=pd.concat([part.applications for part in frames], ignore_index=True).iloc[rows],
        training_clients=training,
        applicants=int(rows.size) - training,
    )


def data_notes(data: Inspection, store: StoredClients) -> dict[str, Any]:
    """What the manifest records about the data beside its fingerprint: rows that link to no training
    client (by table), files ignored, and which clients the store holds."""
    return {
        "unlinked_rows": [item.as_dict() for item in data.unlinked],
        "ignored_files": list(data.ignored),
        "store": {"training_clients": store.training_clients, "applicants": store.applicants},
    }
