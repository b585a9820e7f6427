# The two commands a newcomer needs:  make run  (the API locally)  and  make test  (every test).  make help: all.
SHELL := /bin/bash
PY := .venv/bin/python
CDK := npx --yes aws-cdk@2
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
# An activated venv must not steer uv or the CDK app away from the project's own .venv.
unexport VIRTUAL_ENV

.PHONY: help setup run test lint unit integration e2e infra contract token openapi synth deploy record-actions fuzz \
	bench clean

help:  ## this list
	@awk 'BEGIN {FS = ":[^#]*## "} /^[a-z][a-z0-9 -]*:.*## / {printf "  make %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

setup:  ## the Python venv (uv) and Node tools; names a missing or too-old Node.js or Java
	@scripts/setup.sh

run: setup  ## DynamoDB Local + demo data + the API on http://127.0.0.1:8000 (Ctrl-C stops all)
	$(PY) -m infra.local run

test: setup lint  ## everything CI runs
	$(PY) -m pytest -n 2 --dist loadgroup -p no:randomly

lint: setup  ## ruff and mypy
	$(PY) -m ruff check .
	$(PY) -m mypy functions infra app.py

unit integration e2e infra contract: setup  ## one test layer (e2e needs Java for DynamoDB Local)
	$(PY) -m pytest tests/$@

token: setup  ## make token user=kevin
	@$(PY) -m infra.local token $(user)

openapi: setup  ## regenerate docs/openapi.json from the route modules
	$(PY) -m infra.local openapi

record-actions: setup  ## rewrite infra/dynamodb_actions.json (and the scale model's dynamodb_requests.json) from the tests
	EXAMDESK_RECORD_ACTIONS=1 $(PY) -m pytest tests/unit tests/integration tests/security tests/reliability \
		-n 2 --dist loadgroup -p no:randomly -q -m "not e2e" --ignore=tests/security/test_fuzz_openapi.py

fuzz: setup  ## long schemathesis runs: our whole OpenAPI and the published Open edX spec (all phases); FUZZ_EXAMPLES=60 by default
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-60} FUZZ_PHASES=examples,coverage,fuzzing,stateful FUZZ_WORKERS=2 \
		$(PY) -m pytest tests/security/test_fuzz_openapi.py tests/contract/test_openedx_spec.py -p no:randomly -s

bench: setup  ## the benchmark table (docs/performance.md); make bench args=--quick for a smoke run
	$(PY) -m bench $(args)

synth: setup  ## CloudFormation templates into cdk.out (the first synth builds the layer: pip needs PyPI)
	$(CDK) synth --quiet

deploy: setup  ## deploy with the CDK CLI (credentials from your AWS profile); make deploy email=ops@example.edu
	$(CDK) deploy --all --require-approval broadening $(if $(email),--parameters AlarmEmail=$(email))

clean:  ## remove the venv, node_modules and build output
	rm -rf .venv node_modules cdk.out .local
