# One task runner for people and CI: `make run` builds the knowledge graph, its view and the
# ontology's documentation from the bundled list; `make test` runs every check CI runs. Both create the virtual environment on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OUT := build

.PHONY: run test lint clean assets bench country-names

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The stamps record which extras are installed; pyproject.toml changes reinstall them.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --editable .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --editable '.[test,lint]'
	touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(BIN)/osgraph build --out $(OUT)
	$(BIN)/osgraph view --kg $(OUT)/osgraph.ttl --out $(OUT)/osgraph.html
	$(BIN)/osgraph document --out $(OUT)/ontology.html

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy src

# Every test, on every core; worksteal hands the tests still queued on a busy worker to an idle
# one, so a few long tests do not leave a core waiting. -m selects a part (pyproject.toml's
# markers): make test PYTEST_ARGS='-m "not browser"'. Bytecode is written (into the __pycache__
# folders git ignores) even where PYTHONDONTWRITEBYTECODE is set: without it, every worker of
# every run rewrites the asserts of every test module again, seconds before the first test runs.
test: lint
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -n auto --dist worksteal $(PYTEST_ARGS)

# Build synthetic lists with osgraph, Morph-KGC (installed into bench/.venvs on first use) and
# hand-written rdflib and pyoxigraph baselines, in alternation; query osgraph's graphs; time the
# view of 5,000 nodes, and the view of each size's list, in Chromium beside pyvis's defaults;
# writes bench/results.md (about an hour). make bench SIZES="10000 100000" RUNS=1 for a quicker look.
SIZES ?= 10000 100000 1000000
RUNS ?= 3
bench: $(VENV)/.installed-run
	$(BIN)/python -m bench $(SIZES) --runs $(RUNS)

# Derive data/country-names.tsv.gz (country names in every language, from CLDR through Babel
# and from pycountry) again, after an upgrade of either.
country-names: $(VENV)/.installed-run
	$(BIN)/python -c "from osgraph._countries import write_country_names; write_country_names()"

clean:
	rm -rf $(VENV) $(OUT) bench/.venvs .pytest_cache .mypy_cache .ruff_cache .hypothesis

# Refresh the bundled YASGUI files from the npm registry (they are committed; nothing fetches
# them at run time).
YASGUI_VERSION := 4.6.2
assets:
	rm -rf .assets && mkdir .assets
	cd .assets && npm pack --silent @zazuko/yasgui@$(YASGUI_VERSION) && tar xzf zazuko-yasgui-*.tgz
	cp .assets/package/build/yasgui.min.js .assets/package/build/yasgui.min.css src/osgraph/static/yasgui/
	rm -rf .assets
