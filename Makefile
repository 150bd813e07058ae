# Quick start: `make demo` (install + run the offline demo), `make test` (install + run the tests).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo test bench clean system-packages constraints

# pyproject.toml holds the ranges warta works with; constraints.txt the exact set it was tested with.
CONSTRAINTS := -c constraints.txt

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(CONSTRAINTS) -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/warta demo

# The distributed-mode tests and benchmark start their own redis-server (a system package).
system-packages:
	@command -v redis-server >/dev/null || { \
	    echo "installing redis-server (system package) for the distributed-mode tests"; \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; }

# Two test processes: most tests wait on a crawl subprocess or a server, so two share the
# machine's cores well (5.5 min against 9 for one).
test: $(STAMP) system-packages
	$(BIN)/python -m pytest -q -n 2

bench: $(STAMP) system-packages
	$(BIN)/python -m pip install --quiet $(CONSTRAINTS) -e '.[test,bench]'
	for script in benchmarks/bench_*.py; do $(BIN)/python $$script || exit 1; done

# After upgrading packages in .venv and running the tests: pin the tested set again.
constraints: $(STAMP)
	$(BIN)/python tools/constraints.py

clean:
	rm -rf $(VENV) data/demo .pytest_cache
