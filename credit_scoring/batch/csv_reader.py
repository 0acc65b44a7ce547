"""Reading a CSV input as a stream of line blocks, and parsing each block with pandas.

A 1 GB file never needs 1 GB of memory: the input is read `block_bytes` at a time, cut at the last line
break, and each block of complete lines is parsed on its own. Gzip is recognised by its magic bytes,
whatever the name, and decompressed on the fly.

One record is one line. That is what makes line numbers exact, lets a file be split into byte ranges
on line boundaries (`line_blocks(start_inside_line=..., stop_at=...)`), and lets each line be checked
before pandas sees it: pandas' C parser fills a short row with missing values and stops at a long one,
so every line is first checked to hold exactly the header's number of fields (commas counted outside
RFC 4180 quoted fields, with numpy over the whole block). A line that fails (a quoted field running
onto the next line included: Home Credit data has none) is rejected with its reason, never guessed at.

pandas' C parser reads the numbers itself, the fastest of the readers compared (docs/benchmarks.md,
Batch); its numbers are the ones Python's float() reads (checked on every value of the real sample), so
a row scores as its JSON does.
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO, Final, Literal

import numpy as np
import pandas as pd

from credit_scoring import schema

MAX_LINE_BYTES: Final = 1024 * 1024
"""Longest line accepted (an application line is about 600 bytes): bounds memory on a file that is not
line-oriented text at all."""
MAX_DECOMPRESSED_BYTES: Final = 8 * 1024**3
"""Most bytes a gzip input may expand to: twice what one invocation plans to score, and a fan-out of
parts stages at most this much (a bomb expanding without end is refused rather than timed out)."""
MAX_GZIP_RATIO: Final = 100
"""Most a gzip input may expand, decompressed over compressed bytes read (CSV text gives 5 to 15; a bomb
thousands). Fan-out planning assumes this worst case, never a typical ratio."""
RATIO_CHECKED_FROM_BYTES: Final = 16 * 1024 * 1024
"""Decompressed bytes from which the ratio is enforced: a small file of repeated lines may well compress
better than MAX_GZIP_RATIO, and costs nothing to score."""
MAX_ROWS: Final = 10_000_000
"""Most data lines a batch input may hold (an application file of that many rows is about 6 GB, under
MAX_DECOMPRESSED_BYTES): bounds the outputs, whose multipart uploads and merge copy every row."""
GZIP_MAGIC: Final = b"\x1f\x8b"
UTF8_BOM: Final = "\ufeff"
_NEWLINE, _COMMA, _QUOTE = ord("\n"), ord(","), ord('"')
_NOT_CSV: Final = (
    (b"PK\x03\x04", "a ZIP archive (an .xlsx workbook is one)"),
    (b"\xd0\xcf\x11\xe0", "an OLE document (an .xls workbook is one)"),
    (b"BZh", "bzip2-compressed"),
    (b"\xfd7zXZ\x00", "xz-compressed"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed"),
    (b"PAR1", "a Parquet file"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xfe", "UTF-16 text"),
    (b"\xfe\xff", "UTF-16 text"),
    (GZIP_MAGIC, "gzip-compressed twice"),
)
EXPECTED_FILE: Final = (
    "expected CSV text in UTF-8 (optionally gzip-compressed) with a header line: Home Credit application "
    "columns as in application_test.csv, or a single SK_ID_CURR column"
)

APPLICATIONS: Final = "applications"
CLIENT_IDS: Final = "client_ids"


class FileRejectedError(Exception):
    """The file as a whole cannot be scored (not CSV text, wrong header, corrupt compression...).

    `reason` is a sentence for the rejected output and the report; it never holds a data value.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def check_row_count(rows: int) -> None:
    """Raise FileRejectedError when a file holds more than MAX_ROWS data lines."""
    if rows > MAX_ROWS:
        raise FileRejectedError(
            f"the file holds more than {MAX_ROWS:,} rows, the most a batch input may (MAX_ROWS): "
            "split it into smaller files"
        )


