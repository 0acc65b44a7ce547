"""Batch scoring: CSV files dropped in S3 and requests pushed through SQS, decided as the API decides.

An object created under `batch/incoming/<name>` (CSV in UTF-8, gzip recognised by its bytes; Home
Credit application rows as in application_test.csv, TARGET ignored, or a single SK_ID_CURR column of
stored clients) gives `batch/scored/<name>`, `batch/rejected/<name>` and `batch/reports/<name>.json`
(`keys`, `records`, `reports`). Every input line is scored or rejected with its line number and reason,
never dropped; a file that cannot be read at all is rejected whole, with the reason, and the handlers
never raise on data. Rows get the API's feature definition, client store and scorer (`scoring`), so a
row's decision equals `POST /predict` for the same fields.

Modules: `handlers` (the Lambda entry points), `pipeline` (the one scoring loop, shared by a whole file,
a fan-out part and `credit-scoring batch`), `csv_reader` and `validation` (lines to checked rows),
`scoring` (checked rows to decisions), `outputs` and `s3io` (complete-or-nothing writes, versioned reads),
`fanout` (files too large for one invocation: byte ranges through SQS, then a merge), `requests` (SQS
scoring requests, answered under `batch/results/`), `config` (environment variables).

Limitation: one record per line. A quoted field holding a line break is rejected (each line it spans,
with the reason); Home Credit files have none, and it keeps line numbers exact and byte-range splitting
safe. pandas is used here only (parsing), never on the API path. This module imports nothing.
"""
