"""What the decision core refuses, in its own terms: the API maps each error to an HTTP status, the batch
to a rejected row or file."""

from __future__ import annotations


class DecisionError(Exception):
    """A request the decision core cannot answer: a sentence, and the field at fault when there is one."""

    def __init__(self, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class UnknownClientError(DecisionError):
    """The client id is not in the bundle's client store."""

    def __init__(self, client_id: int, model_version: str, field: str | None = None) -> None:
        super().__init__(
            f"client {client_id} is not in the client store of model version {model_version}", field
        )
        self.client_id = client_id


class ApplicationsNotScoredError(DecisionError):
    """The bundle's features cannot be computed from application fields (an imported model)."""

    def __init__(self, model_version: str, field: str | None = None) -> None:
        super().__init__(
            f"model version {model_version} cannot score an application: its features cannot be computed "
            "from application fields (an imported model); use GET /predict/{client_id} for stored clients",
            field,
        )


class InvalidValueError(DecisionError):
    """A value the feature definition or the model refuses (the field at fault when it is known)."""
