"""The rows batch scoring writes: the scored and rejected CSV formats, and what a file-level count holds.

scored:   SK_ID_CURR, probability, prediction, decision, model_version, reason_1 .. reason_4, decision_id
          (reasons are feature names, the features pushing the risk up the most, empty when fewer;
          decision_id is deterministic, see `DecisionIds`)
rejected: line, SK_ID_CURR, reason
          (line counts from 1 = the header; SK_ID_CURR when it could be read; the reason names the
          column and what is expected, or what is wrong with the line)

Probabilities are written with Python's shortest round-trip repr: reading the CSV back gives the very
float the scorer computed.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np

from credit_scoring import schema
from credit_scoring.scoring.scorer import ACCEPTED, MAX_REASONS, REFUSED, DecisionArrays

REASON_COLUMNS: Final = tuple(f"reason_{i}" for i in range(1, MAX_REASONS + 1))
SCORED_COLUMNS: Final = (
    schema.CLIENT_ID,
    "probability",
    "prediction",
    "decision",
    "model_version",
    *REASON_COLUMNS,
    "decision_id",
)
REJECTED_COLUMNS: Final = ("line", schema.CLIENT_ID, "reason")


@dataclass(frozen=True)
class Rejection:
    """One input line that was not scored (`line` None: the file as a whole)."""

    line: int | None
    client_id: int | None
    reason: str


@dataclass
class Counts:
    """Rows of one file or part: every input row is either scored or rejected."""

    rows: int = 0
    scored: int = 0
    rejected: int = 0
    decisions: dict[str, int] = field(default_factory=lambda: {"accepted": 0, "refused": 0})
    history_joined: int = 0
    """Scored application rows whose SK_ID_CURR is a stored client, joined with its stored history."""

    def add(self, other: Counts) -> None:
        self.rows += other.rows
        self.scored += other.scored
        self.rejected += other.rejected
        self.history_joined += other.history_joined
        for decision, count in other.decisions.items():
            self.decisions[decision] = self.decisions.get(decision, 0) + count

    def to_json(self) -> dict[str, Any]:
        return {
            "input_rows": self.rows,
            "scored": self.scored,
            "rejected": self.rejected,
            "decisions": dict(self.decisions),
            "history_joined": self.history_joined,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Counts:
        """The counts `to_json` wrote (a part's report, read back by the merge)."""
        return cls(
            rows=int(data["input_rows"]),
            scored=int(data["scored"]),
            rejected=int(data["rejected"]),
            decisions={str(k): int(v) for k, v in data["decisions"].items()},
            history_joined=int(data["history_joined"]),
        )


DECISION_ID_NAMESPACE: Final = uuid.UUID("0d7d5a4e-3f5b-5c1e-9a51-6c0f1b2e8d40")
"""The uuid5 namespace of batch row decision ids (fixed: changing it would change every id)."""


_HEX_DIGITS: Final = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_UUID_TEXT_LENGTH: Final = 36
_UUID_DIGIT_POSITIONS: Final = np.array([i for i in range(_UUID_TEXT_LENGTH) if i not in (8, 13, 18, 23)])
"""Where the 32 hex digits of a UUID's text go; the dashes fill the other four positions."""


class DecisionIds:
    """The decision id of each scored row of one run: uuid5(DECISION_ID_NAMESPACE, f"{run}:{line}").

    `run` names the input version and the model (`run_name`), `line` is the row's input line, so a
    re-run of the same input with the same model gives the same ids (and byte-identical outputs), while
    another upload, another file or another model gives other ids. Anyone holding the report can
    recompute a row's id. The SHA-1 of the common prefix is computed once (what `uuid.uuid5` would hash
    again for every row)."""

    def __init__(self, run: str) -> None:
        self.run = run
        self._prefix = hashlib.sha1(DECISION_ID_NAMESPACE.bytes + f"{run}:".encode(), usedforsecurity=False)

    def __call__(self, lines: Iterable[int]) -> list[str]:
        # Only the hashing is done row by row; the version bits and the text of every id are set for
        # all rows at once with numpy, which is cheaper than formatting each uuid.
        digests = np.frombuffer(b"".join(map(self._digest, lines)), dtype=np.uint8)
        raw = digests.reshape(-1, self._prefix.digest_size)[:, :16].copy()
        raw[:, 6] = (raw[:, 6] & 0x0F) | 0x50  # version 5
        raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80  # RFC 4122 variant
        nibbles = np.empty((len(raw), 32), dtype=np.uint8)
        nibbles[:, 0::2] = raw >> 4
        nibbles[:, 1::2] = raw & 0x0F
        text = np.full((len(raw), _UUID_TEXT_LENGTH), ord("-"), dtype=np.uint8)
        text[:, _UUID_DIGIT_POSITIONS] = _HEX_DIGITS[nibbles]
        return text.view(f"S{_UUID_TEXT_LENGTH}").ravel().astype(f"U{_UUID_TEXT_LENGTH}").tolist()

    def _digest(self, line: int) -> bytes:
        digest = self._prefix.copy()
        digest.update(b"%d" % line)
        return digest.digest()


def run_name(source: str, version: str, model_version: str) -> str:
    """What a run's decision ids are derived from: the input (`bucket/key`, or a local path), its
    version (the S3 ETag without quotes, or a local file's MD5, which is the ETag S3 gives it when
    uploaded in one part) and the model version."""
    return f"{source}:{version.strip(chr(34))}:{model_version}"


def header_line(columns: Sequence[str]) -> bytes:
    return _csv([columns])


def scored_rows(
    client_ids: np.ndarray,
    decisions: DecisionArrays,
    feature_names: Sequence[str],
    model_version: str,
    decision_ids: Sequence[str],
) -> bytes:
    """CSV lines of scored rows (no header), client_ids[i] with row i of `decisions` and decision_ids[i],
    whose reason indices point into `feature_names`.

    Written column by column rather than row by row: each column becomes a list of texts in one pass
    (the probabilities by Python's repr, the reasons by looking their quoted names up for the whole
    matrix at once), then the lines are joined. Every field is a number or a fixed name, each name quoted
    once if it needs quoting (`_field`), so the csv module is not needed.
    """
    if not len(client_ids):
        return b""
    reasons = decisions.reason_index
    if reasons.shape[1] > MAX_REASONS:
        raise ValueError(f"at most {MAX_REASONS} reasons fit the scored columns, got {reasons.shape[1]}")
    version = _field(model_version)
    outcomes = (f"0,{ACCEPTED},{version}", f"1,{REFUSED},{version}")  # prediction, decision, version
    # Index -1 (no reason) picks the empty text at the end.
    names = np.array([*(_field(name) for name in feature_names), ""], dtype=object)
    columns = [
        map(str, client_ids.tolist()),
        map(repr, decisions.probability.tolist()),  # shortest round trip, as the per-row writer's !r
        map(outcomes.__getitem__, decisions.prediction.tolist()),
        *names[reasons.T].tolist(),
        *([""] * len(client_ids) for _ in range(MAX_REASONS - reasons.shape[1])),
        decision_ids,  # uuids: nothing to quote
    ]
    return ("\n".join(map(",".join, zip(*columns, strict=True))) + "\n").encode("utf-8")


@functools.cache
def _field(text: str) -> str:
    """A fixed text (a feature name such as "NAME_TYPE_SUITE=Spouse, partner") as a CSV field."""
    return _csv([(text,)]).decode("utf-8").removesuffix("\n")


def rejected_rows(rejections: Iterable[Rejection]) -> bytes:
    """CSV lines of rejected rows (no header)."""
    return _csv(
        ("" if r.line is None else r.line, "" if r.client_id is None else r.client_id, r.reason)
        for r in rejections
    )


def _csv(rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")
