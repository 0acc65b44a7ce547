"""Read a bundle's serving model from its files: never a pickle, only JSON and LightGBM's text format."""

from __future__ import annotations

import json
from pathlib import Path

from credit_scoring.bundle.errors import BundleError, os_error
from credit_scoring.bundle.manifest import Manifest
from credit_scoring.scoring.calibration import UNCALIBRATED, Calibration
from credit_scoring.scoring.linear import LinearModel
from credit_scoring.scoring.model import ServingModel


def load_serving_model(bundle_dir: Path, manifest: Manifest) -> ServingModel:
    """The serving model named by the manifest, checked to read the manifest's features in order;
    raises BundleError naming the file at fault."""
    bundle_dir = Path(bundle_dir)
    spec = manifest.model
    model: ServingModel
    try:
        if spec.kind == "linear":
            model = LinearModel.from_json(_read_json(bundle_dir, spec.file))
        elif spec.preprocess_file is None:
            raise BundleError("manifest.json", "model.preprocess_file is required for a lightgbm model")
        else:
            from credit_scoring.scoring.trees import TreeEnsemble  # only tree bundles pay for its import

            preprocess = _read_json(bundle_dir, spec.preprocess_file)
            model = TreeEnsemble.from_files(_read_text(bundle_dir, spec.file), preprocess)
    except ValueError as error:
        raise BundleError(spec.file, f"is not a valid {spec.kind} serving model: {error}") from None
    if model.feature_names != manifest.feature_names:
        raise BundleError(spec.file, "its features differ from the manifest's features (names or order)")
    return model


def load_calibration(bundle_dir: Path, manifest: Manifest) -> Calibration:
    """The manifest's calibration (uncalibrated when it names none); raises BundleError naming the file."""
    name = manifest.model.calibration_file
    if name is None:
        return UNCALIBRATED
    try:
        return Calibration.from_json(_read_json(Path(bundle_dir), name))
    except ValueError as error:
        raise BundleError(name, f"is not a valid calibration: {error}") from None


def _read_text(bundle_dir: Path, name: str) -> str:
    try:
        return (bundle_dir / name).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BundleError(name, "is missing from the bundle") from None
    except OSError as error:
        raise os_error(name, error) from None
    except UnicodeDecodeError as error:
        raise BundleError(name, "is not UTF-8 text", detail=str(error)) from None


def _read_json(bundle_dir: Path, name: str) -> object:
    try:
        return json.loads(_read_text(bundle_dir, name))
    except ValueError as error:
        raise BundleError(name, f"is not valid JSON: {error}") from None
