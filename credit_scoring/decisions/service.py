"""`DecisionService`: what every entry point asks of a loaded bundle, decisions for stored clients and
for applications, one row or a block of rows, and explanations.

What depends only on the bundle (where each application feature goes in the model's input) is worked
out once, when the service is built. A stored client's score and the grounds of its decision were
computed when the bundle was written (and checked against this code before publication), so a stored
client's decision costs a binary search and three record reads. Applications are scored when they
arrive, by one function for one application (the API) and for thousands (batch files).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from credit_scoring.bundle.errors import BundleError
from credit_scoring.bundle.loader import BundleUnavailable, LoadedBundle
from credit_scoring.bundle.manifest import MANIFEST_FILE, Manifest
from credit_scoring.decisions.errors import ApplicationsNotScoredError, InvalidValueError, UnknownClientError
from credit_scoring.features.application import ApplicationFeatures, CodedLabels
from credit_scoring.reasons.grounds import DecisionGrounds, Grounds
from credit_scoring.reasons.wording import ReasonWording
from credit_scoring.scoring.model import MissingValueError
from credit_scoring.scoring.scorer import Decision, DecisionArrays, Explanation

logger = logging.getLogger(__name__)

APPLICATION_GROUP = "application"
NO_CLIENT_ID = 0
"""The client id of an application that names none (a new applicant): never a stored client's."""


class ApplicationInputs:
    """Where the application features of a request go in the model's input row.

    Every feature of the bundle's "application" group must be one the feature definition computes, or
    the bundle is refused: serving it would silently score with missing values.
    """

    def __init__(self, manifest: Manifest, protected: Sequence[str]) -> None:
        self.features = ApplicationFeatures(protected=protected)
        computed = {name: j for j, name in enumerate(self.features.names)}
        absent = [
            f.name for f in manifest.features if f.group == APPLICATION_GROUP and f.name not in computed
        ]
        if absent:
            raise BundleError(
                MANIFEST_FILE,
                f"application features {', '.join(absent[:5])} are not computed by this code's feature "
                f"definition (a bundle from another version of credit_scoring?)",
            )
        pairs = [(i, computed[f.name]) for i, f in enumerate(manifest.features) if f.name in computed]
        # Slices when the positions are consecutive, as when a bundle lists its application features
        # first and in the definition's order: numpy then copies whole runs of each row, where index
        # arrays cost a gather per value.
        self.targets = _as_slice(np.array([i for i, _ in pairs], dtype=np.intp))
        self.sources = _as_slice(np.array([j for _, j in pairs], dtype=np.intp))


@dataclass(frozen=True)
class ServedDecision:
    """A decision with what its answer is stated from: the row of features it was scored from, its
    grounds, and whether a stored credit history was part of the input (True for a stored client; for an
    application, whether its SK_ID_CURR named a stored client, False for a new applicant)."""

    decision: Decision
    features: np.ndarray
    grounds: Grounds
    history_joined: bool


@dataclass(frozen=True)
class StoredClient:
    """A client found in the store: its id and its row."""

    client_id: int
    row: int


@dataclass(frozen=True)
class ApplicationDecisions:
    """Decisions for a block of applications, row i for the block's i-th application."""

    features: np.ndarray
    """(n, p): the model inputs the decisions were made from."""
    history_joined: np.ndarray
    """(n,) bool: the application's SK_ID_CURR named a stored client, whose history was joined."""
    decisions: DecisionArrays
    grounds: np.ndarray | None
    """The grounds records of each decision (`DecisionGrounds.table`), when they were asked for."""


