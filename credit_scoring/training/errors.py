"""The error training and evaluation raise when their input cannot give a sound model or measure."""

from __future__ import annotations


class TrainingError(ValueError):
    """The data or the options cannot give a sound result; the message says what and what is expected."""