class _Prefixed:
    """A stream whose first bytes were already read (to look at them) put back in front of the rest."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self._head = head
        self._stream = stream

    def read(self, size: int = -1) -> bytes:
        if not self._head:
            return self._stream.read(size)
        if size < 0:
            data, self._head = self._head + self._stream.read(), b""
            return data
        data, self._head = self._head[:size], self._head[size:]
        return data


class _Counted:
    """A stream that counts the bytes read from it."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self.bytes_read += len(data)
        return data


class _GzipStream:
    """Decompresses a gzip stream, turning a corrupt or truncated one, or one expanding past
    MAX_DECOMPRESSED_BYTES or MAX_GZIP_RATIO, into FileRejectedError."""

    def __init__(self, stream: Any) -> None:
        self._compressed = _Counted(stream)
        self._file = gzip.GzipFile(fileobj=self._compressed, mode="rb")
        self._decompressed = 0

    def read(self, size: int = -1) -> bytes:
        try:
            data = self._file.read(size)
        except (gzip.BadGzipFile, EOFError, zlib.error) as error:
            raise FileRejectedError(
                f"the gzip stream is corrupt or truncated ({error}); {EXPECTED_FILE}"
            ) from None
        self._decompressed += len(data)
        self._check_bounds()
        return data

    def _check_bounds(self) -> None:
        if self._decompressed > MAX_DECOMPRESSED_BYTES:
            raise FileRejectedError(
                f"the gzip stream expands past {MAX_DECOMPRESSED_BYTES:,} bytes, the most a batch input may "
                "hold decompressed (MAX_DECOMPRESSED_BYTES): split it into smaller files"
            )
        ratio = self._decompressed / max(self._compressed.bytes_read, 1)
        if self._decompressed > RATIO_CHECKED_FROM_BYTES and ratio > MAX_GZIP_RATIO:
            raise FileRejectedError(
                f"the gzip stream expands {ratio:,.0f} times past its first {self._compressed.bytes_read:,} "
                f"compressed bytes, more than the {MAX_GZIP_RATIO} times a batch input may (MAX_GZIP_RATIO): "
                "a compression bomb, or data that is not rows of a CSV file"
            )


def _head(stream: Any, size: int = 8) -> bytes:
    head = b""
    while len(head) < size:
        piece = stream.read(size - len(head))
        if not piece:
            break
        head += piece
    return head


def _refuse_known_formats(head: bytes) -> None:
    for magic, what in _NOT_CSV:
        if head.startswith(magic):
            raise FileRejectedError(f"the object is {what}: {EXPECTED_FILE}")


def open_decoded(raw: Any) -> tuple[Any, bool]:
    """The CSV bytes of `raw` (a binary stream), and whether they were gzip-compressed.

    Compression is recognised by the magic bytes, not the name. Raises FileRejectedError for an empty object
    or one whose first bytes show it is not CSV text (a ZIP archive, UTF-16 text, ...).
    """
    head = _head(raw)
    if not head:
        raise FileRejectedError(f"the object is empty: {EXPECTED_FILE}")
    compressed = head.startswith(GZIP_MAGIC)
    stream: Any = _Prefixed(head, raw)
    if compressed:
        stream = _GzipStream(stream)
        head = _head(stream)
        if not head:
            raise FileRejectedError(f"the object is an empty gzip stream: {EXPECTED_FILE}")
        stream = _Prefixed(head, stream)
    _refuse_known_formats(head)
    return stream, compressed


