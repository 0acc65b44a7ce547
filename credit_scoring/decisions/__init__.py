"""The decision core: decisions for stored clients and for applications, one row or a block of rows,
from one loaded bundle, with domain errors that each entry point (HTTP, SQS, batch files) maps to its
own answer. See docs/architecture.md."""
