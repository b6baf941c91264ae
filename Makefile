# clearml: build, test and run the CLI. `make demo` and `make test` are the two commands
# a newcomer needs (README).

CARGO   ?= cargo
PYTHON  ?= python3
VENV    ?= .venv
SDK_VERSION ?= 2.1.12
BIN     := target/release/clearml
CLEARML ?= $(BIN)

.PHONY: build test lint venv install completions docs bench demo fuzz \
        clearml-server clearml-stop clearml-test

build:
	$(CARGO) build --release --locked

# The Python SDK from PyPI is the independent client the tests check compatibility with.
$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check "clearml==$(SDK_VERSION)"

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

# Fuzzing (fuzz/, cargo-fuzz layout, its own workspace): each target for FUZZ_SECONDS,
# stopping on a crash, a hang (-timeout) or an allocation past the bounds. Needs
# `cargo install cargo-fuzz`; with no sanitizer (-s none) every flag cargo-fuzz passes is
# stable, so no nightly is needed. New inputs go to fuzz/corpus/ (ignored), crashes to
# fuzz/artifacts/<target>/; seeds are committed under fuzz/seeds/.
FUZZ_SECONDS   ?= 60
FUZZ_TARGETS   ?= conf paste serve_request
FUZZ_RSS_MB    ?= 2048
FUZZ_MALLOC_MB ?= 512
FUZZ_TIMEOUT   ?= 10

fuzz:
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p fuzz/corpus/$$t fuzz/artifacts/$$t && \
	  (cd fuzz && $(CARGO) fuzz run -s none $$t corpus/$$t seeds/$$t -- \
	    -max_total_time=$(FUZZ_SECONDS) -timeout=$(FUZZ_TIMEOUT) \
	    -artifact_prefix=artifacts/$$t/ \
	    -rss_limit_mb=$(FUZZ_RSS_MB) -malloc_limit_mb=$(FUZZ_MALLOC_MB) \
	    -print_final_stats=1) || exit 1; \
	done

# The targets users already have in their Makefiles.
clearml-server:
	$(CLEARML) server up

clearml-stop:
	$(CLEARML) server down

clearml-test:
	$(CLEARML) server selftest