class DecisionService:
    """Decisions and explanations of one loaded bundle; raises `DecisionError`s for requests it cannot
    answer."""

    def __init__(self, bundle: LoadedBundle) -> None:
        manifest = bundle.manifest
        self.manifest = manifest
        self.bundle_path = bundle.path
        self.model_version = manifest.model_version
        self.threshold = manifest.threshold
        self.scorer = bundle.scorer
        self.store = bundle.store
        self._p = len(manifest.features)
        self._inputs = None if manifest.protected is None else ApplicationInputs(manifest, manifest.protected)
        self.wording = ReasonWording(manifest.feature_names)
        self._grounds = DecisionGrounds.of_model(
            self.wording, bundle.scorer.max_reasons, from_applications=self._inputs is not None
        )

    @property
    def accepts_applications(self) -> bool:
        """False for a bundle whose features cannot be computed from an application (an imported model)."""
        return self._inputs is not None

    def find(self, client_id: int, field: str | None = None) -> StoredClient:
        """The stored client, or UnknownClientError naming `field`, the field that gave the id."""
        row = self.store.row_index(client_id)
        if row is None:
            raise UnknownClientError(client_id, self.model_version, field)
        return StoredClient(client_id, row)

    def decide_stored_client(self, client: StoredClient) -> ServedDecision:
        """The hot path of GET /predict/{client_id}: the stored score decided at the threshold, with the
        stored grounds of the decision."""
        row = client.row
        decision = self.scorer.decision(self.store.probability(row))
        return ServedDecision(
            decision, self.store.row(row), self._grounds.from_record(self.store.grounds(row)), True
        )

    def decide_stored(self, rows: np.ndarray) -> DecisionArrays:
        """Decisions for the stored clients at these store rows (`FeatureStore.rows_of`), as columns."""
        return self.scorer.decisions_from_scores(self.store.scores(rows))

    def principal_reasons(self, served: ServedDecision, language: str) -> list[dict[str, Any]]:
        """The decision's principal reasons in `language`, one per family, largest part first."""
        return [self.wording.describe(reason, served.features, language) for reason in served.grounds.reasons]

    def decide_applications(
        self,
        client_ids: ArrayLike,
        columns: Mapping[str, ArrayLike | CodedLabels],
        *,
        with_grounds: bool = False,
    ) -> ApplicationDecisions:
        """Decisions for a block of applications: `columns` their raw fields (`ApplicationFeatures.
        transform`), `client_ids` their SK_ID_CURR (NO_CLIENT_ID for none). One whose SK_ID_CURR is a
        stored client gets that client's history features; any other is a new applicant, its history
        missing.

        Raises ApplicationsNotScoredError when the bundle cannot compute features from an application,
        InvalidValueError when the feature definition or the model refuses a value.
        """
        inputs = self.application_inputs()
        ids = np.asarray(client_ids, dtype=np.int64)
        rows = self.store.rows_of(ids)
        joined = rows >= 0
        X = np.full((len(ids), self._p), np.nan)
        X[joined] = self.store.rows(rows[joined])
        try:
            computed = inputs.features.transform(columns)
        except ValueError as error:
            raise InvalidValueError(f"application refused by the feature definition: {error}") from None
        X[:, inputs.targets] = computed[:, inputs.sources]
        try:
            contributions = self.scorer.model.contributions(X)
        except MissingValueError as error:  # a model without imputation, given an incomplete application
            raise InvalidValueError(str(error), error.features[0]) from None
        grounds = self._grounds.table(X, contributions) if with_grounds else None
        return ApplicationDecisions(X, joined, self.scorer.decide_arrays(X, contributions), grounds)

    def served(self, decided: ApplicationDecisions) -> list[ServedDecision]:
        """Each decision of a block decided `with_grounds`, with what its answer is stated from."""
        assert decided.grounds is not None, "decide_applications(..., with_grounds=True) states reasons"
        return [
            ServedDecision(
                self.scorer.decision(probability), x, self._grounds.from_record(record.item()), joined
            )
            for probability, x, record, joined in zip(
                decided.decisions.probability.tolist(),
                decided.features,
                decided.grounds,
                decided.history_joined.tolist(),
                strict=True,
            )
        ]

    def explain(self, client: StoredClient) -> Explanation:
        """Every feature's contribution for a stored client, with the base value and the score (the
        bundle's writer scored every stored client: none has a value its model cannot score)."""
        return self.scorer.explain(self.store.row(client.row), self.store.contributions(client.row))

    def application_inputs(self) -> ApplicationInputs:
        """How applications become model inputs; raises ApplicationsNotScoredError when this bundle cannot
        do it."""
        if self._inputs is None:
            raise ApplicationsNotScoredError(self.model_version)
        return self._inputs


def open_service(
    state: LoadedBundle | BundleUnavailable,
) -> tuple[LoadedBundle | BundleUnavailable, DecisionService | None]:
    """The state a function serves and its decision service: a loaded bundle the service refuses (its
    application features are not this code's) is served as unavailable, with the reason, like one
    that could not be loaded."""
    if isinstance(state, BundleUnavailable):
        return state, None
    try:
        return state, DecisionService(state)
    except BundleError as error:
        logger.error("model bundle refused: %s: %s", error.file, error.logged_reason)
        return BundleUnavailable(reason=str(error), file=error.file, source=state.source), None


def _as_slice(indices: np.ndarray) -> slice | np.ndarray:
    """`indices` as the equivalent slice when they are consecutive and increasing, else unchanged."""
    if len(indices) == 0:
        return indices
    first = int(indices[0])
    if not np.array_equal(indices, np.arange(first, first + len(indices))):
        return indices
    return slice(first, first + len(indices))
