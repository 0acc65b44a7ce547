"""The model card: what a risk team reads before signing a model off, measured on the held-out test split.

Discrimination (AUC and Gini with bootstrap 95% intervals), calibration (Brier against the base rate's,
log loss, ECE, the reliability table), the business cost against the threshold with the chosen
threshold beside decision theory's, the confusion matrix, and fairness with calibration within each
group. The same figures go into the manifest (`model_card`), `GET /model`, and the bundle's reports
(`model_card.md`, with the reliability diagram and the cost curve as SVG).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import numpy as np
from sklearn.metrics import roc_auc_score

from credit_scoring.training.cost import FLAT_WITHIN, CostWeights, decision_theory_threshold
from credit_scoring.training.metrics import calibration_metrics, decision_metrics, reliability_table

BOOTSTRAP_RESAMPLES: Final = 1000
COST_CURVE: Final = np.round(np.arange(1, 100) / 100, 2)
"""Thresholds at which the cost curve is drawn."""
MARKDOWN_FILE: Final = "model_card.md"
RELIABILITY_SVG: Final = "reliability.svg"
COST_CURVE_SVG: Final = "cost_curve.svg"


def bootstrap_auc(y_true: np.ndarray, probability: np.ndarray, seed: int, resamples: int) -> list[float]:
    """The 2.5th and 97.5th centiles of the AUC over resamples of the clients drawn with replacement
    (resamples holding one class only are skipped)."""
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(resamples):
        rows = rng.integers(0, y_true.size, y_true.size)
        sample = y_true[rows]
        if 0 < sample.sum() < sample.size:
            values.append(roc_auc_score(sample, probability[rows]))
    low, high = np.percentile(values, [2.5, 97.5])
    return [float(low), float(high)]


def cost_curve(y_true: np.ndarray, probability: np.ndarray, weights: CostWeights) -> list[dict[str, float]]:
    """Business cost per client if clients at or above each threshold of `COST_CURVE` were refused."""
    return [
        {"threshold": float(t), "cost": decision_metrics(y_true, probability, t, weights)["business_cost"]}
        for t in COST_CURVE
    ]


def threshold_note(chosen: float, weights: CostWeights, curve: list[dict[str, float]]) -> dict[str, Any]:
    """The chosen threshold beside decision theory's fp / (fn + fp), and where the cost curve is flat."""
    optimum = decision_theory_threshold(weights)
    lowest = min(point["cost"] for point in curve)
    flat = [point["threshold"] for point in curve if point["cost"] <= lowest * (1 + FLAT_WITHIN)]
    return {
        "chosen": chosen,
        "decision_theory": optimum,
        "gap": chosen - optimum,
        "flat_between": [min(flat), max(flat)],
        "explanation": (
            f"With calibrated probabilities, refusing when p >= fp / (fn + fp) = {optimum:.3f} minimises the "
            f"expected cost. The threshold {chosen:.3f} is the one nearest it among those where the cost "
            f"of the training clients' calibrated out-of-fold probabilities stays within {FLAT_WITHIN:.0%} "
            f"of its lowest (a gap of {chosen - optimum:+.3f}); on the test split the cost stays within "
            f"{FLAT_WITHIN:.0%} of its lowest for thresholds from {min(flat):.2f} to {max(flat):.2f}."
        ),
    }


