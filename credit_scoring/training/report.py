"""The candidate comparison table: manifest rows, and the same rows as Markdown and CSV.

One row per candidate, in search order: its retained parameters, cross-validated and training AUC,
their gap, the calibration method and its out-of-fold Brier score, the threshold and business cost on
the calibrated out-of-fold probabilities, whether it could be champion (and why not),
and whether it is. The manifest holds the rows; the bundle holds the Markdown and CSV renderings.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any, Final

from credit_scoring.training.search import CandidateResult

COLUMNS: Final = (
    "name",
    "estimator",
    "imbalance",
    "cv_auc",
    "cv_auc_std",
    "train_auc",
    "auc_gap",
    "calibration",
    "oof_brier",
    "threshold",
    "business_cost",
    "eligible",
    "champion",
    "reason",
    "configs_tried",
    "seconds",
)
"""Columns of the rendered tables (the manifest rows also carry `params`)."""
MARKDOWN_FILE: Final = "candidates.md"
CSV_FILE: Final = "candidates.csv"


def candidate_rows(results: Sequence[CandidateResult], champion: str) -> list[dict[str, Any]]:
    """The manifest's `candidates`: one JSON-ready row per candidate."""
    return [
        {
            "name": result.candidate.name,
            "estimator": result.candidate.estimator,
            "imbalance": result.candidate.imbalance,
            "params": result.best.params,
            "cv_auc": result.best.cv_auc,
            "cv_auc_std": result.best.cv_auc_std,
            "train_auc": result.best.train_auc,
            "auc_gap": result.best.auc_gap,
            "calibration": result.calibration.method,
            "calibration_cv": result.calibration.scores,
            "oof_brier": result.calibration.brier,
            "threshold": result.threshold.threshold,
            "business_cost": result.threshold.cost_per_client,
            "eligible": result.eligible,
            "champion": result.candidate.name == champion,
            "reason": result.reason,
            "configs_tried": result.configs_tried,
            "seconds": round(result.seconds, 2),
        }
        for result in results
    ]


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def markdown_table(rows: Sequence[Mapping[str, Any]]) -> str:
    """The rows as a Markdown table (also what `train` prints at the end)."""
    lines = [
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "|".join("---" for _ in COLUMNS) + "|",
        *("| " + " | ".join(_cell(row[column]) for column in COLUMNS) + " |" for row in rows),
    ]
    return "\n".join(lines) + "\n"


def csv_table(rows: Sequence[Mapping[str, Any]]) -> str:
    """The rows as CSV, full precision, for spreadsheets and notebooks."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def progress_line(index: int, total: int, result: CandidateResult, folds: int, elapsed: float) -> str:
    """One line for a searched candidate: its scores, eligibility and time, and the time so far."""
    best = result.best
    status = "eligible" if result.eligible else f"not eligible: {result.reason}"
    return (
        f"[{index:2}/{total}] {result.candidate.name:<30} CV AUC {best.cv_auc:.4f} "
        f"(train {best.train_auc:.4f}, gap {best.auc_gap:+.3f})  "
        f"{result.calibration.method} Brier {result.calibration.brier:.4f}  "
        f"cost {result.threshold.cost_per_client:.4f} at {result.threshold.threshold:.3f}  {status}  "
        f"[{result.configs_tried} configs × {folds} folds, {result.seconds:.1f} s; elapsed {elapsed:.0f} s]"
    )


DATA_FILE: Final = "data.md"


def data_markdown(notes: Mapping[str, Any]) -> str:
    """The data section of the training report: rows that linked to no training client, ignored files,
    and the clients of the store (the manifest's `model.provenance.data`, in words)."""
    lines = ["# Data", ""]
    unlinked = notes["unlinked_rows"]
    if unlinked:
        lines += [
            "History rows whose key is not in the table it links to, as in Kaggle's download. Rows of "
            "application_test clients give the applicants' features; rows of no known client are not "
            "used; monthly rows whose SK_ID_PREV is not in previous_application still count for their "
            "client (they carry its SK_ID_CURR).",
            "",
            "| file | key | not in | rows | of rows | of which application_test clients |",
            "|---|---|---|---|---|---|",
        ]
        for item in unlinked:
            applicants = "" if item["applicants"] is None else f"{item['applicants']:,}"
            lines.append(
                f"| {item['file']} | {item['key']} | {item['linked_to']} | {item['rows']:,} | "
                f"{item['of_rows']:,} | {applicants} |"
            )
    else:
        lines.append("Every history row links to a training client.")
    lines.append("")
    if notes["ignored_files"]:
        lines += [f"Files ignored: {', '.join(notes['ignored_files'])}.", ""]
    store = notes["store"]
    lines.append(
        f"The feature store holds {store['training_clients']:,} training clients and "
        f"{store['applicants']:,} applicants of application_test."
    )
    return "\n".join(lines) + "\n"
