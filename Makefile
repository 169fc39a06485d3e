# Two commands do all set-up from a fresh clone:
#   make demo   -- compare the two regimes on scenarios/district.toml
#   make test   -- run the test suite
#   make docs   -- build the documentation site into site/html (warnings are errors)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DOCS_STAMP := $(VENV)/.docs-installed
TESTS  ?= tests notebooks

.PHONY: demo test lint bench docs clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(DOCS_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[docs]'
	touch $(DOCS_STAMP)

demo: $(STAMP)
	$(BIN)/govsim compare scenarios/district.toml --regimes fragmented,consolidated --replications 6 --no-events --seed 2026

test: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --nbmake $(TESTS)

lint: $(STAMP)
	$(BIN)/ruff check govsim tests benchmarks calibration

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_district_year.py
	$(BIN)/python benchmarks/bench_mmc.py
	$(BIN)/python benchmarks/bench_sweep.py
	$(BIN)/python benchmarks/bench_network.py
	$(BIN)/python benchmarks/bench_scaling.py
	$(BIN)/python benchmarks/bench_startup.py
	$(BIN)/python benchmarks/bench_city_year.py

# -E: read every page afresh, so a warning in a page that did not change still fails the build.
# The notebooks and the pages that quote runs are executed (NOTEBOOKS=cache; a cell that errors
# fails the build): about 20 minutes from a fresh clone on two cores. Their outputs are cached under
# site/jupyter_cache/DIGEST, DIGEST being the code's, so a change to the model runs them again.
NOTEBOOKS ?= cache
# (the stored long runs and the README, which a page checks, count as code here)
CODE_DIGEST = $(shell cat pyproject.toml README.md $$(find govsim scenarios experiments benchmarks \
	tests calibration docs/docrun.py docs/regenerate.py docs/generated -type f \( -name '*.py' \
	-o -name '*.toml' -o -name '*.json' \) 2>/dev/null | LC_ALL=C sort) | sha256sum | cut -c1-16)
docs: $(DOCS_STAMP)
	$(BIN)/sphinx-build -E -q -n -W --keep-going -b html -c docs -d site/doctrees \
	  -D nb_execution_mode=$(NOTEBOOKS) -D nb_execution_cache_path=site/jupyter_cache/$(CODE_DIGEST) \
	  . site/html

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache site
