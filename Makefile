# Interlude: `make run` starts the product on this machine, `make test` runs every test.
# `make help` lists the targets. Works on a fresh machine with only Python 3.11 and pip.

.DEFAULT_GOAL := help
SHELL := /bin/bash

# uv from PATH, else the one pip installed as a module (`make install` puts it there)
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
# `make install` syncs once; the other targets run without syncing again
RUN := $(UV) run --no-sync
PYTEST_ARGS ?=
# the whole suite measures coverage and fails under the floor in pyproject.toml
# ([tool.coverage.report]); a part of it chosen with PYTEST_ARGS does not (it would fall under)
COVERAGE := $(if $(strip $(PYTEST_ARGS)),,--cov --cov-report=term)
# every service's src folder, on MYPYPATH too: a service's imports of its own modules must
# resolve to that folder, not to the installed package that mypy would type as Any
SERVICES_SRC := $(wildcard services/*/src)
# the browser the browser tests drive (Debian's package; `make install` installs it when missing)
CHROMIUM ?= $(or $(INTERLUDE_CHROMIUM),/usr/bin/chromium)
empty :=
space := $(empty) $(empty)

.PHONY: help install run stop test check lint typecheck reset bench clean image k8s-check

help: ## list the targets
	@echo "Usage: make <target>"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  %-10s %s\n", $$1, $$2}'

install: ## install uv if missing, then every workspace package and the dev tools
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || \
		python3 -m pip install --user --quiet uv || python3 -m pip install --quiet uv || \
		python3 -m pip install --user --quiet --break-system-packages uv
	@if [ -f uv.lock ]; then $(UV) sync --all-packages --frozen; else $(UV) sync --all-packages; fi
	@# the browser tests (tests/journeys/web) drive Debian's chromium: Playwright cannot download
	@# its own browser here. Installed when missing and apt-get can (root, as in CI)
	@if [ ! -x "$(CHROMIUM)" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "▸ installing chromium for the browser tests (apt-get, about a minute)"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else \
			echo "▸ $(CHROMIUM) is missing and cannot be installed here (not root, or no apt-get):" \
				"the browser tests will fail; install chromium, or set INTERLUDE_CHROMIUM"; \
		fi; \
	fi

run: install ## start NATS, PostgreSQL and every service with demo data; Ctrl-C stops
	$(RUN) interlude-stack run

test: install ## run every test (starts its own servers on free ports) with the coverage floor; PYTEST_ARGS=...
	$(RUN) pytest $(COVERAGE) $(PYTEST_ARGS)

lint: install ## ruff
	$(RUN) ruff check

typecheck: install ## mypy: the platform library (strict) and every service
	MYPYPATH=$(subst $(space),:,$(SERVICES_SRC)) $(RUN) mypy shared/src $(SERVICES_SRC)

check: lint typecheck test ## ruff, mypy, then every test

stop: install ## stop a `make run` going on elsewhere, or what a killed one left running
	$(RUN) interlude-stack stop

reset: install ## delete the data folder (.data) of `make run`; refuses while it runs
	$(RUN) interlude-stack reset

bench: install ## run every benchmark in bench/ in its quick mode
	@set -e; for script in bench/*.py; do \
		[ -e "$$script" ] || { echo "no benchmarks in bench/"; break; }; \
		echo "▸ $$script --quick"; $(RUN) python "$$script" --quick; \
	done

clean: ## remove caches (keeps .venv and the data folder)
	rm -rf .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov
	find . -path ./.venv -prune -o -path ./.data -prune -o -name __pycache__ -type d -print0 | \
		xargs -0 rm -rf

# the product's one image (Dockerfile, ADR 0012); IMAGE=ghcr.io/interlude/interlude:0.1.0
IMAGE ?= ghcr.io/interlude/interlude:dev
ENGINE := $(shell command -v docker 2>/dev/null || command -v podman 2>/dev/null)

image: ## build the product's image with docker or podman (IMAGE=name:tag)
	@if [ -z "$(ENGINE)" ]; then \
		echo "make image: no container engine (docker or podman) on PATH; the Dockerfile's" \
			"invariants are checked without one by tests/deploy" >&2; exit 1; fi
	@$(ENGINE) info >/dev/null 2>&1 || { echo "make image: $(ENGINE) is on PATH but cannot run" \
		"(no daemon or runtime here); build on a machine with a working engine" >&2; exit 1; }
	$(ENGINE) build --pull -t $(IMAGE) \
		--label org.opencontainers.image.revision=$$(git rev-parse HEAD 2>/dev/null || echo unknown) \
		--label org.opencontainers.image.created=$$(date -u +%Y-%m-%dT%H:%M:%SZ) .

k8s-check: install ## render deploy/k8s's overlays, validate them offline and check their invariants
	$(RUN) pytest tests/deploy -q -p no:cacheprovider