def model_card(
    y_true: np.ndarray,
    probability: np.ndarray,
    threshold: float,
    weights: CostWeights,
    calibration: Mapping[str, Any],
    fairness: Mapping[str, Any],
    seed: int,
    resamples: int = BOOTSTRAP_RESAMPLES,
) -> dict[str, Any]:
    """The card's figures (see the module docstring) for the test split's labels and calibrated
    probabilities; `calibration` says which method was chosen and its cross-validated scores."""
    y_true = np.asarray(y_true)
    probability = np.asarray(probability, dtype=np.float64)
    decisions = decision_metrics(y_true, probability, threshold, weights)
    auc = decisions["auc"]
    low, high = bootstrap_auc(y_true, probability, seed, resamples)
    curve = cost_curve(y_true, probability, weights)
    return {
        "evaluated_on": {"split": "held-out test", "n": int(y_true.size), "defaults": int(y_true.sum())},
        "discrimination": {
            "auc": {"value": auc, "ci95": [low, high]},
            "gini": {"value": 2 * auc - 1, "ci95": [2 * low - 1, 2 * high - 1]},
            "bootstrap_resamples": resamples,
        },
        "calibration": {
            **dict(calibration),
            **calibration_metrics(y_true, probability),
            "reliability": reliability_table(y_true, probability),
        },
        "threshold": threshold_note(threshold, weights, curve),
        "cost": {"fn": weights.fn, "fp": weights.fp, "at_threshold": decisions["business_cost"]},
        "cost_curve": curve,
        "confusion_matrix": decisions["confusion_matrix"],
        "fairness": dict(fairness),
    }


def uncalibrated_card(note: str) -> dict[str, Any]:
    """The card of a model served as it was given (the predecessor's): it says it is not calibrated."""
    return {"calibration": {"method": "none", "calibrated": False, "note": note}}


def _svg_chart(title: str, x_label: str, y_label: str, series: str, extra: str = "") -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 420 340" role="img" '
        f'aria-label="{title}" font-family="sans-serif" font-size="12">\n'
        f"<title>{title}</title>\n"
        '<rect x="60" y="20" width="340" height="260" fill="none" stroke="#444"/>\n'
        f'<text x="230" y="320" text-anchor="middle">{x_label}</text>\n'
        f'<text x="16" y="150" text-anchor="middle" transform="rotate(-90 16 150)">{y_label}</text>\n'
        f"{extra}{series}</svg>\n"
    )


def _ticks(maximum: float, axis: str) -> str:
    lines = []
    for k in range(6):
        value = maximum * k / 5
        if axis == "x":
            x = 60 + 340 * k / 5
            lines.append(f'<text x="{x:.1f}" y="296" text-anchor="middle">{value:.2f}</text>')
        else:
            y = 280 - 260 * k / 5
            lines.append(f'<text x="54" y="{y + 4:.1f}" text-anchor="end">{value:.2f}</text>')
    return "\n".join(lines) + "\n"


def reliability_svg(card: Mapping[str, Any]) -> str:
    """Observed default rate against mean predicted probability per bin, with the diagonal."""
    table = card["calibration"]["reliability"]
    top = max(0.05, max(max(row["mean_probability"], row["default_rate"]) for row in table))
    top = float(np.ceil(top * 20) / 20)

    def point(row: Mapping[str, float]) -> tuple[float, float]:
        return 60 + 340 * row["mean_probability"] / top, 280 - 260 * row["default_rate"] / top

    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in map(point, table))
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#1f5fa8"/>\n' for x, y in map(point, table)
    )
    series = (
        '<line x1="60" y1="280" x2="400" y2="20" stroke="#999" stroke-dasharray="4 4"/>\n'
        f'<polyline points="{points}" fill="none" stroke="#1f5fa8" stroke-width="2"/>\n{dots}'
    )
    return _svg_chart(
        f"Reliability: ECE {card['calibration']['ece']:.3f} on {card['evaluated_on']['n']} clients",
        "mean predicted probability of default (per tenth of clients)",
        "observed default rate",
        series,
        _ticks(top, "x") + _ticks(top, "y"),
    )


def cost_curve_svg(card: Mapping[str, Any]) -> str:
    """Business cost per client against the threshold, with the chosen threshold and 1/(1 + fn/fp)."""
    curve = card["cost_curve"]
    top = float(np.ceil(max(point["cost"] for point in curve) * 10) / 10) or 1.0
    points = " ".join(f"{60 + 340 * p['threshold']:.1f},{280 - 260 * p['cost'] / top:.1f}" for p in curve)
    marks = "".join(
        f'<line x1="{60 + 340 * t:.1f}" y1="20" x2="{60 + 340 * t:.1f}" y2="280" stroke="{colour}"/>\n'
        f'<text x="{62 + 340 * t:.1f}" y="{y}" fill="{colour}">{label} {t:.3f}</text>\n'
        for t, colour, label, y in (
            (card["threshold"]["chosen"], "#b03030", "chosen", 34),
            (card["threshold"]["decision_theory"], "#2a7a2a", "fp/(fn+fp)", 50),
        )
    )
    series = f'<polyline points="{points}" fill="none" stroke="#1f5fa8" stroke-width="2"/>\n{marks}'
    return _svg_chart(
        "Business cost per client against the decision threshold",
        "threshold on the calibrated probability of default",
        f"cost per client (fn={card['cost']['fn']:g}, fp={card['cost']['fp']:g})",
        series,
        _ticks(1.0, "x") + _ticks(top, "y"),
    )


