# The two commands the README opens with: `make demo` and `make test`.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

# Headless Chromium and its driver for the browser tests, from Debian's packages (needs root, as in CI).
BROWSER := /usr/bin/chromedriver

.PHONY: demo test lint format bench clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/escalade simulate dprk_russia_dynamic --out out/demo
	$(VENV)/bin/escalade run --out out/demo

$(BROWSER):
	DEBIAN_FRONTEND=noninteractive apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver

test: $(STAMP) $(BROWSER)
	$(PY) -m pytest -q

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

clean:
	rm -rf $(VENV) out .pytest_cache
