# Kinxpro Desktop: the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.kinxpro-installed

.PHONY: run test lint pytest bench package clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/kinxpro-desktop --demo $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench packaging
	$(VENV)/bin/ruff format --check src tests bench packaging
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

pytest: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

test: lint pytest

bench: $(STAMP)
	$(PY) bench/run_all.py

package: $(STAMP)
	$(PY) -m PyInstaller --noconfirm --clean --distpath dist --workpath build/pyinstaller packaging/kinxpro-desktop.spec

clean:
	rm -rf build dist .pytest_cache .mypy_cache .ruff_cache
