"""What the scoring routes ask of a loaded bundle: decisions for stored clients and for applications,
and explanations, with the API's errors (404 unknown client, 409 no application features, 422).

What depends only on the bundle (where each application feature goes in the model's input) is worked
out once, when the function starts. A stored client's score and the grounds of its decision (principal
reasons, coverage) were computed when the bundle was written (and checked against this code's own
computation before publication), so a decision for a stored client costs a binary search and three
record reads before the threshold applies and its reasons are worded. Applications are scored when they
arrive; explanations are computed in full.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import BaseModel

from credit_scoring import schema
from credit_scoring.api.application_model import application_columns
from credit_scoring.api.errors import ApiError
from credit_scoring.bundle.errors import BundleError
from credit_scoring.bundle.loader import LoadedBundle
from credit_scoring.bundle.manifest import MANIFEST_FILE, Manifest
from credit_scoring.features.application import ApplicationFeatures
from credit_scoring.reasons.grounds import DecisionGrounds, Grounds
from credit_scoring.reasons.wording import ReasonWording
from credit_scoring.scoring.model import MissingValueError
from credit_scoring.scoring.scorer import Decision, DecisionArrays, Explanation

APPLICATION_GROUP = "application"


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
        self.targets = np.array([i for i, _ in pairs], dtype=np.intp)
        self.sources = np.array([j for _, j in pairs], dtype=np.intp)


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


class DecisionService:
    """Decisions and explanations of one loaded bundle; raises `ApiError` for requests it cannot answer."""

    def __init__(self, bundle: LoadedBundle) -> None:
        manifest = bundle.manifest
        self.manifest = manifest
        self.bundle_path = bundle.path
        self.model_version = manifest.model_version
        self.threshold = manifest.threshold
        self._scorer = bundle.scorer
        self._store = bundle.store
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

    def find(self, client_id: int, field: str = "client_id", location: str = "path") -> StoredClient:
        """The stored client, or ApiError 404 naming the field (and where it is) that gave the id."""
        row = self._store.row_index(client_id)
        if row is None:
            detail = f"client {client_id} is not in the client store of model version {self.model_version}"
            raise ApiError(404, detail, field, location)
        return StoredClient(client_id, row)

    def decide_stored(self, clients: Sequence[StoredClient]) -> list[ServedDecision]:
        """Decisions for stored clients, from their stored scores and grounds."""
        return [self.decide_one_stored(client) for client in clients]

    def decide_stored_arrays(self, clients: Sequence[StoredClient]) -> DecisionArrays:
        """`decide_stored` as columns (`Scorer.decide_arrays`): batch files of client ids, which have no
        use for one object per row."""
        return self._scorer.decisions_from_scores(self._store.scores([client.row for client in clients]))

    def decide_one_stored(self, client: StoredClient) -> ServedDecision:
        """The hot path of GET /predict/{client_id}: the stored score decided at the threshold, with the
        stored grounds of the decision."""
        row = client.row
        x = self._store.row(row)
        decision = self._scorer.decision(self._store.probability(row))
        return ServedDecision(decision, x, self._grounds.from_record(self._store.grounds(row)), True)

    def principal_reasons(self, served: ServedDecision, language: str) -> list[dict[str, Any]]:
        """The decision's principal reasons in `language`, one per family, largest part first."""
        return [self.wording.describe(reason, served.features, language) for reason in served.grounds.reasons]

    def decide_applications(self, applications: Sequence[BaseModel]) -> list[ServedDecision]:
        """Decisions for applications, scored from their fields; one whose SK_ID_CURR is a stored client
        gets that client's history features, any other is a new applicant, its history missing (the rule
        batch files follow too).

        Raises ApiError 409 when the bundle cannot compute features from an application, 422 when the
        feature definition refuses a value.
        """
        if not applications:
            return []
        inputs = self.application_inputs()
        X = np.full((len(applications), self._p), np.nan)
        joined = [False] * len(applications)
        for i, application in enumerate(applications):
            client_id = getattr(application, schema.CLIENT_ID)
            row = None if client_id is None else self._store.row_index(client_id)
            if row is not None:
                X[i] = self._store.row(row)
                joined[i] = True
        try:
            computed = inputs.features.transform(application_columns(applications))
        except ValueError as error:
            # The request model checks every value first; this guards the feature definition's own rules.
            raise ApiError(422, f"application refused by the feature definition: {error}") from None
        X[:, inputs.targets] = computed[:, inputs.sources]
        try:
            contributions = self._scorer.model.contributions(X)
        except MissingValueError as error:  # a model without imputation, given an incomplete application
            raise ApiError(422, str(error), error.features[0]) from None
        decisions = self._scorer.decide(X, contributions)
        grounds = self._grounds.table(X, contributions)
        return [
            ServedDecision(decision, x, self._grounds.from_record(record.item()), history)
            for decision, x, record, history in zip(decisions, X, grounds, joined, strict=True)
        ]

    def explain(self, client: StoredClient) -> Explanation:
        """Every feature's contribution for a stored client, with the base value and the score (the
        bundle's writer scored every stored client: none has a value its model cannot score)."""
        return self._scorer.explain(self._store.row(client.row), self._store.contributions(client.row))

    def application_inputs(self) -> ApplicationInputs:
        """How applications become model inputs; raises ApiError 409 when this bundle cannot do it."""
        if self._inputs is None:
            raise ApiError(
                409,
                f"model version {self.model_version} cannot score an application: its features cannot be "
                "computed from application fields (an imported model); use GET /predict/{client_id} for "
                "stored clients",
            )
        return self._inputs
