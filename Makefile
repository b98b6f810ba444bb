# tandem's entry points. Each target installs a CPU libtorch 2.4.0 (from PyPI wheels, cached under
# ~/.cache/tandem) when you have not configured one (LIBTORCH or LIBTORCH_USE_PYTORCH), then builds.
SHELL := /bin/bash
ENV := source scripts/libtorch-env.sh &&

.PHONY: run test lint build fixtures fuzz

## run: build, then write a brief of the example articles into out/ (offline: missing models are reported)
run:
	@$(ENV) cargo build --release --locked && \
	{ ./target/release/tandem brief examples/articles --out out --date 2025-11-10; rc=$$?; \
	  if [ $$rc -eq 4 ]; then echo "make run: brief written to out/; see 'tandem models' to install the translation models"; exit 0; fi; \
	  exit $$rc; }

## test: unit, parity and end-to-end tests (first installs chromium for the brief.html browser test, when missing)
test:
	@scripts/install-test-deps.sh && $(ENV) cargo test --locked

## lint: formatting and clippy, as CI checks them; the opt-in `remote` feature must keep compiling
lint:
	@$(ENV) cargo fmt --check && cargo clippy --locked --all-targets -- -D warnings && \
	cargo check --locked --features remote

build:
	@$(ENV) cargo build --release --locked

## fixtures: regenerate the tiny models and parity fixtures (needs the Python reference env; see README)
fixtures:
	@PY="$$(scripts/python-env.sh)" && "$$PY" scripts/make-test-models.py

## fuzz: run each cargo-fuzz target for FUZZ_SECONDS (default 270) in turn, one job each (nightly + cargo-fuzz;
## not run by CI). A crash stops it; its input is in fuzz/artifacts/<target>/ (see README "Fuzzing").
FUZZ_SECONDS ?= 270
FUZZ_TARGETS ?= ingest_file clean segment manifest
fuzz:
	@$(ENV) export LD_LIBRARY_PATH="$$LIBTORCH/lib$${LD_LIBRARY_PATH:+:$$LD_LIBRARY_PATH}" && cd fuzz && \
	for t in $(FUZZ_TARGETS); do \
	  mkdir -p corpus/$$t && \
	  cargo +nightly fuzz run --sanitizer none --debug-assertions $$t corpus/$$t seeds/$$t -- \
	    -max_total_time=$(FUZZ_SECONDS) -max_len=8192 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 || exit 1; \
	done
