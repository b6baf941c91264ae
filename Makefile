# clearml: build, test and run the CLI. `make demo` and `make test` are the two commands
# a newcomer needs (README).

CARGO   ?= cargo
PYTHON  ?= python3
VENV    ?= .venv
SDK_VERSION ?= 2.1.12
AGENT_VERSION ?= 3.0.3
BIN     := target/release/clearml
CLEARML ?= $(BIN)

.PHONY: build test lint venv busybox chromium install completions docs bench demo fuzz \
        clearml-server clearml-stop clearml-test

build:
	$(CARGO) build --release --locked

# The Python SDK from PyPI is the independent client the tests check compatibility with;
# clearml-agent executes the pipeline tests' steps. bcrypt and pyhocon are the libraries the
# open-source API server reads and checks its fixed users with (the users tests).
$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check "clearml==$(SDK_VERSION)" "clearml-agent==$(AGENT_VERSION)" \
	  "bcrypt==5.0.0" "pyhocon==0.3.63"

venv: $(VENV)/bin/python

# The stack tests build stand-in images around a static busybox; fetch one under target/
# without root (apt-get download + dpkg-deb), so `make test` needs no system install
# (as root, an empty package list is refreshed first, as on a fresh machine).
BUSYBOX := target/busybox/bin/busybox

$(BUSYBOX):
	@mkdir -p target/busybox/deb
	@cd target/busybox/deb && rm -f *.deb && { apt-get download busybox-static >/dev/null 2>&1 \
	  || { [ "$$(id -u)" = 0 ] && apt-get update -qq >/dev/null 2>&1 && apt-get download busybox-static >/dev/null 2>&1; }; } \
	  || { echo "make test: cannot fetch busybox-static with 'apt-get download' (run 'apt-get update' first, or install busybox-static and copy /bin/busybox to $(BUSYBOX))" >&2; exit 1; }
	@dpkg-deb -x target/busybox/deb/busybox-static_*.deb target/busybox
	@rm -rf target/busybox/deb
	@test -x $(BUSYBOX) || { echo "make test: busybox-static unpacked without bin/busybox" >&2; exit 1; }

busybox: $(BUSYBOX)

# The web UI tests (and its benchmark) drive a real headless Chromium: Debian's package,
# installed when missing (as root, after refreshing the package list, as on a fresh machine).
chromium:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] \
	  && apt-get update -qq >/dev/null 2>&1 \
	  && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1; } \
	  || { echo "make test: cannot install Debian's chromium (apt-get install -y chromium as root), which the web UI tests drive" >&2; exit 1; }

test: venv $(BUSYBOX) chromium
	CLEARML_TEST_PYTHON=$(abspath $(VENV))/bin/python CLEARML_TEST_BUSYBOX=$(abspath $(BUSYBOX)) \
	  CLEARML_TEST_CHROMIUM=$$(command -v chromium) \
	  $(CARGO) test --locked --all-targets

lint:
	$(CARGO) fmt --check
	# The fuzz targets are their own workspace: check they still compile against the library.
	cd fuzz && $(CARGO) fmt --check && { $(CARGO) check --locked --bins --quiet \
	  || { echo "make lint: the fuzz targets do not build; after a dependency change refresh fuzz/Cargo.lock (cd fuzz && cargo metadata --format-version 1 >/dev/null) and commit it" >&2; exit 1; }; }
	$(CARGO) clippy --locked --all-targets -- -D warnings

install:
	$(CARGO) install --locked --path .

completions: build
	$(BIN) completions bash > completions/clearml.bash
	$(BIN) completions zsh > completions/_clearml
	$(BIN) completions fish > completions/clearml.fish

docs: build
	rm -rf docs/man && $(BIN) manpages docs/man

bench: build venv $(BUSYBOX) chromium
	bash bench/run.sh

demo: build
	bash scripts/demo.sh

# Fuzzing (fuzz/, cargo-fuzz layout, its own workspace): each target for FUZZ_SECONDS,
# stopping on a crash, a hang (-timeout) or an allocation past the bounds. Needs
# `cargo install cargo-fuzz`; with no sanitizer (-s none) every flag cargo-fuzz passes is
# stable, so no nightly is needed. New inputs go to fuzz/corpus/ (ignored), crashes to
# fuzz/artifacts/<target>/; seeds are committed under fuzz/seeds/.
FUZZ_SECONDS   ?= 60
FUZZ_TARGETS   ?= conf paste serve_request pipeline_toml import_archive dataset_chunk
FUZZ_RSS_MB    ?= 2048
FUZZ_MALLOC_MB ?= 512
FUZZ_TIMEOUT   ?= 10

fuzz:
	@command -v cargo-fuzz >/dev/null || $(CARGO) install --locked cargo-fuzz
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
