"""A synthetic stand-in for the seven Home Credit tables, drawn from statistics of the real sample.

`generate_tables(n_clients, seed)` returns the tables as DataFrames; `write_tables(tables, out_dir)`
writes them as Kaggle-named CSV files. The package's modules import numpy, scipy and pandas, so this
`__init__` imports them only when a function is called (the serving side never imports synth).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from credit_scoring.synth.volume import Volume

__all__ = ["generate_tables", "write_tables"]


def generate_tables(n_clients: int, seed: int, volume: Volume | None = None) -> dict[str, pd.DataFrame]:
    """All seven tables for `n_clients` synthetic clients (see `credit_scoring.synth.tables`); `volume`
    (default `synth.volume.LIGHT`) sets their history rows and Kaggle's shapes."""
    from credit_scoring.synth.tables import generate_tables as generate
    from credit_scoring.synth.volume import LIGHT

    return generate(n_clients, seed, volume or LIGHT)


def write_tables(
    tables: dict[str, pd.DataFrame], out_dir: str | Path, compress: bool = False, overwrite: bool = False
) -> Path:
    """Write the tables as `<table>.csv[.gz]` into `out_dir`, atomically (see `synth.writer`)."""
    from credit_scoring.synth.writer import write_tables as write

    return write(tables, out_dir, compress=compress, overwrite=overwrite)
