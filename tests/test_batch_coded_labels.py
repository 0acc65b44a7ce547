"""Categorical columns given to the feature definition as codes into their labels (as batch scoring
gives them) yield exactly the features of the labels themselves."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from credit_scoring import schema
from credit_scoring.features.application import ApplicationFeatures, CodedLabels


@pytest.fixture(scope="module")
def applications() -> pd.DataFrame:
    from credit_scoring.synth import generate_tables

    return generate_tables(500, seed=3)[schema.APPLICATION]


@pytest.fixture(scope="module")
def features() -> ApplicationFeatures:
    return ApplicationFeatures()


def as_labels(applications: pd.DataFrame) -> dict[str, np.ndarray]:
    return {name: applications[name].to_numpy(dtype=object) for name in applications.columns}


def as_coded(applications: pd.DataFrame) -> dict[str, np.ndarray | CodedLabels]:
    columns: dict[str, np.ndarray | CodedLabels] = dict(as_labels(applications))
    for name in schema.APPLICATION_CATEGORIES:
        if name in columns:
            codes, labels = pd.factorize(columns[name])
            columns[name] = CodedLabels(codes, labels.tolist())
    return columns


def test_coded_labels_give_exactly_the_features_of_their_labels(
    applications: pd.DataFrame, features: ApplicationFeatures
) -> None:
    np.testing.assert_array_equal(
        features.transform(as_coded(applications)), features.transform(as_labels(applications))
    )


def test_a_slice_or_a_selection_of_coded_labels_is_that_of_the_labels(
    applications: pd.DataFrame, features: ApplicationFeatures
) -> None:
    coded, labels = as_coded(applications), as_labels(applications)
    chosen = np.arange(len(applications)) % 3 == 0
    for rows in (slice(100, 300), chosen):
        np.testing.assert_array_equal(
            features.transform({name: values[rows] for name, values in coded.items()}),
            features.transform({name: values[rows] for name, values in labels.items()}),
        )


def test_labels_no_row_refers_to_are_never_read(features: ApplicationFeatures) -> None:
    """A block's rows with an invalid label are rejected, and the label stays among the block's labels."""
    coded = CodedLabels(np.array([0, -1]), ["Cash loans", "Mortgage"])
    labels = np.array(["Cash loans", None], dtype=object)
    np.testing.assert_array_equal(
        features.transform({"NAME_CONTRACT_TYPE": coded, "AMT_CREDIT": [1.0, 2.0]}),
        features.transform({"NAME_CONTRACT_TYPE": labels, "AMT_CREDIT": [1.0, 2.0]}),
    )


def test_a_coded_label_outside_the_vocabulary_is_refused_as_the_label_itself(
    features: ApplicationFeatures,
) -> None:
    coded = CodedLabels(np.array([1, 0]), ["Cash loans", "Mortgage"])
    refused = "NAME_CONTRACT_TYPE: 'Mortgage' is not a documented value"
    with pytest.raises(ValueError, match=refused) as from_codes:
        features.transform({"NAME_CONTRACT_TYPE": coded})
    with pytest.raises(ValueError, match=refused) as from_labels:
        features.transform({"NAME_CONTRACT_TYPE": ["Mortgage", "Cash loans"]})
    assert str(from_codes.value) == str(from_labels.value)
