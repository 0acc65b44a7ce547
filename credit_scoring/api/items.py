"""The one "client id or application" dispatch for items of the API's contract (`BatchItem`), shared by
`POST /predict/batch` and the SQS requests: each item is decided, or refused with the API's error."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from credit_scoring import schema
from credit_scoring.api.application_model import decide_applications
from credit_scoring.api.errors import ApiError, as_api_error
from credit_scoring.api.models import BatchItem
from credit_scoring.api.recorder import APPLICATION, STORED_CLIENT, Subject
from credit_scoring.decisions.errors import DecisionError
from credit_scoring.decisions.service import DecisionService, ServedDecision


@dataclass(frozen=True)
class ItemDecision:
    """An item's decision, with what the audit line says was scored and the client id it answers for."""

    served: ServedDecision
    subject: Subject
    client_id: int | None


def decide_items(
    service: DecisionService, items: Sequence[BatchItem], field: Callable[[int, str], str]
) -> list[ItemDecision | ApiError]:
    """Each item's decision, in order, or the error answering it, naming `field(index, name)` (an
    unknown client, an application this model cannot score). Applications are decided as one block: a
    value the feature definition or the model refuses raises its `DecisionError` for the whole block."""
    outcomes: list[ItemDecision | ApiError | None] = [None] * len(items)
    applications: list[int] = []
    for index, item in enumerate(items):
        name = "client_id" if item.client_id is not None else "application"
        try:
            if item.client_id is not None:
                served = service.decide_stored_client(service.find(item.client_id))
                outcomes[index] = ItemDecision(served, STORED_CLIENT, item.client_id)
            else:
                service.application_inputs()
                applications.append(index)
        except DecisionError as error:
            outcomes[index] = as_api_error(error, field(index, name))
    decided = decide_applications(service, [items[index].application for index in applications])
    for index, served in zip(applications, decided, strict=True):
        outcomes[index] = ItemDecision(
            served, APPLICATION, getattr(items[index].application, schema.CLIENT_ID)
        )
    return [outcome for outcome in outcomes if outcome is not None]
