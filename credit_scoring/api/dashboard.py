"""The credit officer's dashboard, served by the scoring function itself.

`GET /` returns the page and `GET /static/{path}` its scripts, stylesheet and icon, all from this
package (no CDN: the page works offline) under a strict Content-Security-Policy that forbids inline
scripts and styles. The page calls the scoring routes (`/predict`, `/explain`, `/model`) and three
routes of its own: `GET /clients/{client_id}` (the client's application record, for the main
information panel and the what-if form), `GET /population` (the training population's summaries, to
compare the client with the others), `GET /population/features/{feature}` (one model feature's
summaries, to compare a decision's reason with the others) and `GET /application-fields` (what the
applicant form may send).

Every URL the page uses is relative, so it works behind an API Gateway stage prefix: when the app knows
its public prefix (`create_app(root_path=...)`), the page carries a `<base href>` with it.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import logging
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import Field

from credit_scoring import schema
from credit_scoring.api.client_ids import ClientIdPath
from credit_scoring.api.errors import ApiError, error_body
from credit_scoring.api.models import ApiModel, ErrorResponse
from credit_scoring.api.sign_in import SignIn
from credit_scoring.bundle.integrity import read_verified
from credit_scoring.bundle.loader import LoadedBundle
from credit_scoring.bundle.population import (
    FEATURE_POPULATION_FILE,
    FEATURE_POPULATION_FORMAT,
    POPULATION_FORMAT,
    derive_variables,
)
from credit_scoring.reasons import catalogue, values
from credit_scoring.reasons.families import LANGUAGES

logger = logging.getLogger(__name__)

STATIC_DIR: Final = Path(__file__).resolve().parent / "static"
PAGE_FILE: Final = "index.html"
POPULATION_FILE: Final = "population.json"
HEAD_MARKER: Final = "<!--GENERATED-HEAD-->"
"""Where the page gets its `<base href>` (behind a path prefix), its sign-in settings (`SignIn`) and the
module preload links."""
SIGN_IN_META: Final = "sign-in"


@cache
def security_headers(sign_in: SignIn | None) -> dict[str, str]:
    """Only this function's own files and API (and, when officers sign in, the identity provider's
    token endpoint); nothing inline, nothing framed, no DOM-injection sinks."""
    connect = "connect-src 'self'" + (f" {sign_in.token_origin}" if sign_in else "")
    policy = "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self'",
            connect,
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "require-trusted-types-for 'script'",
        )
    )
    return {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
    }


STATIC_CACHE: Final = "public, max-age=300"
"""Assets are not fingerprinted: a short lifetime, then revalidation by ETag, keeps a deploy visible."""

MEDIA_TYPES: Final = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
}

router = APIRouter()

_UNAVAILABLE: Final = "The model bundle could not be loaded, or one of its files failed verification since."


class ClientResponse(ApiModel):
    """A stored client's application record and derived dashboard variables (no protected column)."""

    client_id: int
    application: dict[str, float | str | None] = Field(
        description="The raw application fields as recorded (amounts, days, category labels); null: missing."
    )
    variables: dict[str, float | None] = Field(
        description="The dashboard's comparison variables (see GET /population), from the stored features."
    )


class ApplicationField(ApiModel):
    """What POST /predict accepts for one application field."""

    kind: str = Field(description='"int", "float" or "category".')
    minimum: float | None = None
    maximum: float | None = None
    whole: bool = Field(description="Whether only whole numbers are accepted.")
    choices: list[str] | None = Field(default=None, description="The vocabulary of a category field.")
    special_values: list[float] | None = Field(
        default=None,
        description=(
            "Values accepted besides the range, each with a meaning of its own: DAYS_EMPLOYED's "
            f"{schema.DAYS_EMPLOYED_ANOMALY}, Home Credit's placeholder for a client not employed or retired."
        ),
    )


class Localised(ApiModel):
    """A text in each of the page's languages."""

    fr: str
    en: str


class ValueScale(ApiModel):
    """How a reason's `value` (the feature's raw value) is placed on the summary's scale."""

    factor: float = Field(description="The scale's value is the raw value (or its size) times `factor`.")
    unsigned: bool = Field(description="True: the raw value's size is taken, without its sign (durations).")


