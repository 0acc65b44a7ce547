"""The one error a bundle raises when it cannot be trusted or read."""

from __future__ import annotations

import errno
from typing import Final

_OS_ERRORS: Final = {
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EISDIR: "it is a directory, not a file",
    errno.ENOTDIR: "a directory on its path is not a directory",
    errno.ELOOP: "its symbolic links loop",
    errno.ENOSPC: "no space left on the device",
    errno.EIO: "the device reported an input/output error",
}


class BundleError(Exception):
    """A bundle that cannot be served: `file` names the file at fault (relative to the bundle), `reason`
    says what is wrong with it, and is what clients are told; `detail`, when there is one, is what only
    the server log adds (an OS error's own message, with the local path). None ever contains client
    data."""

    def __init__(self, file: str, reason: str, detail: str | None = None) -> None:
        super().__init__(f"{file}: {reason}")
        self.file = file
        self.reason = reason
        self.detail = detail

    @property
    def logged_reason(self) -> str:
        """The reason with its detail, for the server log only."""
        return f"{self.reason} ({self.detail})" if self.detail else self.reason


class BundleReadError(BundleError):
    """A bundle file the operating system could not read: it says nothing about the file's bytes, so
    while serving it fails only the request that read it (the next one reads again), where a file whose
    bytes changed withdraws the bundle; at load it refuses the bundle like any BundleError."""


def os_error(file: str, error: OSError, failed: str = "cannot be read") -> BundleReadError:
    """The BundleError of an OS error on a bundle file: what failed and why in the bundle's terms, never
    the local path or the OS's message, which go to `detail` for the server log."""
    why = _OS_ERRORS.get(error.errno or 0, "the operating system refused (the server log has its error)")
    return BundleReadError(file, f"{failed}: {why}", detail=str(error))
