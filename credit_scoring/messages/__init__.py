"""SQS messages to the scoring function: scoring requests, answered with the API's contract, and the
parts of a fanned-out batch file, scored by `credit_scoring.batch`. See docs/batch.md."""
