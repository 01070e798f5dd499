# MedChain: `make demo` and `make test` are all a fresh machine needs (Python 3.10+, node/npm).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY_STAMP   := $(VENV)/.installed
BASE_STAMP := $(VENV)/.installed-base
NODE_STAMP := node_modules/.installed

BROWNIE_VENV  := .venv-brownie
BROWNIE_BIN   := $(BROWNIE_VENV)/bin
BROWNIE_STAMP := $(BROWNIE_VENV)/.installed
# eth-brownie pins web3 7.16 and the eth-* libraries; medchain's own eth-tester pin needs newer ones,
# so the Brownie venv gets the eth-tester release built for those pins (the embedded chain).
BROWNIE_PIN    := eth-brownie==1.22.2
BROWNIE_TESTER := eth-tester[py-evm]==0.13.0b1
SOLCX_DIR      ?= $(HOME)/.solcx
SOLC_VERSION   := 0.8.28
# Brownie starts Anvil and Ganache by name: the checkout's node tools come first on PATH.
BROWNIE_ENV    := PATH="$(CURDIR)/node_modules/.bin:$$PATH"

# Ape (eth-ape 0.8, ape-solidity, ape-foundry) pins web3 < 8 too: its own venv, pinned by
# tools/ape-requirements.txt, medchain installed as in the Brownie venv. ape-foundry starts `anvil`
# from PATH: the checkout's node tools come first.
APE_VENV  := .venv-ape
APE_BIN   := $(APE_VENV)/bin
APE_STAMP := $(APE_VENV)/.installed
APE_ENV   := PATH="$(CURDIR)/node_modules/.bin:$(CURDIR)/$(APE_BIN):$$PATH"
# ape-solidity may unpack OpenZeppelin (copies of node_modules files) into contracts/.cache, where
# `medchain compile` would take them for project sources: ape-check removes it again.
APE_CACHE := contracts/.cache

# Slither pins web3 7.16 too: its own venv, pinned by tools/slither-requirements.txt.
SLITHER_VENV  := .venv-slither
SLITHER_BIN   := $(SLITHER_VENV)/bin
SLITHER_STAMP := $(SLITHER_VENV)/.installed

CHROMIUM         := /usr/bin/chromium
CJK_FONT         := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
BROWSER_PACKAGES := chromium fonts-wqy-microhei

.PHONY: demo test test-all-backends lint build bench fuzz clean install node-tools brownie brownie-check solc-shim brownie-networks slither slither-check

demo: $(BASE_STAMP)              ## every scenario on the embedded chain and embedded IPFS store
	$(BIN)/medchain demo

# Two workers, one test file each at a time (--dist loadfile): a module's fixtures (its deployed
# world, its Anvil) stay on one worker; session fixtures (a chain per backend) run once per worker.
# PYTEST_WORKERS=0 runs in one process. The domain tests run on Anvil, a shared behaviour suite on
# the embedded chain too (tests/conftest.py); the property tests replay a fixed set of examples.
PYTEST_WORKERS ?= 2
PYTEST_PARALLEL = $(if $(filter-out 0,$(PYTEST_WORKERS)),-n $(PYTEST_WORKERS) --dist loadfile)

test: $(PY_STAMP) $(NODE_STAMP) brownie ape slither flower $(CHROMIUM) $(CJK_FONT) lint  ## lint, then the whole test suite (embedded chain, Anvil, Ganache, js-ipfs, Brownie, Ape, Slither, Flower, Chromium)
	MEDCHAIN_REQUIRE_BROWNIE=1 MEDCHAIN_REQUIRE_APE=1 MEDCHAIN_REQUIRE_SLITHER=1 MEDCHAIN_REQUIRE_BROWSER=1 $(BIN)/python -m pytest $(PYTEST_PARALLEL)

