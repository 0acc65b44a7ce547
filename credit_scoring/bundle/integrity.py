"""sha256 of the bundle's files, checked against the manifest before anything is used."""

from __future__ import annotations

import hashlib
from pathlib import Path

from credit_scoring.bundle.errors import BundleError, os_error
from credit_scoring.bundle.manifest import Manifest


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in chunks (a large store is hashed without being held in memory)."""
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def verify_file(bundle_dir: Path, name: str, expected: str) -> None:
    """Check one file of the bundle against its manifest digest; raises BundleError naming it."""
    path = Path(bundle_dir) / name
    try:
        actual = sha256_file(path)
    except FileNotFoundError:
        raise BundleError(name, "is listed in the manifest but missing from the bundle") from None
    except OSError as error:
        raise os_error(name, error) from None
    if actual != expected:
        raise BundleError(name, "sha256 does not match the manifest (the file was changed or corrupted)")


def read_verified(bundle_dir: Path, name: str, expected: str) -> bytes:
    """A small file of the bundle read after the load-time checks, verified as read: the bytes returned
    are the bytes hashed. Raises BundleError naming it when it is missing, unreadable or changed."""
    try:
        data = (Path(bundle_dir) / name).read_bytes()
    except FileNotFoundError:
        raise BundleError(name, "is listed in the manifest but missing from the bundle") from None
    except OSError as error:
        raise os_error(name, error) from None
    if hashlib.sha256(data).hexdigest() != expected:
        raise BundleError(name, "sha256 does not match the manifest (the file was changed or corrupted)")
    return data


def check_listed(manifest: Manifest) -> None:
    """Every file serving opens must be listed, so that nothing unverified is ever used."""
    for name in manifest.required_files():
        if name not in manifest.files:
            raise BundleError(name, "is used by the bundle but not listed in the manifest's files")


def verify_files(bundle_dir: Path, manifest: Manifest) -> None:
    """Check that every file serving needs is listed, and every listed file, the store's large arrays
    included, is present and matches its manifest sha256 (as a bundle downloaded from S3 is checked)."""
    check_listed(manifest)
    for name, expected in manifest.files.items():
        verify_file(bundle_dir, name, expected)
