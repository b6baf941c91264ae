# clearml: build, test and run the CLI. `make demo` and `make test` are the two commands
# a newcomer needs (README).

CARGO   ?= cargo
PYTHON  ?= python3
VENV    ?= .venv
SDK_VERSION ?= 2.1.12
AGENT_VERSION ?= 3.0.3
BIN     := target/release/clearml
CLEARML ?= $(BIN)

.PHONY: build test lint venv install completions docs bench demo \
        clearml-server clearml-stop clearml-test

build:
	$(CARGO) build --release --locked

# The Python SDK from PyPI is the independent client the tests check compatibility with;
# clearml-agent executes the pipeline tests' steps.
$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check "clearml==$(SDK_VERSION)" "clearml-agent==$(AGENT_VERSION)"

venv: $(VENV)/bin/python

test: venv
	CLEARML_TEST_PYTHON=$(abspath $(VENV))/bin/python $(CARGO) test --locked --all-targets

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --locked --all-targets -- -D warnings

install:
	$(CARGO) install --locked --path .

completions: build
	$(BIN) completions bash > completions/clearml.bash
	$(BIN) completions zsh > completions/_clearml
	$(BIN) completions fish > completions/clearml.fish

docs: build
	rm -rf docs/man && $(BIN) manpages docs/man

bench: build venv
	bash bench/run.sh

demo: build
	bash scripts/demo.sh

# The targets users already have in their Makefiles.
clearml-server:
	$(CLEARML) server up

clearml-stop:
	$(CLEARML) server down

clearml-test:
	$(CLEARML) server selftest