def line_blocks(
    stream: Any, block_bytes: int, *, start_inside_line: bool = False, stop_at: int | None = None
) -> Iterator[bytes]:
    """Blocks of complete lines read from `stream`, each about `block_bytes` long and ending in a newline
    (one is added to a last line that lacks it).

    For a byte range: `start_inside_line` skips everything up to and including the first newline (the end
    of a line that belongs to the previous range), and `stop_at` ends the blocks with the line holding the
    byte at offset `stop_at - 1` of the stream, so that exactly the lines starting before `stop_at` are
    yielded. Raises FileRejectedError for a line longer than MAX_LINE_BYTES.
    """
    buffer = b""
    offset = 0  # stream offset of buffer[0]
    skipping = start_inside_line
    while True:
        piece = stream.read(block_bytes)
        buffer += piece
        if skipping:
            newline = buffer.find(b"\n")
            if newline < 0:
                _check_line_length(buffer, offset)
                if not piece:
                    return
                continue
            offset += newline + 1
            buffer = buffer[newline + 1 :]
            skipping = False
        end = len(buffer) if not piece else buffer.rfind(b"\n") + 1
        if stop_at is not None and offset + end >= stop_at:
            last = buffer.find(b"\n", max(stop_at - offset - 1, 0))
            if last >= 0 or not piece:
                block = buffer[: last + 1] if last >= 0 else buffer
                if stop_at > offset and block:
                    yield _checked(_terminated(block), offset)
                return
        elif end:
            yield _checked(_terminated(buffer[:end]), offset)
            offset += end
            buffer = buffer[end:]
        _check_line_length(buffer, offset)
        if not piece:
            return


def _terminated(block: bytes) -> bytes:
    return block if block.endswith(b"\n") else block + b"\n"


def _checked(block: bytes, offset: int) -> bytes:
    """`block` (complete lines, from stream offset `offset`) after checking that no line in it is longer
    than MAX_LINE_BYTES, wherever it falls in the block."""
    start = 0
    # The last line break within MAX_LINE_BYTES + 1 bytes of a line's start skips every shorter line
    # at once: a block costs about len(block) / MAX_LINE_BYTES searches.
    while len(block) - start > MAX_LINE_BYTES + 1:
        newline = block.rfind(b"\n", start, start + MAX_LINE_BYTES + 1)
        if newline < 0:
            _check_line_length(block[start:], offset + start)
        start = newline + 1
    return block


def _check_line_length(buffer: bytes, offset: int) -> None:
    if len(buffer) > MAX_LINE_BYTES:
        raise FileRejectedError(
            f"a line starting at byte {offset} is longer than {MAX_LINE_BYTES} bytes: {EXPECTED_FILE}"
        )


@dataclass(frozen=True)
class FileLayout:
    """What the header says the file holds."""

    kind: Literal["applications", "client_ids"]
    columns: tuple[str, ...]
    """The header's columns, in file order (TARGET included when present; it is never read)."""
    absent: tuple[str, ...]
    """Application columns the header lacks: missing values on every row, as in an API request."""

    @property
    def used(self) -> tuple[str, ...]:
        return tuple(column for column in self.columns if column != schema.TARGET)


def read_layout(header: bytes) -> FileLayout:
    """The layout declared by a header line; raises FileRejectedError naming what is wrong with it."""
    try:
        text = header.decode("utf-8").removeprefix(UTF8_BOM).rstrip("\r\n")
    except UnicodeDecodeError:
        raise FileRejectedError(f"the header line is not valid UTF-8: {EXPECTED_FILE}") from None
    if not text.strip():
        raise FileRejectedError(f"the first line is empty, where the header should be: {EXPECTED_FILE}")
    if "\r" in text:
        raise FileRejectedError(
            "line 1 (the header) holds a carriage return that does not end it: lines must end in LF or "
            f"CRLF, not in CR alone (old Mac line endings): {EXPECTED_FILE}"
        )
    try:
        columns = tuple(next(csv.reader([text])))
    except csv.Error as error:  # a field over csv's size limit, say
        raise FileRejectedError(
            f"line 1 (the header) cannot be read as CSV ({error}): {EXPECTED_FILE}"
        ) from None
    duplicated = sorted({column for column in columns if columns.count(column) > 1})
    if duplicated:
        raise FileRejectedError(f"the header names {', '.join(duplicated)} more than once: {EXPECTED_FILE}")
    known = schema.application_columns()
    unknown = [column for column in columns if column not in known and column != schema.TARGET]
    if unknown:
        shown = ", ".join(repr(column) for column in unknown[:5])
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        raise FileRejectedError(f"unknown columns {shown}{more} in the header: {EXPECTED_FILE}")
    if schema.CLIENT_ID not in columns:
        raise FileRejectedError(f"the header has no {schema.CLIENT_ID} column: {EXPECTED_FILE}")
    used = [column for column in columns if column != schema.TARGET]
    kind: Literal["applications", "client_ids"] = APPLICATIONS if len(used) > 1 else CLIENT_IDS
    absent = tuple(column for column in known if column not in columns) if kind == APPLICATIONS else ()
    return FileLayout(kind, columns, absent)


