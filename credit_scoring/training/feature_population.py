"""The training population of every model feature a decision's reason can name, for the dashboard's
comparison of a reason with the others (`feature_population.json`).

A reason is stated through its family's leading feature, and any feature of the model can lead its
family for some client, so every feature is summarised. Each on the scale the reason states the client's
value on (`reasons.values.measured`: years rather than negative day counts, % for shares, amounts in
the currency), under `bundle.population`'s privacy rules: a yes/no feature (a flag, a one-hot category)
as how many clients said yes per outcome, any other as a histogram over the 1st–99th centiles with
centiles, no group of fewer than `min_group` clients.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from credit_scoring.bundle.population import (
    CENTILES,
    FEATURE_POPULATION_FORMAT,
    checked_inputs,
    outcome_sizes,
    summarise,
    summarise_indicator,
)
from credit_scoring.reasons import catalogue, values

INDICATOR_SCALE = "yes_no"


def build_feature_population(
    X: np.ndarray, names: Sequence[str], target: ArrayLike, *, bins: int = 20, min_group: int = 20
) -> dict[str, Any]:
    """The JSON-ready summaries of each feature of `names` (columns of `X`) by outcome (`target`: 0
    repaid, 1 defaulted). Raises `catalogue.MissingFromCatalogueError` naming features the reason
    catalogue cannot state, ValueError naming the argument at fault for bad shapes or settings."""
    X, target_array = checked_inputs(X, names, target, bins=bins, min_group=min_group)
    defaulted = target_array == 1
    features: dict[str, dict[str, Any]] = {}
    for j, entry in enumerate(catalogue.require(names)):
        scale = values.SCALES[entry.unit][0]
        column = values.measured(X[:, j], entry.unit)
        summary = (
            summarise_indicator(column, defaulted, min_group)
            if scale == INDICATOR_SCALE
            else summarise(column, defaulted, bins, min_group)
        )
        features[entry.name] = {"unit": scale, **summary}
    return {
        "format": FEATURE_POPULATION_FORMAT,
        "clients": int(target_array.size),
        "outcomes": outcome_sizes(defaulted),
        "centiles": list(CENTILES),
        "features": features,
    }
