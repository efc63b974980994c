# The two commands: `make run` (the whole platform, in the foreground) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PACKAGES := -e shared -e services/review -e services/orders -e services/logistics -e services/aftersales -e services/settlement -e services/console
ROLE ?= operator
SUB ?= op-1

.PHONY: k8s-resources chromium screenshots bench-scale migrate-categories install run test test-unit test-year lint demo token broker clean contracts asyncapi broker-definitions test-docker compose fuzz chaos bench

install: $(VENV)/.installed

$(VENV)/.installed: shared/pyproject.toml services/*/pyproject.toml requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet $(PACKAGES) -r requirements-dev.txt
	@touch $@

broker:
	@bash tools/ensure-rabbitmq.sh

compose:
	@bash tools/ensure-compose.sh

# Debian's Chromium, which the console's browser tests drive (Playwright, no download).
chromium:
	@bash tools/ensure-chromium.sh

run: install broker
	$(PY) tools/run_platform.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy shared/shared shared/tests services tools tests bench conftest.py

test: lint broker compose chromium
	$(VENV)/bin/pytest
	$(PY) tools/chaos --short

# The unit suite alone: every rule, handler and use case, no engine and no broker (seconds).
test-unit: install
	$(VENV)/bin/pytest -m "not integration and not e2e" shared/tests services

# `make test` with every clock (services' and tests') moved to 5 January of YEAR, e.g.
# past the calendar library's last published year: `make test-year YEAR=2031`.
YEAR ?= 2027
test-year:
	CLOCK_OFFSET_SECONDS=$$(python3 -c "import datetime as d, time; print(int(d.datetime($(YEAR), 1, 5, 1, tzinfo=d.timezone.utc).timestamp() - time.time()))") $(MAKE) test

# The end-to-end tests across containers: starts (or, as root, installs) a Docker engine,
# builds local stand-ins of the base images when no registry answers, builds the images,
# brings the compose stack up, runs tests/e2e against it and tears it down.
test-docker: install compose
	bash tools/docker/test-docker.sh

# The busiest consumer scaled out across containers, with each container's CPU (≈10 min).
bench-scale: install compose
	bash tools/docker/bench-scale.sh

# The README's pictures of the console: its browser tests, each page saved as it is walked.
screenshots: install broker chromium
	CONSOLE_SCREENSHOTS=docs/console $(VENV)/bin/pytest -q tests/e2e/test_console_*.py

demo: install
	$(PY) tools/demo.py

token: install
	@PYTHONPATH=tools $(PY) -m devkit.idp --role $(ROLE) --sub $(SUB)

clean:
	rm -rf .data $(VENV)

contracts: install
	$(PY) tools/contracts.py

asyncapi: install
	$(PY) tools/asyncapi.py

# docker/rabbitmq/definitions.json from the code (shared.messaging.access): the broker's
# users, rights and topology that compose loads.
broker-definitions: install
	$(PY) tools/broker_definitions.py

# deploy/base/broker and deploy/base/mongo from the code (shared.messaging.access): the
# broker's topology, users and rights and the database's users as the operators' resources.
k8s-resources: install
	$(PY) tools/k8s_resources.py

# Schemathesis against every service with many more examples than `make test` uses.
fuzz: install broker
	FUZZ_EXAMPLES=200 $(VENV)/bin/pytest tests/e2e/test_fuzz_openapi.py

# R-REV-11: rewrite one service's free-text categories as codes of the category list, in
# the database its environment names (docs/contract.md): `make migrate-categories SERVICE=review`.
migrate-categories: install
	$(PY) -m shared.category_migration $(SERVICE)

# The chaos suite: journeys under load while faults strike (stops the local RabbitMQ
# application for a few seconds: don't run it beside a `make run` you care about).
chaos: install broker
	$(PY) tools/chaos

# Benchmarks beside raw baselines on the same broker and engine (bench/results/).
bench: install broker
	$(PY) bench/run.py --profile
