"""Reading CSV inputs: line blocks and byte ranges, encodings, headers, and each line's structure."""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import random
from typing import Any

import numpy as np
import pytest

from credit_scoring import schema
from credit_scoring.batch.csv_reader import (
    APPLICATIONS,
    CLIENT_IDS,
    MAX_GZIP_RATIO,
    MAX_LINE_BYTES,
    RATIO_CHECKED_FROM_BYTES,
    FileLayout,
    FileRejectedError,
    line_blocks,
    open_decoded,
    parse_block,
    read_layout,
)


class TrickleStream:
    """A binary stream that returns at most `step` bytes per read, as a network stream may."""

    def __init__(self, data: bytes, step: int) -> None:
        self._data = io.BytesIO(data)
        self._step = step

    def read(self, size: int = -1) -> bytes:
        return self._data.read(self._step if size < 0 else min(size, self._step))


def random_lines(rng: random.Random, n: int) -> list[bytes]:
    return [b"x" * rng.randint(0, 40) + str(i).encode() + b"\n" for i in range(n)]


@pytest.mark.parametrize("seed", range(5))
def test_blocks_are_complete_lines_and_lose_nothing(seed: int) -> None:
    rng = random.Random(seed)
    lines = random_lines(rng, 300)
    data = b"".join(lines)
    if seed % 2:
        data = data[:-1]  # a last line without its line break
    blocks = list(line_blocks(TrickleStream(data, rng.randint(1, 97)), rng.randint(16, 200)))
    assert all(block.endswith(b"\n") for block in blocks)
    assert b"".join(blocks) == b"".join(lines)


@pytest.mark.parametrize("seed", range(8))
def test_byte_ranges_read_every_line_exactly_once(seed: int) -> None:
    """Ranges cut anywhere, even inside a line or on a line break, give every line to exactly one range."""
    rng = random.Random(seed)
    header = b"SK_ID_CURR\n"
    lines = random_lines(rng, 200)
    data = header + b"".join(lines)
    cuts = sorted(rng.sample(range(len(header) + 1, len(data)), rng.randint(1, 30)))
    bounds = [len(header), *cuts, len(data)]
    read: list[bytes] = []
    for start, end in itertools.pairwise(bounds):
        stream = TrickleStream(data[start - 1 :], rng.randint(1, 64))
        for block in line_blocks(
            stream, rng.randint(8, 128), start_inside_line=True, stop_at=end - (start - 1)
        ):
            read.extend(block.splitlines(keepends=True))
    assert read == lines


def test_a_range_inside_one_line_reads_nothing() -> None:
    data = b"h\n" + b"a" * 100 + b"\n" + b"b\n"
    assert list(line_blocks(io.BytesIO(data[10:]), 16, start_inside_line=True, stop_at=50)) == []


def test_a_line_longer_than_the_limit_rejects_the_file() -> None:
    data = b"SK_ID_CURR\n" + b"1" * (MAX_LINE_BYTES + 10)
    with pytest.raises(FileRejectedError, match="longer than"):
        list(line_blocks(io.BytesIO(data), 64 * 1024))


BLOCK = 4 * MAX_LINE_BYTES


@pytest.mark.parametrize(
    "before",
    [0, 100, BLOCK // 2, BLOCK - MAX_LINE_BYTES // 2, BLOCK - 1],
    ids=["first", "early", "inside a block", "across blocks", "at a block's end"],
)
def test_the_line_limit_holds_wherever_the_line_falls(before: int) -> None:
    """A line one byte over the limit is refused and a line at the limit accepted, at any offset."""
    lead = b"1\n" * (before // 2)
    tail = b"\n" + b"2\n" * 1000

    over = lead + b"x" * (MAX_LINE_BYTES + 1) + tail
    with pytest.raises(FileRejectedError, match=f"starting at byte {len(lead)} is longer than"):
        list(line_blocks(io.BytesIO(over), BLOCK))

    at_limit = lead + b"x" * MAX_LINE_BYTES + tail
    assert b"".join(line_blocks(io.BytesIO(at_limit), BLOCK)) == at_limit


def test_gzip_is_recognised_by_its_bytes_not_its_name() -> None:
    plain = b"SK_ID_CURR\n100002\n"
    stream, compressed = open_decoded(io.BytesIO(gzip.compress(plain)))
    assert compressed
    assert stream.read() == plain
    stream, compressed = open_decoded(io.BytesIO(plain))
    assert not compressed
    assert stream.read() == plain


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "empty"),
        (gzip.compress(b"", mtime=0), "empty gzip"),
        (b"PK\x03\x04rest-of-an-xlsx", "ZIP archive"),
        ("SK_ID_CURR\n100002\n".encode("utf-16"), "UTF-16"),
        (b"\x89PNG\r\n\x1a\n", "PNG"),
        (gzip.compress(gzip.compress(b"SK_ID_CURR\n", mtime=0), mtime=0), "gzip-compressed twice"),
    ],
)
def test_objects_that_are_not_csv_text_are_named(data: bytes, expected: str) -> None:
    with pytest.raises(FileRejectedError, match=expected):
        open_decoded(io.BytesIO(data))


