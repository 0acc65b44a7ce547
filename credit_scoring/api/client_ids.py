"""The client id rule of `schema` (SK_ID_CURR is exactly 6 digits) in a path as text and in a body as
a JSON number, with one message for every route that takes an id.
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import Path
from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from credit_scoring import schema

_EXPECTED: Final = f"expected {schema.CLIENT_ID_EXPECTED}"


def path_client_id_error(text: str) -> dict[str, object]:
    """The validation error of a bad path client id, as pydantic reports errors (for FastAPI's 422)."""
    return {"type": "client_id", "loc": ("path", "client_id"), "msg": _EXPECTED, "input": text}


def _from_path(value: object) -> int:
    client_id = schema.parse_client_id(value) if isinstance(value, str) else None
    if client_id is None:
        raise PydanticCustomError("client_id", _EXPECTED)
    return client_id


def _from_body(value: object) -> int:
    """A JSON number as a client id; a string, a boolean or a fraction is refused, not converted."""
    if isinstance(value, int | float) and schema.is_client_id(value):
        return int(value)
    raise PydanticCustomError("client_id", f"{_EXPECTED}, as a JSON number")


# The range is declared in the JSON schema, not as ge/le constraints: the validators above enforce it
# (with one message), and pydantic cannot render constraints placed behind a before-validator.
_JSON_SCHEMA: Final = {"type": "integer", "minimum": schema.CLIENT_ID_MIN, "maximum": schema.CLIENT_ID_MAX}

ClientIdPath = Annotated[
    int,
    BeforeValidator(_from_path),
    WithJsonSchema(_JSON_SCHEMA),
    Path(description="SK_ID_CURR: exactly 6 digits.", examples=[schema.CLIENT_ID_EXAMPLE]),
]
"""A client id in the URL path."""

ClientIdField = Annotated[
    int,
    BeforeValidator(_from_body),
    WithJsonSchema(
        {
            **_JSON_SCHEMA,
            "description": "SK_ID_CURR: exactly 6 digits.",
            "examples": [schema.CLIENT_ID_EXAMPLE],
        }
    ),
]
"""A client id in a JSON body."""
