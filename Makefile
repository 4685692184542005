# Vraagbaak — `make run` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
EMBEDDER ?= minilm
INDEX_STAMP := index/$(EMBEDDER)/CURRENT
# axe-core (npm) for the accessibility scan of the browser tests.
AXE    := tests/a11y/node_modules/axe-core/axe.min.js

.PHONY: install index run test test-fast lint eval bench clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) (Python 3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch 2.13.0 is the CPU build on this machine's disk; any other version pulls CUDA (GBs).
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

$(INDEX_STAMP): $(STAMP)
	$(BIN)/python -m assistant --embedder $(EMBEDDER) ingest --no-progress

index: $(STAMP)
	$(BIN)/python -m assistant --embedder $(EMBEDDER) ingest --no-progress

# The ingest is incremental (a no-op in about 0.3 s when nothing changed), so `make run`
# always serves the current corpus; a file that fails (exit 1) is reported and the app still
# starts, a fatal error (exit 2: locked or unwritable index, unreachable server) stops here.
# `make run LLM=ollama:llama3.1` (or LLM=openai:MODEL with ASSISTANT_LLM_BASE_URL / ASSISTANT_LLM_API_KEY_ENV)
# installs that provider's extra and answers through the chat model; without LLM the answers are extractive.
LLM ?=
LLM_PROVIDER := $(firstword $(subst :, ,$(LLM)))

$(VENV)/.extra-%: pyproject.toml $(STAMP)
	$(BIN)/pip install -q -e '.[$*]'
	touch $@

run: $(STAMP) $(if $(LLM),$(VENV)/.extra-$(LLM_PROVIDER))
	$(BIN)/python -m assistant --embedder $(EMBEDDER) ingest --no-progress || [ $$? -eq 1 ]
	$(if $(LLM),ASSISTANT_LLM=$(LLM) )$(BIN)/python app.py

$(AXE): tests/a11y/package.json tests/a11y/package-lock.json
	npm ci --prefix tests/a11y --no-audit --no-fund --loglevel=error
	touch $(AXE)

test: $(INDEX_STAMP) $(AXE)
	$(BIN)/python -m pytest -p no:cacheprovider

test-fast: $(INDEX_STAMP)
	$(BIN)/python -m pytest -p no:cacheprovider -m "not slow and not browser and not load"

lint: $(STAMP)
	$(BIN)/ruff format --check assistant evals tests app.py
	$(BIN)/ruff check assistant evals tests app.py
	$(BIN)/mypy

eval: $(INDEX_STAMP)
	$(BIN)/python -m evals run

bench: $(INDEX_STAMP)
	$(BIN)/pip install -q -e '.[dev,bench]'
	$(BIN)/python -m evals bench

clean:
	rm -rf index/*/ .pytest_cache
