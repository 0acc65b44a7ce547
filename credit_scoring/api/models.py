"""The API's contract: pydantic models of every request and response, and so of the OpenAPI document.

Responses are declared here even where a route returns prebuilt JSON for speed: the OpenAPI document,
and a client generated from it, are what callers rely on. Error bodies have their model too.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

from credit_scoring.api.application_model import Application
from credit_scoring.api.client_ids import ClientIdField
from credit_scoring.api.request_model import CountedItem, ErrorCountingRequest
from credit_scoring.scoring.scorer import MAX_REASONS


class ApiModel(BaseModel):
    """Base of the API's response models, whose validators and serialisers pydantic builds on first use
    instead of at import: most are never used by a cold start's first request, which returns prebuilt
    JSON. Request bodies (`Application`, `BatchRequest`) are built at import: FastAPI wraps them in an
    aliased field whose deferred build would warn on the first request that sends one."""

    model_config = ConfigDict(defer_build=True)


MAX_BATCH_ITEMS = 1000
"""Largest number of items one POST /predict/batch may carry."""


class FieldError(ApiModel):
    """What is wrong with one field of a request."""

    location: Literal["body", "path", "query", "header"] = Field(description="Where the field is.")
    field: str = Field(description="The field's path, e.g. `client_id` or `items[3].application.AMT_CREDIT`.")
    message: str = Field(description="What is expected there.")


class ErrorResponse(ApiModel):
    """The body of every error response."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "detail": "invalid request: client_id: expected exactly 6 digits, e.g. 100002",
                    "errors": [
                        {
                            "location": "path",
                            "field": "client_id",
                            "message": "expected exactly 6 digits, e.g. 100002",
                        }
                    ],
                }
            ]
        }
    )

    detail: str = Field(description="One sentence saying what went wrong and what is expected.")
    errors: list[FieldError] = Field(default_factory=list, description="One entry per field at fault.")
    decision_id: str | None = Field(
        default=None, description="On a 500 during a decision: the id to quote when reporting it."
    )

    # No return annotation: one would replace this model's schema in the OpenAPI document.
    @model_serializer(mode="wrap")
    def _without_absent_decision_id(self, handler: SerializerFunctionWrapHandler):
        """The body has `decision_id` only when there is one, however it is serialised: as a whole answer
        or nested in a batch item's result."""
        body = handler(self)
        if body.get("decision_id") is None:
            body.pop("decision_id", None)
        return body


class Contribution(ApiModel):
    """One feature's contribution to a client's score."""

    feature: str = Field(description="Model input name, e.g. `EXT_SOURCE_2` or `BUREAU_DAYS_CREDIT_MEAN`.")
    value: float | None = Field(description="The client's value of the feature; null when missing.")
    contribution: float = Field(
        description=(
            "Contribution to the model's raw score, in log-odds of default before calibration (positive: "
            "raises the risk). The calibration that turns the raw score into `probability` is monotone, "
            "so contributions order and sign the reasons as the probability would."
        )
    )


class Reason(Contribution):
    """A principal reason of a decision: a family of features pushing the client's risk of default up,
    given through its leading feature (`feature`, `value`, `contribution`: that feature's), and said in
    words in the response's `language`."""

    family: str = Field(
        description=(
            "The fact this reason is about (e.g. `external_scores`, `instalment_delays`): features of one "
            "family say one fact, so a decision has at most one reason per family."
        )
    )
    family_contribution: float = Field(
        description="The family's part in the raw score: the sum of its features' contributions (log-odds)."
    )
    share: float = Field(
        ge=0.0,
        le=1.0,
        description="The family's part over the sum of the parts of every family raising the risk.",
    )
    statement: str = Field(
        description=(
            'What an officer can say to the client: the factor and its direction ("Retards de paiement '
            'sur les échéances des crédits précédents"), or that the information was not provided.'
        )
    )
    label: str = Field(description="What `feature` is, in words; for a one-hot indicator, its field.")
    value_text: str = Field(
        description=(
            "The client's value in its unit (amounts in the currency, durations in years, months or days, "
            "shares in %); a one-hot indicator's field stated on the client's own value; "
            '"non renseigné" / "not provided" when missing.'
        )
    )
    unit: str = Field(description="How `value` is stated: currency, share, years, category, ...")
    provided: bool = Field(description="False when the client did not give the value (it is missing).")


class Information(ApiModel):
    """How much of the application a decision had to go on."""

    fields_given: int = Field(description="Application fields the model uses that the client gave.")
    fields_used: int = Field(description="Application fields the model uses.")
    little_information: bool = Field(
        description="Fewer than a tenth of the fields were given: the decision is answered, but flagged."
    )
    warning: str | None = Field(description="Says so, in the response's `language`, when flagged.")