class FeaturePopulationResponse(ApiModel):
    """One model feature's training population by outcome, on the scale its reasons state it on."""

    feature: str
    label: Localised = Field(description="What the feature is, in words; a one-hot indicator as its value.")
    unit: str = Field(
        description=(
            "The scale: currency, percent, ratio, score, count, years, days, months, hour, or yes_no for a "
            "yes/no feature (a flag, a one-hot category), summarised by `yes` instead of a histogram."
        )
    )
    scale: ValueScale
    clients: int = Field(description="Training clients summarised.")
    outcomes: dict[str, int] = Field(description="Training clients who repaid and who defaulted.")
    centiles: list[int] = Field(description="The centiles `quantiles` gives, in order.")
    missing: dict[str, int] = Field(description="Clients of each outcome without a value.")
    edges: list[float] | None = Field(
        default=None,
        description=(
            "Shared bin edges over the 1st–99th centiles (the end bins also count the values beyond); "
            "null for a yes/no feature or one nobody has."
        ),
    )
    counts: dict[str, list[int] | None] | None = Field(
        default=None, description="Clients per bin for each outcome; null for a group too small to publish."
    )
    quantiles: dict[str, list[float] | None] | None = Field(
        default=None, description="Each outcome group's `centiles`; null for a group too small to publish."
    )
    yes: dict[str, int | None] | None = Field(
        default=None,
        description="A yes/no feature: clients of each outcome who said yes; null for a group too small.",
    )


@dataclass(frozen=True)
class _Asset:
    body: bytes
    gzipped: bytes
    media_type: str
    etag: str


def _asset(body: bytes, media_type: str) -> _Asset:
    digest = hashlib.sha256(body).hexdigest()[:32]
    return _Asset(body, gzip.compress(body, compresslevel=9, mtime=0), media_type, f'"{digest}"')


@cache
def _static_assets() -> dict[str, _Asset]:
    """Every asset under static/ but the page itself, by its path: the only paths /static serves."""
    assets = {}
    for path in sorted(STATIC_DIR.rglob("*")):
        relative = path.relative_to(STATIC_DIR).as_posix()
        if path.is_file() and relative != PAGE_FILE and path.suffix in MEDIA_TYPES:
            assets[relative] = _asset(path.read_bytes(), MEDIA_TYPES[path.suffix])
    return assets


@cache
def _page(root_path: str, sign_in: SignIn | None) -> _Asset:
    """The page for a public path prefix and sign-in settings. Every script module is announced up
    front, so that the browser fetches them all at once instead of discovering the import graph level by
    level (one round trip to the function per level otherwise)."""
    text = (STATIC_DIR / PAGE_FILE).read_text(encoding="utf-8")
    head = [f'<base href="{html.escape(root_path, quote=True)}/">'] if root_path else []
    if sign_in is not None:
        settings = html.escape(sign_in.page_settings(), quote=True)
        head.append(f'<meta name="{SIGN_IN_META}" content="{settings}">')
    head += [
        f'<link rel="modulepreload" href="static/{html.escape(path, quote=True)}">'
        for path in _static_assets()
        if path.endswith(".js")
    ]
    return _asset(text.replace(HEAD_MARKER, "\n".join(head)).encode("utf-8"), "text/html; charset=utf-8")


def _send(asset: _Asset, request: Request, cache_control: str) -> Response:
    headers = {
        **security_headers(request.app.state.sign_in),
        "Cache-Control": cache_control,
        "ETag": asset.etag,
        "Vary": "Accept-Encoding",
    }
    if request.headers.get("if-none-match") == asset.etag:
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(
            asset.gzipped, media_type=asset.media_type, headers={**headers, "Content-Encoding": "gzip"}
        )
    return Response(asset.body, media_type=asset.media_type, headers=headers)


@router.get("/", include_in_schema=False)
async def page(request: Request) -> Response:
    """The dashboard page, with its Content-Security-Policy."""
    return _send(_page(request.scope.get("root_path", ""), request.app.state.sign_in), request, "no-cache")


@router.get("/static/{path:path}", include_in_schema=False)
async def static(path: str, request: Request) -> Response:
    """One of the dashboard's own files; any other path is a 404 (nothing outside static/ is reachable)."""
    asset = _static_assets().get(PurePosixPath(path).as_posix())
    if asset is None:
        return JSONResponse(error_body(f"no dashboard asset {path!r}"), status_code=404)
    return _send(asset, request, STATIC_CACHE)


def _bundle(request: Request) -> LoadedBundle:
    state = request.app.state.served.state
    if not isinstance(state, LoadedBundle):
        raise ApiError(503, f"model bundle unavailable: {state.reason}")
    return state


