# Two commands on a fresh machine: `make run` and `make test`. Everything installs into .venv and node_modules.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
VENDOR := src/datatorget/web/static/vendor

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml package.json package-lock.json
	$(PYTHON) -c 'import sys; sys.exit("Datatorget needs Python 3.11 or newer" if sys.version_info < (3, 11) else 0)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	mkdir -p $(VENDOR)/swagger-ui
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css \
	   node_modules/swagger-ui-dist/favicon-32x32.png $(VENDOR)/swagger-ui/
	mkdir -p $(VENDOR)/leaflet
	cp -R node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css \
	   node_modules/leaflet/dist/images $(VENDOR)/leaflet/
	touch $@

## Install, prepare the database and the demo municipality, and serve on http://127.0.0.1:8000
run: $(STAMP)
	$(BIN)/datatorget init
	$(BIN)/datatorget demo
	$(BIN)/datatorget serve --host 127.0.0.1 --port 8000

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

## Install, then lint, type-check and run the whole suite
test: lint
	$(BIN)/pytest -n 2 --dist loadfile

## The performance benchmarks (see bench/README.md): search, then the data store (15–20 minutes)
bench: $(STAMP)
	$(BIN)/python bench/search.py
	$(BIN)/python bench/store.py

clean:
	rm -rf $(VENV) node_modules $(VENDOR)
