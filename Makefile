# Two commands do all set-up from a fresh clone:
#   make demo   -- compare the two regimes on scenarios/district.toml
#   make test   -- run the test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TESTS  ?= tests notebooks

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

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

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