@dataclass(frozen=True)
class RecordBlock:
    """A block of lines: the well-formed ones parsed, the others with the reason they were rejected."""

    frame: pd.DataFrame
    """One row per well-formed line, the layout's used columns; numbers parsed where pandas could,
    categories and SK_ID_CURR as text (NaN for an empty field)."""
    lines: np.ndarray
    """Line number of each row of `frame`."""
    malformed: tuple[tuple[int, str | None, str], ...]
    """(line number, the SK_ID_CURR field's text or None, reason) of each rejected line."""
    n_lines: int
    """Lines in the block, counted by their line breaks: every one is in `frame` or `malformed`."""


def parse_block(block: bytes, first_line: int, layout: FileLayout) -> RecordBlock:
    """Parse a block of complete lines whose first line is line number `first_line` of the file."""
    # The membership test is a fast scan; the replacement copies the block even when it changes nothing.
    data = block.replace(b"\r\n", b"\n") if b"\r" in block else block
    bytes_ = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(bytes_ == _NEWLINE)
    starts = np.concatenate(([0], ends[:-1] + 1))
    problems = _line_problems(data, bytes_, starts, ends, len(layout.columns))
    good = np.array([problem is None for problem in problems], dtype=bool)
    numbers = first_line + np.arange(len(ends))
    id_position = layout.columns.index(schema.CLIENT_ID)
    malformed = tuple(
        (int(numbers[i]), _id_text(data[starts[i] : ends[i]], id_position), problem)
        for i, problem in enumerate(problems)
        if problem is not None
    )
    text = data if good.all() else b"".join(data[starts[i] : ends[i] + 1] for i in np.flatnonzero(good))
    frame = _read_frame(text, layout, int(good.sum()), first_line)
    return RecordBlock(frame, numbers[good], malformed, len(ends))


