# Two commands set everything up: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test install install-dev index ui clean

run: index ## install, index corpus/, start the chat UI on $(PORT)
	$(BIN)/rag ui --port $(PORT)

test: install-dev ## install with the dev extra, then ruff, mypy and pytest
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Stamps make a second `make run` / `make test` skip the install when nothing changed.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

index: install ## bring the index in line with corpus/ (a no-op when nothing changed)
	$(BIN)/rag reindex

ui: install
	$(BIN)/rag ui --port $(PORT)

clean:
	rm -rf .rag .pytest_cache .mypy_cache .ruff_cache
