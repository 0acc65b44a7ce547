"""What is wrong with a data directory, said so that someone can find and fix it.

Standard library only, so that anything may import it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One kind of fault in one column of one file, with its first occurrence and how many rows have it."""

    file: str
    """File name (or the directory, for a directory that cannot be used)."""
    column: str | None
    """The column at fault, or None for a fault of the whole file."""
    row: int | None
    """1-based CSV line number of the first faulty row (the header is line 1), or None."""
    message: str
    """What is wrong and what is expected; for a value, the value itself."""
    count: int = 1
    """How many rows have this fault."""

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f" line {self.row}"
        if self.column is not None:
            where += f", column {self.column}"
        more = f" ({self.count:,} rows like this, first shown)" if self.count > 1 else ""
        return f"{where}: {self.message}{more}"


class DataError(Exception):
    """The data cannot be used as it is; `problems` lists every fault found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))
