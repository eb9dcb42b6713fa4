# The two commands the README opens with: `make demo` and `make test`.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test test-slow browser lint format bench clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Two worker processes: the numbers are the same with any number (tests/simulate/test_sweep.py).
demo: $(STAMP)
	$(VENV)/bin/escalade simulate dprk_russia_dynamic_v2 --workers 2 --out out/demo
	$(VENV)/bin/escalade run --workers 2 --out out/demo
	$(VENV)/bin/escalade run dprk_russia_v2 --draws 256 --sensitivity 0 --claim-draws 128 --no-ablation \
	  --workers 2 --out out/demo/dprk_russia_v2
	$(VENV)/bin/escalade run cuban_missile_1962 --workers 2 --out out/demo/cuban_missile_1962
	$(VENV)/bin/escalade simulate cuban_missile_1962_dynamic --workers 2 --out out/demo/cuban_missile_1962_dynamic

# Headless Chromium and its driver for the browser tests, from Debian's packages (needs root; CI runs it).
# Without them the browser tests skip with that reason, except under CI, where they fail.
browser:
	command -v chromedriver >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; }

# out/pytest.xml is read by .ci/run's guard on the number of tests that ran (tests/min-tests-run).
test: $(STAMP)
	mkdir -p out
	$(PY) -m pytest -q --junitxml=out/pytest.xml

# The long property and fuzz runs (thousands of mutated scenarios and Gambit files).
test-slow: $(STAMP)
	$(PY) -m pytest -q -m slow

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench

format: $(STAMP)
	$(VENV)/bin/ruff format src tests bench
	$(VENV)/bin/ruff check --fix src tests bench

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[gambit]'
	$(PY) bench/sweep.py
	$(PY) bench/solvers.py
	$(PY) bench/dynamics.py
	$(PY) bench/targets.py

clean:
	rm -rf $(VENV) out .pytest_cache
