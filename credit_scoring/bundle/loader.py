"""Load a bundle once per cold start, from a directory (the model layer) or from S3 into /tmp.

Nothing is used before it is verified: the manifest is read and checked, every listed file is
compared with its sha256, then the serving model and the memory-mapped store are opened. A bundle
from S3 is downloaded into a fresh directory, every file verified in full as it arrives, and used only
when all have. A directory's store is then also verified block by block as it is read, so that a file
altered after start-up is found (the model layer is at most 250 MB unzipped, so hashing it in full at
load costs a fraction of a second).
`load_from_environment` never raises: a bundle that cannot be served becomes `BundleUnavailable`,
whose reason the API answers with 503, and whose file name (never any data) is logged.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from credit_scoring.bundle.errors import BundleError, os_error
from credit_scoring.bundle.integrity import check_listed, verify_file, verify_files
from credit_scoring.bundle.manifest import MANIFEST_FILE, Manifest, read_manifest
from credit_scoring.bundle.serving_model import load_calibration, load_serving_model
from credit_scoring.bundle.store import FeatureStore
from credit_scoring.scoring.model import ServingModel
from credit_scoring.scoring.scorer import Scorer

logger = logging.getLogger(__name__)

DEFAULT_MODEL_DIR: Final = "/opt/model"
"""Where Lambda mounts the model layer's `model/` folder."""
_S3_URI: Final = re.compile(r"s3://(?P<bucket>[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])/(?P<prefix>[^\s]*)")


@dataclass(frozen=True)
class LoadedBundle:
    """A verified bundle, ready to serve. `source` is where it came from (a directory or an S3 URI),
    `path` the local directory its files are read from."""

    manifest: Manifest
    model: ServingModel
    scorer: Scorer
    store: FeatureStore
    source: str
    path: Path


@dataclass(frozen=True)
class BundleUnavailable:
    """Why no bundle can be served: `reason` for the 503 answer, `file` the file at fault (if any)."""

    reason: str
    file: str | None
    source: str


def load_bundle(model_dir: Path, source: str | None = None) -> LoadedBundle:
    """Verify and open a bundle directory; raises BundleError naming the file at fault."""
    model_dir = Path(model_dir)
    manifest = read_manifest(model_dir)
    verify_files(model_dir, manifest)
    return _open(model_dir, manifest, source or str(model_dir), verified=False)


def load_bundle_from_s3(uri: str, cache_dir: Path) -> LoadedBundle:
    """Download a bundle from `s3://bucket/prefix/` into a new directory under `cache_dir`, verifying
    each file as it arrives; raises BundleError (the directory is removed unless the load succeeds)."""
    bucket, prefix = parse_s3_uri(uri)
    import boto3  # only a bundle from S3 pays for boto3's import

    client = boto3.client("s3")
    Path(cache_dir).mkdir(parents=True, exist_ok=True)
    target = Path(tempfile.mkdtemp(prefix="bundle-", dir=cache_dir))
    try:
        _download(client, bucket, prefix, MANIFEST_FILE, target)
        manifest = read_manifest(target)
        check_listed(manifest)
        for name, digest in manifest.files.items():
            _download(client, bucket, prefix, name, target)
            verify_file(target, name, digest)
        return _open(target, manifest, f"s3://{bucket}/{prefix}", verified=True)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise


def _download(client: object, bucket: str, prefix: str, name: str, target: Path) -> None:
    """Download one bundle file; any failure is a BundleError naming the file and the object."""
    from botocore.exceptions import BotoCoreError, ClientError

    local = target / name
    local.parent.mkdir(parents=True, exist_ok=True)
    key = prefix + name
    try:
        client.download_file(bucket, key, str(local))  # type: ignore[attr-defined]
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        what = "not found" if code in ("404", "NoSuchKey", "NotFound") else f"cannot be downloaded ({code})"
        raise BundleError(name, f"{what} at s3://{bucket}/{key}") from None
    except BotoCoreError as error:
        failed = (
            f"cannot be downloaded from s3://{bucket}/{key}: the S3 client failed ({type(error).__name__})"
        )
        raise BundleError(name, failed, detail=str(error)) from None
    except OSError as error:
        raise os_error(name, error, f"cannot be downloaded from s3://{bucket}/{key}") from None


def load_from_environment(environ: Mapping[str, str] = os.environ) -> LoadedBundle | BundleUnavailable:
    """The bundle named by MODEL_S3_URI if set, else by MODEL_DIR (default /opt/model); never raises."""
    uri = environ.get("MODEL_S3_URI", "").strip()
    source = uri or environ.get("MODEL_DIR", DEFAULT_MODEL_DIR)
    try:
        if uri:
            return load_bundle_from_s3(uri, Path(tempfile.gettempdir()))
        return load_bundle(Path(source))
    except BundleError as error:
        logger.error(
            "model bundle unavailable: file=%s reason=%s source=%s", error.file, error.logged_reason, source
        )
        return BundleUnavailable(reason=str(error), file=error.file, source=source)


def parse_s3_uri(uri: str) -> tuple[str, str]:
    """(bucket, key prefix ending with "/" or empty) of `s3://bucket/prefix/`; BundleError otherwise."""
    match = _S3_URI.fullmatch(uri)
    if match is None:
        raise BundleError(
            "MODEL_S3_URI", f"{uri!r} is not of the form s3://bucket/prefix/ with a valid bucket name"
        )
    prefix = match["prefix"]
    if prefix and not prefix.endswith("/"):
        prefix += "/"
    return match["bucket"], prefix


def _open(bundle_dir: Path, manifest: Manifest, source: str, *, verified: bool) -> LoadedBundle:
    """Open a bundle whose files are verified (`verified`), or whose store is verified as it is read."""
    model = load_serving_model(bundle_dir, manifest)
    return LoadedBundle(
        manifest=manifest,
        model=model,
        scorer=Scorer(model, manifest.threshold, calibration=load_calibration(bundle_dir, manifest)),
        store=FeatureStore.open(bundle_dir, manifest.store, len(manifest.features), verified=verified),
        source=source,
        path=bundle_dir,
    )