def _number(value: float) -> float | None:
    return value if math.isfinite(value) else None


@router.get(
    "/clients/{client_id}",
    response_model=ClientResponse,
    responses={
        404: {"model": ErrorResponse, "description": "The client is not in the store of this model version."},
        409: {"model": ErrorResponse, "description": "This bundle stores no application records."},
        422: {"model": ErrorResponse, "description": "The client id is not exactly 6 digits."},
        503: {"model": ErrorResponse, "description": _UNAVAILABLE},
    },
    summary="A stored client's main information",
    tags=["dashboard"],
)
async def client(client_id: ClientIdPath, request: Request) -> JSONResponse:
    """The client's application record (for the main information panel and the what-if form) and
    the comparison variables, on the scale of `GET /population`."""
    bundle = _bundle(request)
    store = bundle.store
    row = store.row_index(client_id)
    if row is None:
        raise ApiError(
            404, f"client {client_id} is not in the client store of this model version", "client_id", "path"
        )
    record = store.application(client_id)
    if record is None:
        raise ApiError(
            409,
            f"model version {bundle.manifest.model_version} stores no application records: the client's "
            "main information and the what-if simulation are not available",
        )
    # Protected fields never reach the browser, whatever wrote the store: the officer must not see them
    # next to a decision they took no part in.
    protected = set(bundle.manifest.protected or ())
    application = {column: value for column, value in record.items() if column not in protected}
    features = store.row(row)
    columns = {name: features[j : j + 1] for j, name in enumerate(bundle.manifest.feature_names)}
    variables = {key: _number(float(values[0])) for key, values in derive_variables(columns).items()}
    return JSONResponse({"client_id": client_id, "application": application, "variables": variables})


@cache
def _population_body(bundle_dir: Path, model_version: str, digest: str) -> bytes:
    """A bundle's population.json, compact. It is read on the first request that asks for it, so it is
    verified against its manifest `digest` as it is read: an altered file raises BundleError, which
    withdraws the bundle like an altered store block. Cached per bundle directory and version once
    verified: a bundle never changes once written."""
    data = read_verified(bundle_dir, POPULATION_FILE, digest)
    try:
        population = json.loads(data)
    except ValueError as error:
        logger.error("bundle file %s unreadable: %s", POPULATION_FILE, type(error).__name__)
        raise ApiError(503, f"{POPULATION_FILE} of model version {model_version} is not valid JSON") from None
    if not isinstance(population, dict) or population.get("format") != POPULATION_FORMAT:
        raise ApiError(
            503, f"{POPULATION_FILE} of model version {model_version} is not format {POPULATION_FORMAT}"
        )
    return json.dumps(population, separators=(",", ":"), allow_nan=False).encode("utf-8")


@router.get(
    "/population",
    responses={
        200: {"description": "Histograms by outcome, centiles and an anonymised sample (population.json)."},
        409: {"model": ErrorResponse, "description": "This bundle has no population summaries."},
        503: {"model": ErrorResponse, "description": _UNAVAILABLE},
    },
    summary="The training population's summaries, to compare a client with",
    tags=["dashboard"],
)
async def population(request: Request) -> Response:
    """Per comparison variable: shared bins with counts of clients who repaid and who defaulted, the
    5th/25th/50th/75th/95th centiles of each group, and a blurred sample without ids for scatter plots."""
    bundle = _bundle(request)
    manifest = bundle.manifest
    if POPULATION_FILE not in manifest.files:
        raise ApiError(409, f"model version {manifest.model_version} has no population summaries")
    body = _population_body(Path(bundle.path), manifest.model_version, manifest.files[POPULATION_FILE])
    return Response(body, media_type="application/json")


@cache
def _feature_population(bundle_dir: Path, model_version: str, digest: str) -> dict[str, Any]:
    """A bundle's feature_population.json, verified against its manifest `digest` as it is read (an
    altered file withdraws the bundle), checked for its format, and cached per bundle version."""
    data = read_verified(bundle_dir, FEATURE_POPULATION_FILE, digest)
    try:
        summaries = json.loads(data)
    except ValueError as error:
        logger.error("bundle file %s unreadable: %s", FEATURE_POPULATION_FILE, type(error).__name__)
        raise ApiError(
            503, f"{FEATURE_POPULATION_FILE} of model version {model_version} is not valid JSON"
        ) from None
    if not isinstance(summaries, dict) or summaries.get("format") != FEATURE_POPULATION_FORMAT:
        raise ApiError(
            503,
            f"{FEATURE_POPULATION_FILE} of model version {model_version} is not format "
            f"{FEATURE_POPULATION_FORMAT}",
        )
    return summaries