class PredictionResponse(ApiModel):
    """A credit decision with its reasons. `client_id`, `prediction` and `probability` are the
    predecessor's contract, unchanged."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "client_id": 100002,
                    "prediction": 1,
                    "probability": 0.6124,
                    "decision": "refused",
                    "threshold": 0.47,
                    "model_version": "20261124T031500Z-3f2a9c1d",
                    "reasons": [
                        {
                            "feature": "EXT_SOURCE_2",
                            "value": 0.262949,
                            "contribution": 0.41,
                            "family": "external_scores",
                            "family_contribution": 0.52,
                            "share": 0.7,
                            "statement": "Scores de crédit externes défavorables",
                            "label": "Score externe 2",
                            "value_text": "0,263",
                            "unit": "score",
                            "provided": True,
                        },
                        {
                            "feature": "BUREAU_DAYS_CREDIT_MEAN",
                            "value": -874.0,
                            "contribution": 0.22,
                            "family": "bureau_history",
                            "family_contribution": 0.22,
                            "share": 0.3,
                            "statement": "Historique de crédit court ou crédits récents",
                            "label": "Bureau de crédit · ouverture des crédits (moyenne)",
                            "value_text": "il y a 2,4 ans",
                            "unit": "relative_days",
                            "provided": True,
                        },
                    ],
                    "language": "fr",
                    "information": {
                        "fields_given": 104,
                        "fields_used": 118,
                        "little_information": False,
                        "warning": None,
                    },
                    "decision_id": "3b241101-e2bb-4255-8caf-4136c566a962",
                    "decided_at": "2026-11-24T03:15:00.123Z",
                    "history_joined": True,
                }
            ]
        }
    )

    client_id: int | None = Field(description="SK_ID_CURR; null for an application sent without one.")
    prediction: Literal[0, 1] = Field(description="1 when the credit is refused, 0 when accepted.")
    probability: float = Field(
        ge=0.0,
        le=1.0,
        description="Probability of default, calibrated unless GET /model's model card says otherwise.",
    )
    decision: Literal["accepted", "refused"] = Field(description="Refused when probability ≥ threshold.")
    threshold: float = Field(description="The decision threshold of this model version.")
    model_version: str = Field(description="Version of the model bundle that decided.")
    reasons: list[Reason] = Field(
        max_length=MAX_REASONS,
        description=(
            f"At most {MAX_REASONS} principal reasons, one per family of features raising the risk, "
            "largest share of the risk first."
        ),
    )
    language: Literal["fr", "en"] = Field(
        description="Language of the reasons' statements and values (`lang`, else `Accept-Language`)."
    )
    information: Information | None = Field(
        description="Application fields given of those the model uses; null for an imported model."
    )
    decision_id: str = Field(description="Id of this decision in the audit log (also in X-Decision-Id).")
    decided_at: str = Field(description="Date and time of the decision, UTC (ISO 8601), as in the audit log.")
    history_joined: bool = Field(
        description=(
            "Whether a stored credit history was part of the input: true for a stored client "
            "(GET /predict/{client_id}, or an application whose SK_ID_CURR is stored), false for a new "
            "applicant (an SK_ID_CURR the store does not hold, or none), scored from its application "
            "fields alone."
        )
    )


class ExplanationResponse(ApiModel):
    """Every feature's contribution to a stored client's score: base + Σ contributions = raw_score."""

    client_id: int
    model_version: str
    probability: float = Field(
        ge=0.0, le=1.0, description="Probability of default: the model's calibration of raw_score."
    )
    raw_score: float = Field(description="The model's score in log-odds of default, before calibration.")
    base: float = Field(description="The model's base value in log-odds (the score of an average client).")
    contributions: list[Contribution] = Field(
        description="One per model input, largest absolute contribution first."
    )


class CostWeights(ApiModel):
    """Business cost of errors: cost = fn × false negatives + fp × false positives."""

    fn: float = Field(description="Cost of accepting a client who defaults.")
    fp: float = Field(description="Cost of refusing a client who repays.")


class FeatureInfo(ApiModel):
    """One model input, in the order of the model's features."""

    name: str
    group: str = Field(description='"application", or the history table the feature comes from.')


class Importance(ApiModel):
    """How much one feature weighs in the model's decisions overall."""

    feature: str
    importance: float = Field(description="Mean absolute contribution over the stored clients (log-odds).")
    direction: Literal[-1, 0, 1] = Field(
        description="+1: higher values of the feature (for an indicator, being in its category) raise the "
        "risk of default over the stored clients; -1: they lower it; 0: neither (a constant feature)."
    )


class ModelResponse(ApiModel):
    """The model card of the served bundle."""

    model_version: str
    created_at: str
    kind: str = Field(description='Serving form: "linear" or "lightgbm".')
    estimator: str
    imbalance: str | None = Field(description="How class imbalance was handled in training.")
    threshold: float = Field(description="Probability of default at or above which credit is refused.")
    cost: CostWeights
    metrics: dict[str, Any] = Field(description="Cross-validated and held-out test metrics from training.")
    fairness: dict[str, Any] = Field(description="Metrics by protected group and their largest gaps.")
    features: list[FeatureInfo]
    global_importance: list[Importance]
    accepts_applications: bool = Field(
        description="Whether POST /predict can score an application (false for an imported model)."
    )
    protected: list[str] = Field(description="Application columns kept out of the model's inputs.")
    example_client_ids: list[int]
    model_card: ModelCard