def read_all(stream: Any) -> None:
    while stream.read(1 << 16):
        pass


def test_a_gzip_stream_expanding_past_the_ratio_bound_rejects_the_file() -> None:
    line = b"100002\n"
    bomb = gzip.compress(b"SK_ID_CURR\n" + line * (2 * RATIO_CHECKED_FROM_BYTES // len(line)), mtime=0)
    stream, _ = open_decoded(io.BytesIO(bomb))
    with pytest.raises(FileRejectedError, match=rf"more than the {MAX_GZIP_RATIO} times .*MAX_GZIP_RATIO"):
        read_all(stream)


def test_a_gzip_stream_expanding_past_the_size_bound_rejects_the_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from credit_scoring.batch import csv_reader

    monkeypatch.setattr(csv_reader, "MAX_DECOMPRESSED_BYTES", 1 << 20)  # the bound is 8 GiB otherwise
    data = random.Random(0).randbytes(3 << 19).hex().encode()  # text gzip shrinks only twice
    stream, _ = open_decoded(io.BytesIO(gzip.compress(b"SK_ID_CURR\n" + data, mtime=0)))
    with pytest.raises(FileRejectedError, match=r"expands past 1,048,576 bytes.*MAX_DECOMPRESSED_BYTES"):
        read_all(stream)


def test_a_truncated_gzip_stream_rejects_the_file() -> None:
    compressed = gzip.compress(b"SK_ID_CURR\n" + b"100002\n" * 10_000)
    stream, _ = open_decoded(io.BytesIO(compressed[: len(compressed) // 2]))
    with pytest.raises(FileRejectedError, match="corrupt or truncated"):
        stream.read()


APPLICATION_TEST_COLUMNS = [column for column in schema.TABLES[schema.APPLICATION] if column != schema.TARGET]


def test_the_application_test_header_declares_applications() -> None:
    layout = read_layout(",".join(APPLICATION_TEST_COLUMNS).encode())
    assert layout.kind == APPLICATIONS
    assert layout.absent == ()
    with_target = read_layout(",".join(schema.TABLES[schema.APPLICATION]).encode() + b"\r\n")
    assert with_target.used == tuple(APPLICATION_TEST_COLUMNS)


def test_a_partial_header_makes_the_other_columns_missing() -> None:
    layout = read_layout(b'\xef\xbb\xbf"SK_ID_CURR",AMT_CREDIT')
    assert layout.kind == APPLICATIONS
    assert layout.columns == ("SK_ID_CURR", "AMT_CREDIT")
    assert set(layout.absent) == set(APPLICATION_TEST_COLUMNS) - {"SK_ID_CURR", "AMT_CREDIT"}


@pytest.mark.parametrize("header", [b"SK_ID_CURR", b"SK_ID_CURR,TARGET", b"TARGET,SK_ID_CURR\n"])
def test_a_lone_client_id_column_declares_stored_clients(header: bytes) -> None:
    assert read_layout(header).kind == CLIENT_IDS


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (b"SK_ID_CURR,AMT_CREDIT,amount,colour", "unknown columns 'amount', 'colour'"),
        (b"SK_ID_CURR,AMT_CREDIT,AMT_CREDIT", "names AMT_CREDIT more than once"),
        (b"AMT_CREDIT,AMT_ANNUITY", "no SK_ID_CURR column"),
        (b"", "first line is empty"),
        (b"SK_ID_CURR,NAME_\xe9", "not valid UTF-8"),
        (b"SK_ID_CURR\r100002\r100003\r", "line 1 .* not in CR alone"),
        (b"SK_ID_CURR," + b"A" * (csv.field_size_limit() + 1), "line 1 .*field larger than field limit"),
    ],
)
def test_a_wrong_header_is_rejected_naming_what_is_wrong(header: bytes, expected: str) -> None:
    with pytest.raises(FileRejectedError, match=expected):
        read_layout(header)


LAYOUT = FileLayout(APPLICATIONS, ("SK_ID_CURR", "NAME_TYPE_SUITE", "AMT_CREDIT"), ())


def test_each_malformed_line_gets_its_own_reason_and_the_others_parse() -> None:
    block = (
        b'100002,"Spouse, partner",1000\n'  # quoted comma: three fields
        b"100003,Unaccompanied\n"  # short
        b"100004,Family,1,2\n"  # long
        b"\n"  # empty
        b'100005,"Family,1000\n'  # quote not closed on its line
        b'100006,Fa"mi"ly,1000\n'  # quotes inside an unquoted field
        b'100007,"Family"x,1000\n'  # text after a closing quote
        b"100008,Fam\x00ily,1000\n"
        b"100009,Famille \xe9,1000\n"  # latin-1, not UTF-8
        b'100010,"He said ""no""",1000\r\n'  # escaped quotes, CRLF
    )
    parsed = parse_block(block, 2, LAYOUT)
    reasons = {line: reason for line, _, reason in parsed.malformed}
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert reasons[3] == "expected 3 fields (the header's), found 2"
    assert reasons[4] == "expected 3 fields (the header's), found 4"
    assert reasons[5] == "empty line"
    assert reasons[6].startswith("odd number of double quotes")
    assert (
        reasons[7]
        == reasons[8]
        == "misplaced quote: a quoted field must start and end at the commas around it"
    )
    assert reasons[9] == "contains a NUL byte: not CSV text"
    assert reasons[10].startswith("not valid UTF-8 text")
    assert parsed.lines.tolist() == [2, 11]
    assert parsed.frame["NAME_TYPE_SUITE"].tolist() == ["Spouse, partner", 'He said "no"']
    assert parsed.frame["AMT_CREDIT"].tolist() == [1000, 1000]
    ids = {line: text for line, text, _ in parsed.malformed}
    assert ids[3] == "100003"
    assert ids[5] is None  # an empty line has no id


def _quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


@pytest.mark.parametrize("seed", range(5))
def test_well_formed_rfc4180_lines_parse_to_their_values(seed: int) -> None:
    """Random fields with commas and escaped quotes, quoted as RFC 4180 says: every line accepted, every
    value read back; the same line with a stray quote in an unquoted field is rejected, never misread."""
    rng = random.Random(seed)
    alphabet = 'ab ,"'
    columns = ("SK_ID_CURR", "OCCUPATION_TYPE", "ORGANIZATION_TYPE")
    layout = FileLayout(APPLICATIONS, columns, ())
    rows = []
    for i in range(200):
        values = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 8))) for _ in range(2)]
        rows.append((str(100000 + i), *values))
    text = "".join(
        ",".join(_quoted(v) if set(v) & {",", '"', " "} else v for v in row) + "\n" for row in rows
    )
    parsed = parse_block(text.encode(), 2, layout)
    assert parsed.malformed == ()
    read = parsed.frame.astype(object).to_numpy().tolist()
    assert [[str(v) for v in row] for row in read] == [list(row) for row in rows]
    assert list(csv.reader(io.StringIO(text))) == [list(row) for row in rows]

    stray = "100000,ab,c" + '"' + "d\n"
    assert parse_block(stray.encode(), 2, layout).malformed[0][2].startswith("odd number of double quotes")


def test_line_numbers_follow_the_first_line_given() -> None:
    parsed = parse_block(b"100002,Family,1\n100003,Family,2\n", 41, LAYOUT)
    assert parsed.lines.tolist() == [41, 42]
    assert isinstance(parsed.lines, np.ndarray)