_COLON: Final = {"fr": "\u00a0: ", "en": ": "}


def _feature_label(feature: str) -> dict[str, str]:
    entry = catalogue.entry(feature)
    if entry is None:
        return dict.fromkeys(LANGUAGES, feature)
    if entry.column is None or entry.category is None:
        return {language: entry.text(language) for language in LANGUAGES}
    return {
        language: entry.text(language)
        + _COLON[language]
        + catalogue.category_label(entry.column, entry.category, language)
        for language in LANGUAGES
    }


def _scale(feature: str) -> dict[str, Any]:
    entry = catalogue.entry(feature)
    _, factor, unsigned = values.SCALES[entry.unit] if entry is not None else values.SCALES["ratio"]
    return {"factor": factor, "unsigned": unsigned}


@router.get(
    "/population/features/{feature:path}",
    response_model=FeaturePopulationResponse,
    response_model_exclude_none=True,
    responses={
        404: {"model": ErrorResponse, "description": "The feature is not one of this model version's."},
        409: {"model": ErrorResponse, "description": "This bundle has no per-feature population summaries."},
        503: {"model": ErrorResponse, "description": _UNAVAILABLE},
    },
    summary="One model feature's training population, to compare a decision's reason with",
    tags=["dashboard"],
)
async def feature_population(feature: str, request: Request) -> JSONResponse:
    """The feature a reason names (its `feature`), summarised by outcome on the scale the reason states
    the client's value on: a histogram with centiles, or for a yes/no feature how many said yes; and
    how to place the reason's `value` on that scale."""
    bundle = _bundle(request)
    manifest = bundle.manifest
    if FEATURE_POPULATION_FILE not in manifest.files:
        raise ApiError(409, f"model version {manifest.model_version} has no per-feature population summaries")
    summaries = _feature_population(
        Path(bundle.path), manifest.model_version, manifest.files[FEATURE_POPULATION_FILE]
    )
    summary = summaries["features"].get(feature)
    if summary is None:
        raise ApiError(
            404,
            f"{feature!r} is not a feature of model version {manifest.model_version}",
            "feature",
            "path",
        )
    return JSONResponse(
        {
            "feature": feature,
            "label": _feature_label(feature),
            "scale": _scale(feature),
            "clients": summaries["clients"],
            "outcomes": summaries["outcomes"],
            "centiles": summaries["centiles"],
            **summary,
        }
    )


SPECIAL_VALUES: Final = (schema.DAYS_EMPLOYED_ANOMALY,)
"""The schema's placeholder values. Each is listed as a field's `special_values` when the schema's own
rule (`schema.check_application_value`, which POST /predict applies) accepts it outside the field's range,
so that the route says what that rule does rather than repeat which field takes which placeholder."""


def _special_values(column: str, low: float, high: float) -> list[float] | None:
    accepted = [
        float(value)
        for value in SPECIAL_VALUES
        if not low <= value <= high and schema.check_application_value(column, value) is None
    ]
    return accepted or None


@cache
def _application_fields() -> dict[str, dict[str, Any]]:
    fields: dict[str, dict[str, Any]] = {}
    for column, kind in schema.application_columns().items():
        if column == schema.CLIENT_ID:
            continue
        if kind == schema.CATEGORY:
            fields[column] = {
                "kind": kind,
                "whole": False,
                "choices": list(schema.APPLICATION_CATEGORIES[column]),
            }
        else:
            low, high = schema.APPLICATION_RANGES[column]
            fields[column] = {
                "kind": kind,
                "minimum": low,
                "maximum": high,
                "whole": column in schema.WHOLE_NUMBER_COLUMNS,
                "special_values": _special_values(column, low, high),
            }
    return fields


@router.get(
    "/application-fields",
    response_model=dict[str, ApplicationField],
    summary="The application fields POST /predict accepts",
    tags=["dashboard"],
)
async def application_fields() -> dict[str, dict[str, Any]]:
    """Each application field's kind, plausible range (with any value accepted besides it, such as
    DAYS_EMPLOYED's placeholder) and vocabulary: the rules POST /predict applies."""
    return _application_fields()
