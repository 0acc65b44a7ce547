"""`python -m credit_scoring` runs the `credit-scoring` command line."""

from credit_scoring.cli import main

raise SystemExit(main())
