"""Batch files: CSV files dropped in S3 under `batch/incoming/`, decided through the decision core as the
API decides, every line scored or rejected with its line number and reason (docs/batch.md).

Modules: `handlers` (the S3 entry point), `pipeline` (the one scoring loop, shared by a whole file, a
fan-out part and `credit-scoring batch`), `csv_reader` and `validation` (lines to checked rows),
`scoring` (checked rows to decisions), `outputs` and `s3io` (complete-or-nothing writes, versioned
reads), `fanout` (files too large for one invocation), `config` (environment variables). pandas is used
here only (parsing), never on the API path. This module imports nothing.
"""
