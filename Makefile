# The two commands a newcomer needs:  make run  (the API locally)  and  make test  (every test).
SHELL := /bin/bash
PY := .venv/bin/python
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

.PHONY: setup run test lint unit integration e2e infra contract token openapi synth fuzz bench clean

setup:
	@scripts/setup.sh

run: setup  ## DynamoDB Local + demo data + the API on http://127.0.0.1:8000 (Ctrl-C stops all)
	$(PY) -m infra.local run

test: setup lint  ## everything CI runs
	$(PY) -m pytest -n 2 --dist loadgroup -p no:randomly

lint: setup
	$(PY) -m ruff check .
	$(PY) -m mypy functions infra app.py

unit integration e2e infra contract: setup
	$(PY) -m pytest tests/$@

token: setup  ## make token user=kevin
	@$(PY) -m infra.local token $(user)

openapi: setup  ## regenerate docs/openapi.json from the route modules
	$(PY) -m infra.local openapi

fuzz: setup  ## long schemathesis runs: our whole OpenAPI and the published Open edX spec (all phases); FUZZ_EXAMPLES=60 by default
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-60} FUZZ_PHASES=examples,coverage,fuzzing,stateful FUZZ_WORKERS=2 \
		$(PY) -m pytest tests/security/test_fuzz_openapi.py tests/contract/test_openedx_spec.py -p no:randomly -s

bench: setup  ## the benchmark table (docs/performance.md); make bench args=--quick for a smoke run
	$(PY) -m bench $(args)

synth: setup  ## CloudFormation template into cdk.out (the first synth builds the layer: pip needs PyPI)
	npx aws-cdk@2 synth --quiet

clean:
	rm -rf .venv node_modules cdk.out .local
