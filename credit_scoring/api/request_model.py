"""Base models of request bodies, bounding what validating a hostile one can cost.

Pydantic reports every problem, and FastAPI copies every report before the error handler can cap the
list it answers with: a 6 MB body of unknown fields would cost seconds of CPU for hundreds of thousands
of errors. Two bounds keep the reports few:

- `RequestModel`: an object with more than `MAX_UNKNOWN_FIELDS` fields beyond the ones its model
  declares is refused as a whole, in one error, before any of its fields is looked at (with fewer,
  each unknown field is named in its own error);
- `ErrorCountingRequest` and `CountedItem`: the items of a list are checked in order until they hold
  `MAX_CHECKED_ERRORS` problems; the later items are not checked, the request being invalid already.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any, Final

from pydantic import BaseModel, ConfigDict, ModelWrapValidatorHandler, ValidationError, model_validator
from pydantic_core import PydanticCustomError

MAX_UNKNOWN_FIELDS: Final = 20
"""Most fields an object may carry beyond its model's and still have each unknown one named."""
MAX_CHECKED_ERRORS: Final = 100
"""Problems found in a request's items after which its later items are not checked."""

_errors_found: ContextVar[list[int] | None] = ContextVar("errors_found", default=None)


class RequestModel(BaseModel):
    """A request body's model: unknown fields refused, and an object with far too many refused whole."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _not_too_many_fields(cls, data: Any) -> Any:
        declared = len(cls.model_fields)
        if isinstance(data, dict) and len(data) > declared + MAX_UNKNOWN_FIELDS:
            raise PydanticCustomError(
                "too_many_fields",
                "expected a JSON object of at most the {declared} fields documented in the request "
                "schema; it has {found} fields",
                {"declared": declared, "found": f"{len(data):,}"},
            )
        return data


class ErrorCountingRequest(RequestModel):
    """A request whose `CountedItem` items are checked until they hold MAX_CHECKED_ERRORS problems."""

    @model_validator(mode="wrap")
    @classmethod
    def _counting_errors(cls, data: Any, handler: ModelWrapValidatorHandler[Any]) -> Any:
        token = _errors_found.set([0])
        try:
            return handler(data)
        finally:
            _errors_found.reset(token)


class CountedItem(RequestModel):
    """An item of an `ErrorCountingRequest` (validated on its own, it is always checked)."""

    @model_validator(mode="wrap")
    @classmethod
    def _counted(cls, data: Any, handler: ModelWrapValidatorHandler[Any]) -> Any:
        found = _errors_found.get()
        if found is None:
            return handler(data)
        if found[0] >= MAX_CHECKED_ERRORS:
            # Never used: the earlier items' problems make the whole request invalid.
            return cls.model_construct()
        try:
            return handler(data)
        except ValidationError as error:
            found[0] += error.error_count()
            raise
