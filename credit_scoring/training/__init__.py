"""Training: candidate pipelines, cross-validated search, business-cost threshold, fairness, tracking.

Training side only (pandas, scikit-learn, imbalanced-learn, LightGBM, MLflow); serving never imports
this package. This module imports nothing, so that importing one sub-module loads only what it needs.
"""
