"""Block-wise sha256 of the store's large arrays: each block is verified the first time it is read.

Every file is hashed in full when a bundle is loaded; a memory-mapped file can still change under a
running process (a disk fault, an intruder). So the writer records, beside each large `.npy` file, the
sha256 of each 16 KiB block (`<file>.blocks`, itself listed and verified in full at load, so the chain of
trust still starts at the manifest), and the store checks a block before any value in it is used. A
lookup then verifies at most two small blocks the first time, and nothing afterwards.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Final

import numpy as np

from credit_scoring.bundle.errors import BundleError

BLOCK_SIZE: Final = 1 << 14
BLOCKS_SUFFIX: Final = ".blocks"
_DIGEST: Final = 32


def block_digests(path: Path, block_size: int = BLOCK_SIZE) -> bytes:
    """The sha256 digests of the file's consecutive blocks, concatenated (the last block may be short)."""
    digests = bytearray()
    with open(path, "rb") as stream:
        while block := stream.read(block_size):
            digests += hashlib.sha256(block).digest()
    return bytes(digests)


class BlockVerifier:
    """Checks byte ranges of one memory-mapped file against its block digests, each block once.

    `data_offset` and `row_bytes` locate row i of the array at bytes
    [data_offset + i·row_bytes, data_offset + (i + 1)·row_bytes).
    """

    def __init__(
        self, name: str, path: Path, digests: bytes, block_size: int, data_offset: int, row_bytes: int
    ) -> None:
        self.name = name
        self._raw = np.memmap(path, dtype=np.uint8, mode="r")
        self._block_size = block_size
        self._digests = digests
        self._offset = data_offset
        self._row_bytes = row_bytes
        n_blocks = -(-len(self._raw) // block_size)
        if len(digests) != _DIGEST * n_blocks:
            raise BundleError(
                name + BLOCKS_SUFFIX, f"holds {len(digests) // _DIGEST} digests, {name} has {n_blocks} blocks"
            )
        self._verified = bytearray(n_blocks)
        self.check(0, data_offset)  # the .npy header, which gave the dtype and shape

    def row(self, row: int) -> None:
        """Verify the blocks holding one row (raises BundleError when one was changed)."""
        start = self._offset + row * self._row_bytes
        self.check(start, start + self._row_bytes)

    def check(self, start: int, stop: int) -> None:
        """Verify every block overlapping bytes [start, stop)."""
        for block in range(start // self._block_size, (max(stop, start + 1) - 1) // self._block_size + 1):
            if not self._verified[block]:
                self._verify(block)

    def check_all(self) -> None:
        self.check(0, len(self._raw))

    def _verify(self, block: int) -> None:
        begin = block * self._block_size
        actual = hashlib.sha256(self._raw[begin : begin + self._block_size]).digest()
        if actual != self._digests[block * _DIGEST : (block + 1) * _DIGEST]:
            raise BundleError(
                self.name,
                f"sha256 of bytes {begin}-{begin + self._block_size} does not match (the file was changed)",
            )
        self._verified[block] = 1
