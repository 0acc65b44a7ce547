"""Pickle-free serving models and the Scorer: numpy and the standard library only.

`linear.LinearModel` and `trees.TreeEnsemble` evaluate the exported model; `scorer.Scorer` turns their
output into decisions with reasons and explanations; `load.load_serving_model` reads them from a
bundle. The names are re-exported here for convenience: every module imported is numpy-only.
"""

from credit_scoring.scoring.linear import LinearModel
from credit_scoring.scoring.load import load_serving_model
from credit_scoring.scoring.model import MissingValueError, Preprocessing, ServingModel, sigmoid
from credit_scoring.scoring.scorer import Decision, Explanation, Reason, Scorer
from credit_scoring.scoring.trees import TreeEnsemble

__all__ = [
    "Decision",
    "Explanation",
    "LinearModel",
    "MissingValueError",
    "Preprocessing",
    "Reason",
    "Scorer",
    "ServingModel",
    "TreeEnsemble",
    "load_serving_model",
    "sigmoid",
]