test-all-backends: $(PY_STAMP) $(NODE_STAMP)  ## every chain test on the embedded chain and on Anvil (nightly, with fuzz)
	MEDCHAIN_TEST_BACKENDS=embedded,anvil $(BIN)/python -m pytest $(PYTEST_PARALLEL) --ignore=tests/workflow --ignore=tests/security/test_slither.py

lint: $(PY_STAMP)                ## import layering (import-linter), ruff and mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check src tests scripts tools
	$(BIN)/mypy

# The portal's browser test drives Debian's Chromium (never a browser downloaded by Playwright),
# installed when missing (as root; about 20 s); a CJK font so its screenshots render the Chinese.
$(CHROMIUM) $(CJK_FONT):
	apt-get install -y --no-install-recommends $(BROWSER_PACKAGES) || \
	  { apt-get update && apt-get install -y --no-install-recommends $(BROWSER_PACKAGES); }

# `make test` replays the same derandomized examples every run (fast, reproducible); new examples
# come from `make fuzz`: thousands of random ones per machine and parser. Schedule: nightly (with
# `make test-all-backends`), before each release, and after any change to a contract or a parser.
# A failure prints the example to reproduce (@reproduce_failure) and stays in .hypothesis/.
fuzz: $(PY_STAMP)                ## the security property and parser fuzz tests with many more examples
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -q $(PYTEST_PARALLEL) tests/security -k "fuzz or property"

slither: $(SLITHER_STAMP) $(NODE_STAMP)  ## Slither in .venv-slither

slither-check: slither           ## Slither over every contract; fails on any High or Medium finding
	PYTHONPATH=src $(SLITHER_BIN)/python tools/slither_check.py

$(SLITHER_STAMP): tools/slither-requirements.txt
	test -x $(SLITHER_BIN)/python || $(PYTHON) -m venv $(SLITHER_VENV)
	$(SLITHER_BIN)/python -m pip install --quiet --upgrade pip
	$(SLITHER_BIN)/python -m pip install --quiet -r tools/slither-requirements.txt
	$(SLITHER_BIN)/python -c 'import slither, crytic_compile, solcx; print("slither venv: ok")'
	touch $@

build: $(PY_STAMP) $(NODE_STAMP) ## compile the contracts into the committed artifacts
	$(BIN)/medchain compile

bench: $(PY_STAMP) $(NODE_STAMP) ## gas snapshot (gas-snapshot.json) and throughput report (bench-report.json)
	$(BIN)/python -m medchain.bench

install: $(PY_STAMP)
node-tools: $(NODE_STAMP)

