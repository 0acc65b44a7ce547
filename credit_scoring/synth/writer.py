"""Write tables as Kaggle-named CSV files into a directory that appears only when complete."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from credit_scoring.schema import table_file_names

GZIP_OPTIONS = {"method": "gzip", "compresslevel": 6, "mtime": 0}
"""mtime 0 keeps compressed files byte-identical from one run to the next."""


def write_tables(
    tables: Mapping[str, pd.DataFrame], out_dir: str | Path, compress: bool = False, overwrite: bool = False
) -> Path:
    """Write each table as `<table>.csv` (or `.csv.gz`) into `out_dir`, atomically.

    The files are written into a temporary sibling directory renamed to `out_dir` once every file is
    complete, so a failure never leaves a partial directory. An existing non-empty `out_dir` is
    refused (FileExistsError) unless `overwrite`, in which case it is replaced as a whole.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise NotADirectoryError(f"{out_dir} exists and is not a directory")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not overwrite:
        raise FileExistsError(f"{out_dir} is not empty (pass overwrite=True to replace it)")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".partial", dir=out_dir.parent))
    try:
        for table, frame in tables.items():
            plain, gzipped = table_file_names(table)
            target = staging / (gzipped if compress else plain)
            frame.to_csv(target, index=False, compression=GZIP_OPTIONS if compress else None)
        _replace(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out_dir


def _replace(staging: Path, out_dir: Path) -> None:
    """Move `staging` to `out_dir`, replacing an existing directory only once the new one is in place."""
    if not out_dir.exists():
        staging.rename(out_dir)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".old", dir=out_dir.parent))
    retired.rmdir()
    out_dir.rename(retired)
    try:
        staging.rename(out_dir)
    except BaseException:
        retired.rename(out_dir)
        raise
    shutil.rmtree(retired, ignore_errors=True)
