# MedChain: `make demo` and `make test` are all a fresh machine needs (Python 3.10+, node/npm).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY_STAMP   := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: demo test build bench fuzz clean install node-tools

demo: $(PY_STAMP)                ## every scenario on the embedded chain and embedded IPFS store
	$(BIN)/medchain demo

test: $(PY_STAMP) $(NODE_STAMP)  ## the whole test suite (embedded chain, Anvil, Ganache, js-ipfs)
	$(BIN)/python -m pytest

build: $(PY_STAMP) $(NODE_STAMP) ## compile the contracts into the committed artifacts
	$(BIN)/medchain compile

bench: $(PY_STAMP) $(NODE_STAMP) ## gas snapshot (gas-snapshot.json) and throughput report (bench-report.json)
	$(BIN)/python -m medchain.bench

install: $(PY_STAMP)
node-tools: $(NODE_STAMP)

$(PY_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

clean:
	rm -rf $(VENV) node_modules build .pytest_cache bench-report.json
