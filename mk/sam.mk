# Deployment targets (included by the top-level Makefile, which provides VENV, SAM and STAMPS and
# exports AWS_DEFAULT_REGION and SAM_CLI_TELEMETRY=0). None of them needs AWS credentials or Docker.
#
#   make sam-validate                  template and cfn-lint checks
#   make sam-build                     functions and layers into .aws-sam/build (pip, no Docker)
#   make sizes                         the built artefacts against Lambda's size limits
#   make invoke EVENT=events/x.json    the built function, run as the Lambda runtime would
#        [FUNCTION=<logical id>] [PARAMS="Stage=prod ..."] (template parameter overrides)

.PHONY: sam-validate sam-build sizes invoke

# The layers' Makefiles run pip with this interpreter (any Python with pip: wheels are downloaded
# for python3.12, not built) and verify the model bundle with it.
SAM_BUILD_PYTHON := $(abspath $(VENV)/bin/python)

sam-validate: $(STAMPS)/sam
	$(SAM) validate --lint

sam-build: $(STAMPS)/sam $(STAMPS)/venv
	@start=$$(date +%s); \
	PYTHON=$(SAM_BUILD_PYTHON) $(SAM) build && \
	echo "sam build took $$(( $$(date +%s) - start )) s"

sizes: $(STAMPS)/venv
	$(VENV)/bin/python scripts/check_sizes.py

invoke: $(STAMPS)/venv
	@test -n "$(EVENT)" || { echo "usage: make invoke EVENT=events/<file>.json [FUNCTION=<id>] [PARAMS=\"Stage=prod\"]" >&2; exit 2; }
	$(VENV)/bin/python scripts/lambda_invoke.py $(EVENT) $(if $(FUNCTION),--function $(FUNCTION)) \
		$(foreach param,$(PARAMS),--param $(param))
