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


def _from_path(value: object) -> int:
    """A path segment as a client id; the regex refuses signs, spaces, decimals and non-ASCII digits,
    which int() would accept."""
    if isinstance(value, str) and _SIX_DIGITS.fullmatch(value):
        return int(value)
    raise PydanticCustomError("client_id", _EXPECTED)


def _from_body(value: object) -> int:
    """A JSON number as a client id; a string, a boolean or a fraction is refused, not converted."""
    if isinstance(value, int) and not isinstance(value, bool) and ID_MIN <= value <= ID_MAX:
        return value
    if isinstance(value, float) and value.is_integer() and ID_MIN <= value <= ID_MAX:
        return int(value)
    raise PydanticCustomError("client_id", f"{_EXPECTED}, as a JSON number")


ClientIdPath = Annotated[
    int,
    BeforeValidator(_from_path),
    Path(ge=ID_MIN, le=ID_MAX, description="SK_ID_CURR: exactly 6 digits.", examples=[EXAMPLE_ID]),
]
"""A client id in the URL path."""

ClientIdField = Annotated[
    int,
    BeforeValidator(_from_body),
    WithJsonSchema(
        {
            "type": "integer",
            "minimum": ID_MIN,
            "maximum": ID_MAX,
            "description": "SK_ID_CURR: exactly 6 digits.",
            "examples": [EXAMPLE_ID],
        }
    ),
]
"""A client id in a JSON body."""
