"""The one error a bundle raises when it cannot be trusted or read."""

from __future__ import annotations


class BundleError(Exception):
    """A bundle that cannot be served: `file` names the file at fault (relative to the bundle), `reason`
    says what is wrong with it. Neither ever contains client data."""

    def __init__(self, file: str, reason: str) -> None:
        super().__init__(f"{file}: {reason}")
        self.file = file
        self.reason = reason