class Interval(ApiModel):
    """A figure with its bootstrap 95% confidence interval."""

    value: float
    ci95: list[float] = Field(min_length=2, max_length=2, description="[2.5th, 97.5th] centiles.")


class Discrimination(ApiModel):
    """How well the model ranks defaulters above good clients on the held-out test split."""

    auc: Interval
    gini: Interval = Field(description="2 × AUC − 1.")
    bootstrap_resamples: int


class ReliabilityBin(ApiModel):
    """One tenth of the test clients, by predicted probability."""

    n: int
    mean_probability: float
    default_rate: float = Field(description="Observed default rate of the bin's clients.")


class CalibrationCard(ApiModel):
    """Whether, and how well, the probability of default matches observed default rates."""

    method: Literal["none", "sigmoid", "isotonic"] = Field(
        description="Map from raw score to probability, chosen by cross-validation on out-of-fold scores."
    )
    calibrated: bool
    note: str | None = None
    cv: dict[str, dict[str, float]] | None = Field(
        default=None, description="Cross-fitted Brier score and log loss of each method tried."
    )
    brier: float | None = None
    brier_base_rate: float | None = Field(
        default=None, description="Brier score of predicting the observed default rate for everyone."
    )
    brier_skill: float | None = Field(default=None, description="1 − brier / brier_base_rate.")
    log_loss: float | None = None
    ece: float | None = Field(default=None, description="Expected calibration error, 10 equal-count bins.")
    mean_probability: float | None = None
    default_rate: float | None = None
    reliability: list[ReliabilityBin] = Field(default_factory=list)


class ThresholdCard(ApiModel):
    """The chosen threshold beside decision theory's fp / (fn + fp), and why they differ."""

    chosen: float
    decision_theory: float
    gap: float
    flat_between: list[float] = Field(
        min_length=2, max_length=2, description="Thresholds where the test cost is within 1% of its lowest."
    )
    explanation: str


class CostPoint(ApiModel):
    threshold: float
    cost: float = Field(description="Business cost per client on the test split at this threshold.")


class ModelCard(ApiModel):
    """What a risk team signs off, measured on the held-out test split (absent parts: not measured, as
    for an imported model)."""

    evaluated_on: dict[str, Any] | None = None
    discrimination: Discrimination | None = None
    calibration: CalibrationCard
    threshold: ThresholdCard | None = None
    cost: dict[str, float] | None = None
    cost_curve: list[CostPoint] = Field(default_factory=list)
    confusion_matrix: dict[str, int] | None = None
    fairness: dict[str, Any] | None = Field(
        default=None,
        description="Per group: approval rate, adverse impact ratio, calibration within the group, and more.",
    )


class HealthResponse(ApiModel):
    """Whether the function can score, from which bundle."""

    status: Literal["ok", "unavailable"]
    source: str = Field(description="Where the bundle was loaded from (directory or S3 URI).")
    model_version: str | None = None
    reason: str | None = Field(default=None, description="Why the bundle is unavailable.")
    file: str | None = Field(default=None, description="The bundle file at fault, when one is.")


class BatchItem(CountedItem):
    """One client to score: exactly one of `client_id` (a stored client) or `application` (the other
    absent or null)."""

    # The validator's rule, stated in the schema too, so that a client generated from the document
    # (schemathesis included) knows that an item with both, or neither, is invalid.
    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {
                    "required": ["client_id"],
                    "properties": {"client_id": {"type": "integer"}, "application": {"type": "null"}},
                },
                {
                    "required": ["application"],
                    "properties": {"application": {"type": "object"}, "client_id": {"type": "null"}},
                },
            ]
        }
    )

    client_id: ClientIdField | None = None
    application: Application | None = None  # type: ignore[valid-type]  # generated from the schema

    @model_validator(mode="after")
    def _exactly_one(self) -> BatchItem:
        if (self.client_id is None) == (self.application is None):
            raise PydanticCustomError(
                "batch_item", "expected exactly one of client_id (a stored client) or application"
            )
        return self


class BatchRequest(ErrorCountingRequest):
    """Clients and applications to score in one call."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"items": [{"client_id": 100002}, {"application": {"AMT_CREDIT": 450000.0}}]}]
        },
    )

    items: list[BatchItem] = Field(
        min_length=1,
        max_length=MAX_BATCH_ITEMS,
        description=f"Between 1 and {MAX_BATCH_ITEMS} clients or applications.",
    )


class BatchResult(ApiModel):
    """The answer for one item, in request order: a decision (status 200) or an error (404: unknown
    client; 409: this model cannot score applications), never both."""

    index: int = Field(description="Position of the item in the request.")
    status: int = Field(description="HTTP status this item would have had on its own.")
    decision: PredictionResponse | None = Field(default=None, description="The decision, when status is 200.")
    error: ErrorResponse | None = Field(
        default=None,
        description=(
            "Otherwise the error body the item would have had on its own, its `errors` naming the item's "
            "field, e.g. `items[3].client_id`."
        ),
    )


class BatchResponse(ApiModel):
    """One result per item, in request order."""

    model_version: str
    results: list[BatchResult]
