"""Credit scoring for Prêt à dépenser: train on Home Credit data, serve decisions on AWS Lambda.

Sub-packages are imported explicitly by what needs them; this module imports nothing, so that the
serving function loads only the serving side.
"""

__version__ = "1.0.0"
