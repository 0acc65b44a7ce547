"""The model bundle: the directory where training and serving meet.

`manifest`, `errors`, `integrity`, `store` and `loader` are the serving side (numpy and the standard
library; boto3 only when a bundle is fetched from S3). `writer` is the training side. This module
imports nothing, so that importing one of them never pulls in another.
"""
