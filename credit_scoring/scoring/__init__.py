"""Pickle-free serving models and the Scorer: numpy and the standard library only.

`linear.LinearModel` and `trees.TreeEnsemble` evaluate the exported model; `scorer.Scorer` turns their
output into decisions with reasons and explanations; `load.load_serving_model` reads them from a
bundle. Nothing is imported here, so that a linear bundle's cold start never loads the tree code.
"""