# The demo needs only the base install; the tests need the dev extras (every optional feature too).
$(BASE_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(PY_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(BASE_STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

brownie: $(BROWNIE_STAMP) $(NODE_STAMP) solc-shim brownie-networks  ## Brownie in .venv-brownie, offline solc, networks

brownie-check: brownie           ## the Brownie workflow alone: compile, test (Anvil and Ganache), run
	$(BROWNIE_ENV) $(BROWNIE_BIN)/brownie compile --all
	$(BROWNIE_ENV) $(BROWNIE_BIN)/brownie test
	$(BROWNIE_ENV) $(BROWNIE_BIN)/brownie test --network ganache-shanghai
	$(BROWNIE_ENV) $(BROWNIE_BIN)/brownie run scripts/deploy.py
	$(BROWNIE_ENV) $(BROWNIE_BIN)/brownie run scripts/participants.py

# eth-brownie, then medchain (editable) with its dependencies held to Brownie's pins.
$(BROWNIE_STAMP): pyproject.toml
	test -x $(BROWNIE_BIN)/python || $(PYTHON) -m venv $(BROWNIE_VENV)
	$(BROWNIE_BIN)/python -m pip install --quiet --upgrade pip
	$(BROWNIE_BIN)/python -m pip install --quiet '$(BROWNIE_PIN)'
	# eth-brownie 1.22.2's mypyc-compiled brownie/test/stateful rejects every state machine (TypeError:
	# "_BrownieStateMachine object expected"); without it Brownie imports its own stateful.py.
	rm -f $(BROWNIE_VENV)/lib/python3*/site-packages/brownie/test/stateful.cpython-*.so
	$(BROWNIE_BIN)/python -m pip freeze --exclude-editable > $(BROWNIE_VENV)/brownie-pins.txt
	$(BROWNIE_BIN)/python -m pip install --quiet --no-deps -e .
	$(BROWNIE_BIN)/python -c 'import importlib.metadata as m; print("\n".join(r for r in m.requires("medchain") if "extra ==" not in r and not r.startswith("eth-tester")))' > $(BROWNIE_VENV)/medchain-requirements.txt
	$(BROWNIE_BIN)/python -m pip install --quiet -c $(BROWNIE_VENV)/brownie-pins.txt -r $(BROWNIE_VENV)/medchain-requirements.txt '$(BROWNIE_TESTER)'
	$(BROWNIE_BIN)/python -c 'import web3, medchain.scenarios; print("brownie venv: web3", web3.__version__)'
	ln -sf ../../node_modules/.bin/anvil ../../node_modules/.bin/ganache $(BROWNIE_BIN)/
	touch $@

.PHONY: ape ape-check

ape: $(APE_STAMP) $(NODE_STAMP) solc-shim  ## Ape in .venv-ape (ape-solidity through the solc shim, ape-foundry on Anvil)

ape-check: ape                   ## the Ape workflow alone: compile, test (Anvil), run deploy and participants
	$(APE_ENV) $(APE_BIN)/ape compile --force
	$(APE_ENV) $(APE_BIN)/ape test tests/ape
	$(APE_ENV) $(APE_BIN)/ape run deploy
	$(APE_ENV) $(APE_BIN)/ape run participants
	rm -rf $(APE_CACHE)

# eth-ape and its plugins, then medchain (editable) with its dependencies held to Ape's pins (Ape's
# eth-tester 0.13 stays: it is the one built for those pins).
$(APE_STAMP): pyproject.toml tools/ape-requirements.txt
	test -x $(APE_BIN)/python || $(PYTHON) -m venv $(APE_VENV)
	$(APE_BIN)/python -m pip install --quiet --upgrade pip
	$(APE_BIN)/python -m pip install --quiet -r tools/ape-requirements.txt
	$(APE_BIN)/python -m pip freeze --exclude-editable > $(APE_VENV)/ape-pins.txt
	$(APE_BIN)/python -m pip install --quiet --no-deps -e .
	$(APE_BIN)/python -c 'import importlib.metadata as m; print("\n".join(r for r in m.requires("medchain") if "extra ==" not in r and not r.startswith("eth-tester")))' > $(APE_VENV)/medchain-requirements.txt
	$(APE_BIN)/python -m pip install --quiet -c $(APE_VENV)/ape-pins.txt -r $(APE_VENV)/medchain-requirements.txt
	$(APE_BIN)/python -c 'import web3, ape, medchain.scenarios; print("ape venv: web3", web3.__version__)'
	ln -sf ../../node_modules/.bin/anvil $(APE_BIN)/
	touch $@

.PHONY: flower

# Flower (federated training of compute licences) pins FastAPI, rich and packaging below the main
# venv's: its own venv, pinned by tools/flower-requirements.txt, medchain installed as in the
# Ape venv. The SuperLink and SuperNodes run from here (medchain.research.federated.federation).
FLOWER_VENV  := .venv-flower
FLOWER_BIN   := $(FLOWER_VENV)/bin
FLOWER_STAMP := $(FLOWER_VENV)/.installed

flower: $(FLOWER_STAMP)          ## Flower in .venv-flower (SuperLink, SuperNodes, the compute licence's app)

$(FLOWER_STAMP): pyproject.toml tools/flower-requirements.txt
	test -x $(FLOWER_BIN)/python || $(PYTHON) -m venv $(FLOWER_VENV)
	$(FLOWER_BIN)/python -m pip install --quiet --upgrade pip
	$(FLOWER_BIN)/python -m pip install --quiet -r tools/flower-requirements.txt
	$(FLOWER_BIN)/python -m pip freeze --exclude-editable > $(FLOWER_VENV)/flower-pins.txt
	$(FLOWER_BIN)/python -m pip install --quiet --no-deps -e .
	$(FLOWER_BIN)/python -c 'import importlib.metadata as m; print("\n".join(r for r in m.requires("medchain") if "extra ==" not in r))' > $(FLOWER_VENV)/medchain-requirements.txt
	$(FLOWER_BIN)/python -m pip install --quiet -c $(FLOWER_VENV)/flower-pins.txt -r $(FLOWER_VENV)/medchain-requirements.txt
	$(FLOWER_BIN)/python -c 'import flwr, medchain.research.federated.hospital; print("flower venv: flwr", flwr.__version__)'
	touch $@

# py-solc-x (and so Brownie) looks for $(SOLCX_DIR)/solc-v$(SOLC_VERSION); no native solc can be
# downloaded here, so it is a wrapper running solc-js through the package's shim. A native binary
# already there is kept.
solc-shim: $(NODE_STAMP)
	@mkdir -p $(SOLCX_DIR)
	@if head -c 4 $(SOLCX_DIR)/solc-v$(SOLC_VERSION) 2>/dev/null | grep -q ELF; then \
	  echo "$(SOLCX_DIR)/solc-v$(SOLC_VERSION) is a native solc: kept"; \
	else \
	  printf '#!/bin/sh\n# solc $(SOLC_VERSION) for py-solc-x and Brownie: solc-js through the MedChain shim (make solc-shim)\nMEDCHAIN_NODE_MODULES="%s" exec node "%s" "$$@"\n' \
	    '$(CURDIR)/node_modules' '$(CURDIR)/src/medchain/solc_shim/solc-shim.js' > $(SOLCX_DIR)/solc-v$(SOLC_VERSION).tmp && \
	  chmod 755 $(SOLCX_DIR)/solc-v$(SOLC_VERSION).tmp && \
	  mv $(SOLCX_DIR)/solc-v$(SOLC_VERSION).tmp $(SOLCX_DIR)/solc-v$(SOLC_VERSION) && \
	  $(SOLCX_DIR)/solc-v$(SOLC_VERSION) --version | tail -1; \
	fi

# Brownie's networks live in ~/.brownie/network-config.yaml (Brownie 1.22.2 cannot take node
# settings from brownie-config.yaml). `development` (Anvil) gets 20 accounts of the development
# mnemonic, Anvil's own; `ganache-shanghai` is added: Ganache 7 on the shanghai hardfork.
DEV_MNEMONIC := test test test test test test test test test test test junk
BROWNIE_NODE := mnemonic='$(DEV_MNEMONIC)' accounts=20 default_balance=1000000 gas_limit=30000000
brownie-networks: $(BROWNIE_STAMP)
	@$(BROWNIE_BIN)/brownie networks modify development $(BROWNIE_NODE) >/dev/null
	@$(BROWNIE_BIN)/brownie networks delete ganache-shanghai >/dev/null 2>&1 || true
	@$(BROWNIE_BIN)/brownie networks add Development ganache-shanghai name='Ganache (shanghai)' \
	  cmd='ganache --logging.quiet' host=http://127.0.0.1 port=8546 evm_version=shanghai chain_id=1337 \
	  $(BROWNIE_NODE) >/dev/null
	@echo "brownie networks: development (anvil, port 8545), ganache-shanghai (ganache, port 8546)"

clean:
	rm -rf $(VENV) $(BROWNIE_VENV) $(APE_VENV) $(SLITHER_VENV) $(FLOWER_VENV) node_modules build .build $(APE_CACHE) reports .pytest_cache bench-report.json
