# RM Desk — every target sets itself up: a fresh clone needs only Python 3.11+ and make.
# `make test` is what CI runs (.ci/run calls it and nothing else).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.rm-desk-installed
export QT_QPA_PLATFORM ?= offscreen

.PHONY: setup system translations demo test lint typecheck pytest bench soak openapi lock clean

setup: system $(STAMP) translations

# Debian packages the tests use (a Secret Service keyring, D-Bus). Installs only what is missing,
# and only where it can (root with apt-get); elsewhere it says what the tests will skip.
system:
	@scripts/setup-system.sh

$(STAMP): requirements/lock.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/lock.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

# The Chinese catalog compiled into the package (rm_desk/resources/translations/*.qm, not
# committed); scripts/translations.py update|check keep the .ts sources complete.
QM := rm_desk/resources/translations/rm_desk_zh_CN.qm

translations: $(QM)

$(QM): resources/translations/rm_desk_zh_CN.ts | $(STAMP)
	$(BIN)/python scripts/translations.py build

demo: setup
	$(BIN)/rm-desk --demo

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

pytest: setup
	scripts/with-keyring.sh $(BIN)/python -m pytest $(PYTEST_ARGS)

test: lint typecheck pytest

bench: setup
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

soak: setup
	RM_DESK_SOAK=1 scripts/with-keyring.sh $(BIN)/python -m pytest -p no:cacheprovider \
		tests/faults tests/sync/test_sync_stateful.py $(PYTEST_ARGS)

# The server's OpenAPI document (the bank-facing contract, no /dev calls); a test fails until the
# committed copy matches the code.
openapi: setup
	$(BIN)/python -m crm_server.openapi docs/openapi.json

# Re-resolve the pinned versions from pyproject.toml into requirements/lock.txt.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --disable-pip-version-check setuptools -e '.[server,dev]'
	{ echo "# Exact versions CI and every developer install (make setup). Regenerate with \`make lock\`."; \
	  .lock-venv/bin/python -m pip freeze --all --exclude-editable --disable-pip-version-check \
		| grep -v -e '^rm-desk' -e '^pip=='; } > requirements/lock.txt
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis build dist *.egg-info
