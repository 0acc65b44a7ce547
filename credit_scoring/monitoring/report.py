"""The monitoring report for people: drift and realised performance, as markdown."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from credit_scoring.monitoring.drift import TOP_INPUTS, DriftSummary


def _number(value: float | None, digits: int = 4) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def performance_lines(performance: Mapping[str, Any]) -> list[str]:
    """One line per month and one for the whole period: sample size, default rate, AUC, Gini, ECE, cost."""
    lines = [
        f"outcomes: {performance['outcomes']:,}, joined with a decision: {performance['joined']:,}, "
        f"without a decision: {performance['without_decision']:,}"
    ]
    for label, figures in [
        *((row["month"], row) for row in performance["by_month"]),
        ("overall", performance["overall"]),
    ]:
        lines.append(
            f"  {label}: n {figures['n']:,}, default rate {_number(figures['default_rate'])}, "
            f"AUC {_number(figures['auc'])}, Gini {_number(figures['gini'])}, ECE {_number(figures['ece'])}, "
            f"cost per client {_number(figures['business_cost'])}"
        )
    return lines


def markdown(
    model_version: str, files: list[str], drift: DriftSummary | None, performance: Mapping[str, Any] | None
) -> str:
    """The report: what was compared, the score's and inputs' drift, the missing-rate changes, and the
    realised performance by month when outcomes were given."""
    out = [f"# Model monitoring: {model_version}", "", f"Data: {', '.join(files)}", ""]
    if drift is None:
        out += ["No drift: the bundle holds no reference population.", ""]
    else:
        out += [
            "## Drift from the training population",
            "",
            f"{drift.n:,} scored rows against {drift.reference_clients:,} training clients. A variable is "
            f"flagged when its PSI exceeds chi2(bins - 1, 1 - {drift.alpha}) × (1/n + 1/m): "
            f"{drift.alpha:.0%} false alarms per variable on unchanged data, whatever the sample size.",
            "",
            "| variable | PSI | critical PSI | drifting | missing now | missing at training |",
            "|---|---|---|---|---|---|",
        ]
        shown = ([drift.score] if drift.score is not None else []) + list(drift.inputs[:TOP_INPUTS])
        flagged = [d for d in drift.drifting_inputs if d not in shown]
        for d in [*shown, *flagged]:
            out.append(
                f"| {d.name} | {d.psi:.4f} | {d.critical:.4f} | {'**yes**' if d.drifting else 'no'} | "
                f"{d.missing_rate:.1%} | {d.reference_missing_rate:.1%} |"
            )
        out += [
            "",
            f"Inputs drifting: {len(drift.drifting_inputs)} of {len(drift.inputs)} "
            f"({drift.drifting_share:.0%}).",
            "",
        ]
    if performance is not None:
        out += [
            "## Realised performance",
            "",
            "| month | n | defaults | default rate | AUC | Gini | ECE | cost per client |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for label, f in [
            *((row["month"], row) for row in performance["by_month"]),
            ("all", performance["overall"]),
        ]:
            out.append(
                f"| {label} | {f['n']:,} | {f['defaults']:,} | {_number(f['default_rate'])} | "
                f"{_number(f['auc'])} | {_number(f['gini'])} | {_number(f['ece'])} | "
                f"{_number(f['business_cost'])} |"
            )
        out += [
            "",
            f"{performance['outcomes']:,} outcomes, {performance['joined']:,} joined with a served decision, "
            f"{performance['without_decision']:,} without one.",
            "",
        ]
    return "\n".join(out)
