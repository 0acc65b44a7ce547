"""Batch scoring: CSV files dropped in S3 and requests pushed through SQS, decided like the API does.

`handlers` holds the Lambda entry points; `pipeline` the one scoring loop shared by a whole file, a
fan-out part and `credit-scoring batch`; `csv_reader` and `validation` turn lines into checked rows;
`scoring` turns them into decisions with the API's feature definition, store and scorer; `outputs`,
`keys`, `records` and `reports` say what is written where; `fanout` splits and merges large files;
`requests` answers SQS messages. pandas is used here (parsing), never on the API path. This module
imports nothing.
"""
