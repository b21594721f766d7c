# Interlude: `make run` starts the product on this machine, `make test` runs every test.
# `make help` lists the targets. Works on a fresh machine with only Python 3.11 and pip.

.DEFAULT_GOAL := help
SHELL := /bin/bash

# uv from PATH, else the one pip installed as a module (`make install` puts it there)
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
# `make install` syncs once; the other targets run without syncing again
RUN := $(UV) run --no-sync
PYTEST_ARGS ?=

.PHONY: help install run test check lint typecheck reset bench clean

help: ## list the targets
	@echo "Usage: make <target>"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  %-10s %s\n", $$1, $$2}'

install: ## install uv if missing, then every workspace package and the dev tools
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || \
		python3 -m pip install --user --quiet uv || python3 -m pip install --quiet uv || \
		python3 -m pip install --user --quiet --break-system-packages uv
	@if [ -f uv.lock ]; then $(UV) sync --all-packages --frozen; else $(UV) sync --all-packages; fi

run: install ## start NATS, PostgreSQL and every service with demo data; Ctrl-C stops
	$(RUN) interlude-stack run

test: install ## run every test (starts its own servers on free ports); PYTEST_ARGS=...
	$(RUN) pytest $(PYTEST_ARGS)

lint: install ## ruff
	$(RUN) ruff check

typecheck: install ## mypy on the platform library
	$(RUN) mypy shared/src

check: lint typecheck test ## ruff, mypy, then every test

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