def _interval(item: Mapping[str, Any]) -> str:
    low, high = item["ci95"]
    return f"{item['value']:.4f} (95% CI {low:.4f}–{high:.4f})"


def markdown(card: Mapping[str, Any]) -> str:
    """The card for people, with the two SVG charts beside it in the reports."""
    calibration = card["calibration"]
    discrimination = card["discrimination"]
    matrix = card["confusion_matrix"]
    threshold = card["threshold"]
    lines = [
        "# Model card",
        "",
        f"Measured on the {card['evaluated_on']['split']} split: {card['evaluated_on']['n']:,} clients, "
        f"{card['evaluated_on']['defaults']:,} defaults.",
        "",
        "## Discrimination",
        f"- AUC {_interval(discrimination['auc'])}; Gini {_interval(discrimination['gini'])} "
        f"({discrimination['bootstrap_resamples']} bootstrap resamples)",
        "",
        "## Calibration",
        f"- method: {calibration['method']} (chosen by cross-validation on out-of-fold scores: "
        + ", ".join(f"{name} Brier {scores['brier']:.4f}" for name, scores in calibration["cv"].items())
        + ")",
        f"- Brier {calibration['brier']:.4f} against {calibration['brier_base_rate']:.4f} for the base rate; "
        f"log loss {calibration['log_loss']:.4f}; ECE {calibration['ece']:.4f} (10 equal-count bins)",
        f"- mean predicted probability {calibration['mean_probability']:.4f}, observed default rate "
        f"{calibration['default_rate']:.4f}",
        "",
        f"![reliability diagram]({RELIABILITY_SVG})",
        "",
        "| bin | clients | mean predicted | observed default rate |",
        "|---|---|---|---|",
        *(
            f"| {index} | {row['n']} | {row['mean_probability']:.4f} | {row['default_rate']:.4f} |"
            for index, row in enumerate(calibration["reliability"], start=1)
        ),
        "",
        "## Threshold and cost",
        f"- threshold {threshold['chosen']:.3f}; decision theory {threshold['decision_theory']:.3f}. "
        + threshold["explanation"],
        f"- business cost {card['cost']['at_threshold']:.4f} per client at the threshold",
        f"- confusion matrix: TN {matrix['tn']}, FP {matrix['fp']}, FN {matrix['fn']}, TP {matrix['tp']}",
        "",
        f"![cost curve]({COST_CURVE_SVG})",
        "",
        "## Fairness (per group: approval rate, adverse impact ratio, calibration within the group)",
        "",
        "| attribute | group | clients | approval rate | adverse impact ratio | mean predicted | "
        "default rate | ECE |",
        "|---|---|---|---|---|---|---|---|",
        *(
            f"| {attribute} | {group} | {row['n']} | {_number(row['approval_rate'])} | "
            f"{_number(row['adverse_impact_ratio'])} | {_number(row['mean_probability'])} | "
            f"{_number(row['default_rate'])} | {_number(row['ece'])} |"
            for attribute, rows in card["fairness"]["by_group"].items()
            for group, row in rows.items()
        ),
    ]
    return "\n".join(lines) + "\n"


def _number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def report_files(card: Mapping[str, Any]) -> dict[str, str]:
    """The card's files under the bundle's reports/: the Markdown and its two charts."""
    return {
        MARKDOWN_FILE: markdown(card),
        RELIABILITY_SVG: reliability_svg(card),
        COST_CURVE_SVG: cost_curve_svg(card),
    }
