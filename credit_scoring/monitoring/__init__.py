"""Model monitoring: is today's population still the one the model was trained on, and does it still rank.

`reference` is the training population frozen in the bundle (`monitoring/reference.json`), `drift`
compares a scored population with it (population stability index with a sample-size-aware flag),
`outcomes` and `performance` join outcomes that arrive later with the decisions served. Numpy and the
standard library only: batch scoring and the API import it. This module imports nothing.
"""