def _line_problems(
    data: bytes, bytes_: np.ndarray, starts: np.ndarray, ends: np.ndarray, n_fields: int
) -> list[str | None]:
    """Why each line cannot be parsed as one record of `n_fields` fields, or None when it can."""
    n = len(ends)
    problems: list[str | None] = [None] * n
    quotes = np.flatnonzero(bytes_ == _QUOTE)
    quote_lines = np.searchsorted(ends, quotes)
    unbalanced = np.bincount(quote_lines, minlength=n) % 2 == 1
    # Commas in each line, and below inside each quoted field, as sums of the comma mask over byte ranges
    # (np.add.reduceat), cheaper than locating every comma or a running sum over every byte. uint32 sums:
    # a block holds far fewer than 2**32 bytes.
    comma = (bytes_ == _COMMA).view(np.uint8)
    commas = (
        np.add.reduceat(comma[: ends[-1] + 1], starts, dtype=np.uint32).astype(np.int64)
        if n
        else np.zeros(0, dtype=np.int64)
    )

    paired = quotes[~unbalanced[quote_lines]]
    misplaced = np.zeros(n, dtype=bool)
    if len(paired):
        opens, closes = paired[0::2], paired[1::2]
        bounds = np.empty(len(paired), dtype=np.intp)  # open, close, open, close...: increasing
        bounds[0::2], bounds[1::2] = opens, closes
        quoted_commas = np.add.reduceat(comma, bounds, dtype=np.uint32)[0::2]  # [open, close) ranges
        pair_lines = np.searchsorted(ends, opens)
        commas -= np.bincount(pair_lines, weights=quoted_commas, minlength=n).astype(np.int64)
        # RFC 4180: a quoted field starts after a comma (or at the line's start) and ends before one (or
        # the line's end); "" inside it is an escaped quote. pandas reads any other quote literally.
        before = bytes_[np.maximum(opens - 1, 0)]
        after = bytes_[closes + 1]
        continues = np.zeros(len(opens), dtype=bool)
        continues[1:] = opens[1:] == closes[:-1] + 1
        continued = np.zeros(len(opens), dtype=bool)
        continued[:-1] = continues[1:]
        bad_open = ~((opens == starts[pair_lines]) | (before == _COMMA) | continues)
        bad_close = ~((after == _COMMA) | (after == _NEWLINE) | continued)
        misplaced[pair_lines[bad_open | bad_close]] = True

    nul_lines = np.unique(np.searchsorted(ends, np.flatnonzero(bytes_ == 0)))
    fields = commas + 1
    for i in np.flatnonzero(unbalanced | misplaced | (fields != n_fields) | (starts == ends)):
        if starts[i] == ends[i]:
            problems[i] = "empty line"
        elif unbalanced[i]:
            problems[i] = (
                "odd number of double quotes: a quoted field is left open (fields running over several "
                "lines are not accepted) or a quote stands inside an unquoted field"
            )
        elif misplaced[i]:
            problems[i] = "misplaced quote: a quoted field must start and end at the commas around it"
        else:
            problems[i] = f"expected {n_fields} fields (the header's), found {fields[i]}"
    for i in nul_lines:
        problems[i] = problems[i] or "contains a NUL byte: not CSV text"
    _check_utf8(data, starts, ends, problems)
    return problems


def _check_utf8(data: bytes, starts: np.ndarray, ends: np.ndarray, problems: list[str | None]) -> None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        for i, (start, end) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
            try:
                data[start:end].decode("utf-8")
            except UnicodeDecodeError as error:
                problems[i] = problems[i] or f"not valid UTF-8 text (byte {error.start + 1} of the line)"


def _id_text(line: bytes, position: int) -> str | None:
    """The SK_ID_CURR field of a malformed line when it can still be read plainly as a client id."""
    fields = line.split(b",")
    if position < len(fields):
        field = fields[position].strip(b'"').decode("ascii", errors="replace")
        if schema.parse_client_id(field) is not None:
            return field
    return None


def _read_frame(text: bytes, layout: FileLayout, n_rows: int, first_line: int) -> pd.DataFrame:
    used = layout.used
    text_columns = {
        column: object
        for column in used
        if column == schema.CLIENT_ID or column in schema.APPLICATION_CATEGORIES
    }
    if n_rows == 0:
        return pd.DataFrame({column: pd.Series(dtype=object) for column in used})
    try:
        frame = pd.read_csv(
            io.BytesIO(text),
            header=None,
            names=list(layout.columns),
            usecols=list(used),
            dtype=text_columns,
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=False,
            lineterminator="\n",
            encoding="utf-8",
            engine="c",
            low_memory=False,
        )
    except (pd.errors.ParserError, ValueError) as error:
        raise FileRejectedError(
            f"the lines from line {first_line} on could not be parsed as CSV ({error})"
        ) from None
    if len(frame) != n_rows:
        raise FileRejectedError(
            f"the lines from line {first_line} on could not be parsed one record per line "
            f"({len(frame)} records for {n_rows} lines)"
        )
    return frame
