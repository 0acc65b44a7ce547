# Random schemathesis cases beyond the suite's derandomised ones: FUZZ_EXAMPLES per operation's fuzzing
# phase (its coverage phase adds its own), every check, nothing excluded.
FUZZ_EXAMPLES ?= 2000

.PHONY: fuzz

fuzz: $(STAMPS)/venv
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(VENV)/bin/pytest -p no:cacheprovider -q tests/test_api_fuzz.py
