"""The language a decision's reasons are stated in: the `lang` query parameter when given, else the
first supported language of `Accept-Language` by preference, else French, the company's language."""

from __future__ import annotations

from typing import Annotated, Final, Literal

from fastapi import Header, Query

from credit_scoring.reasons.families import LANGUAGES

DEFAULT_LANGUAGE: Final = "fr"
LANG_PARAMETER: Final = "lang"

Language = Literal["fr", "en"]

LanguageQuery = Annotated[
    Language | None,
    Query(
        description=(
            "Language of the reasons' statements and values: `fr` or `en`. Wins over the "
            "`Accept-Language` header; without either, French."
        ),
    ),
]

AcceptLanguageHeader = Annotated[
    str | None,
    Header(description="Preferred languages (`fr`, `en`), used when `lang` is not given."),
]


def lang_error(text: str) -> dict[str, object]:
    """The validation error of a `lang` that is not a supported language, as pydantic reports errors."""
    expected = " or ".join(repr(code) for code in LANGUAGES)
    return {
        "type": "literal_error",
        "loc": ("query", LANG_PARAMETER),
        "msg": f"expected {expected}",
        "input": text,
    }


def _preferences(header: str) -> list[tuple[float, int, str]]:
    ranked = []
    for order, part in enumerate(header.split(",")):
        tag, *parameters = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for parameter in parameters:
            name, _, number = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(number)
                except ValueError:
                    quality = 0.0
        ranked.append((-quality, order, tag.lower().split("-")[0]))
    return sorted(ranked)


def choose_language(lang: str | None, accept_language: str | None) -> str:
    """`lang` if it is a supported language; else the preferred supported language of the header."""
    if lang in LANGUAGES:
        return lang
    if not accept_language:
        return DEFAULT_LANGUAGE
    for negative_quality, _, primary in _preferences(accept_language):
        if negative_quality < 0 and primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE
