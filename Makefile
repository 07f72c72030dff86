# Two commands matter: `make book` and `make test`. Both set up what they need.
# Offline, point the data fetch at a local copy: DATA_MIRROR=../shared/data/raw make book
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Where PYTHONDONTWRITEBYTECODE is set (as on the project's machines), nothing is ever cached and every
# kernel of every build compiles pandas, scipy and matplotlib again: 6.5 s of imports instead of 2.1 s.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: book student test data env bench clean lock lint headline check-browser chromium

book: env node_modules/.installed
	$(PY) -m helpers.build.pipeline

# The book and the student edition (no solutions; helpers/build/exercises.py) in _build/student/html.
student: env node_modules/.installed
	$(PY) -m helpers.build.pipeline --student

# The suite includes the browser check of the built book (tests/test_browser.py), hence chromium.
test: env node_modules/.installed chromium
	$(PY) -m pytest

# Every page of the built book in headless chromium, offline (helpers/build/browser.py);
# screenshots in _build/screenshots/.
check-browser: book chromium
	$(PY) -m helpers.build.browser

# Debian's chromium, which Playwright drives; never `playwright install` (it downloads a browser).
chromium:
	@command -v chromium >/dev/null || { \
	  echo "installing Debian's chromium (apt-get)"; \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update -qq && \
	  $$( [ "$$(id -u)" = 0 ] || echo sudo ) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

data: env
	@# not `-m helpers.data.fetch`: the package imports its fetch module first, and runpy warns about that
	$(PY) -c 'import sys; from helpers.data.fetch import main; sys.exit(main())'

bench: env node_modules/.installed
	$(PY) -m helpers.build.pipeline --bench

lint: env
	$(PY) -m ruff check helpers tests

# Rewrite the headline table at the top of README.md from book/results/*.csv (a test checks it is fresh).
headline: env
	$(PY) -c 'from helpers.book import update_readme; print("README.md", "updated" if update_readme() else "already up to date")'

env: $(VENV)/.installed

# uv (its version pinned in the lock) installs the pins in about 10 s, against a minute for pip, which
# also byte-compiles every module of every package; here Python compiles a module on its first import.
$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet "$$(grep -i '^uv==' requirements.lock)"
	$(VENV)/bin/uv pip install --quiet --python $(PY) -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Re-pin after editing requirements.in: a clean venv, then the lock and environment.yml from it.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet -r requirements.in
	.venv-lock/bin/pip freeze --exclude-editable | LC_ALL=C sort -f > requirements.lock
	rm -rf .venv-lock
	$(PY) -m helpers.build.envfile

# Removes what the build makes, but not book/results/*.csv: those are tracked so that results can be
# diffed between commits, and the next `make book` rewrites them.
clean:
	rm -rf _build _vendor book/.stamps book/*.ipynb book/figures data/derived
