"""The `Application` request model, generated from the schema: one optional field per application column.

Each field's type, JSON schema (integer or number with its plausible range, or the category's
vocabulary) and validation come from `credit_scoring.schema`, whose `check_application_value` is the
rule batch scoring applies to CSV rows too, so that the API and the batch path accept the same values.
Absent and null fields are missing values; unknown fields, strings where numbers go, NaN and infinity
are refused with a message naming the field and what is expected.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, Final

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema, create_model
from pydantic_core import PydanticCustomError

from credit_scoring import schema
from credit_scoring.api.client_ids import ClientIdField
from credit_scoring.api.request_model import RequestModel
from credit_scoring.decisions.service import NO_CLIENT_ID, DecisionService, ServedDecision

EXAMPLE: Final[dict[str, Any]] = {
    "NAME_CONTRACT_TYPE": "Cash loans",
    "FLAG_OWN_CAR": "N",
    "FLAG_OWN_REALTY": "Y",
    "CNT_CHILDREN": 0,
    "AMT_INCOME_TOTAL": 180000.0,
    "AMT_CREDIT": 450000.0,
    "AMT_ANNUITY": 22500.0,
    "AMT_GOODS_PRICE": 405000.0,
    "NAME_INCOME_TYPE": "Working",
    "NAME_EDUCATION_TYPE": "Secondary / secondary special",
    "NAME_FAMILY_STATUS": "Married",
    "DAYS_BIRTH": -12000,
    "DAYS_EMPLOYED": -2100,
    "OCCUPATION_TYPE": "Laborers",
    "CNT_FAM_MEMBERS": 2,
    "EXT_SOURCE_2": 0.56,
    "EXT_SOURCE_3": 0.51,
}
"""An illustrative applicant (not a real person), shown in the OpenAPI document."""


def _checker(column: str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        problem = schema.check_application_value(column, value)
        if problem is not None:
            # The message goes through the context: a value with braces must not be read as a template.
            raise PydanticCustomError("application_value", "{problem}", {"problem": problem})
        return value

    return check


def _field(column: str, kind: str) -> tuple[Any, Any]:
    expected = schema.expected_application_value(column)
    if kind == schema.CATEGORY:
        json_schema: dict[str, Any] = {"type": "string", "enum": list(schema.APPLICATION_CATEGORIES[column])}
        python_type: type = str
    else:
        low, high = schema.APPLICATION_RANGES[column]
        whole = column in schema.WHOLE_NUMBER_COLUMNS
        json_schema = {"type": "integer" if whole else "number", "minimum": low, "maximum": high}
        python_type = float
    # One Annotated level with the nullable schema written out: 121 fields of nested Annotated types
    # cost a fifth of the model's build, which every cold start pays.
    nullable = {"anyOf": [json_schema, {"type": "null"}]}
    annotated = Annotated[python_type | None, BeforeValidator(_checker(column)), WithJsonSchema(nullable)]
    return annotated, Field(default=None, title=column, description=f"{expected}; absent or null: missing")


def _application_model() -> type[BaseModel]:
    fields: dict[str, Any] = {
        schema.CLIENT_ID: (
            ClientIdField | None,
            Field(
                default=None,
                title=schema.CLIENT_ID,
                description="Optional: a stored client whose credit history is joined to the application.",
            ),
        )
    }
    for column, kind in schema.application_columns().items():
        if column != schema.CLIENT_ID:
            fields[column] = _field(column, kind)
    return create_model(
        "Application",
        __base__=RequestModel,
        __config__=ConfigDict(allow_inf_nan=False, json_schema_extra={"examples": [EXAMPLE]}),
        __doc__=(
            "A credit application: any of the Home Credit application columns (application_train.csv "
            "less TARGET). Absent fields are missing values."
        ),
        **fields,
    )


Application = _application_model()


def application_columns(applications: Sequence[BaseModel]) -> Mapping[str, list[Any]]:
    """Applications as the column mapping `ApplicationFeatures.transform` takes (None for missing)."""
    return {
        column: [getattr(application, column) for application in applications]
        for column in Application.model_fields
        if column != schema.CLIENT_ID
    }


def decide_applications(service: DecisionService, applications: Sequence[BaseModel]) -> list[ServedDecision]:
    """Decisions for applications of the request model (HTTP or SQS), with the grounds their answers
    state."""
    if not applications:
        return []
    client_ids = [getattr(a, schema.CLIENT_ID) or NO_CLIENT_ID for a in applications]
    return service.served(
        service.decide_applications(client_ids, application_columns(applications), with_grounds=True)
    )
