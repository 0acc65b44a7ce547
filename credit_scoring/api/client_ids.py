"""The client id rule: SK_ID_CURR is exactly 6 digits, in a path as text and in a body as a JSON number.

One rule with one message for `GET /predict/{client_id}`, `GET /explain/{client_id}`, an application's
optional SK_ID_CURR and a batch item's `client_id`, so that every route says the same thing.
"""

from __future__ import annotations

import re
from typing import Annotated, Final

from fastapi import Path
from pydantic import BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

ID_MIN: Final = 100000
ID_MAX: Final = 999999
EXAMPLE_ID: Final = 100002
_SIX_DIGITS = re.compile(r"[1-9][0-9]{5}")
_EXPECTED: Final = f"expected exactly 6 digits ({ID_MIN} to {ID_MAX}), e.g. {EXAMPLE_ID}"


def parse_path_client_id(text: str) -> int | None:
    """A path segment as a client id, or None when it is not exactly 6 digits. The regex refuses signs,
    spaces, decimals and non-ASCII digits, which int() alone would accept."""
    return int(text) if _SIX_DIGITS.fullmatch(text) else None


def path_client_id_error(text: str) -> dict[str, object]:
    """The validation error of a bad path client id, as pydantic reports errors (for FastAPI's 422)."""
    return {"type": "client_id", "loc": ("path", "client_id"), "msg": _EXPECTED, "input": text}


def _from_path(value: object) -> int:
    client_id = parse_path_client_id(value) if isinstance(value, str) else None
    if client_id is None:
        raise PydanticCustomError("client_id", _EXPECTED)
    return client_id


def _from_body(value: object) -> int:
    """A JSON number as a client id; a string, a boolean or a fraction is refused, not converted."""
    if isinstance(value, int) and not isinstance(value, bool) and ID_MIN <= value <= ID_MAX:
        return value
    if isinstance(value, float) and value.is_integer() and ID_MIN <= value <= ID_MAX:
        return int(value)
    raise PydanticCustomError("client_id", f"{_EXPECTED}, as a JSON number")


# The range is declared in the JSON schema, not as ge/le constraints: the validators above enforce it
# (with one message), and pydantic cannot render constraints placed behind a before-validator.
_JSON_SCHEMA: Final = {"type": "integer", "minimum": ID_MIN, "maximum": ID_MAX}

ClientIdPath = Annotated[
    int,
    BeforeValidator(_from_path),
    WithJsonSchema(_JSON_SCHEMA),
    Path(description="SK_ID_CURR: exactly 6 digits.", examples=[EXAMPLE_ID]),
]
"""A client id in the URL path."""

ClientIdField = Annotated[
    int,
    BeforeValidator(_from_body),
    WithJsonSchema(
        {**_JSON_SCHEMA, "description": "SK_ID_CURR: exactly 6 digits.", "examples": [EXAMPLE_ID]}
    ),
]
"""A client id in a JSON body."""
