"""The scoring API: a FastAPI app built by `credit_scoring.api.app.create_app` from a loaded bundle.

The same app runs under uvicorn (`credit-scoring serve`) and behind API Gateway through Mangum
(`functions/scoring/app.py`). This module imports nothing, so that importing a sub-module stays cheap.
"""
