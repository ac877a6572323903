# Thin wrapper over CMake. `make run` and `make test` install what is missing.
BUILD ?= build
ASAN_BUILD ?= build-asan
PREFIX ?= /usr/local
JOBS ?= $(shell nproc)

.PHONY: all deps build run test asan install bench fuzz fuzz-run clean golden

all: build

deps:
	@sh cli/install-deps.sh

# Keyed on the generated Makefile, which CMake writes only when configuring
# succeeds: a configure that failed (say, before the packages were installed)
# is run again instead of leaving a build folder that cannot build.
$(BUILD)/Makefile:
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null

build: $(BUILD)/Makefile
	@cmake --build $(BUILD) -j $(JOBS)

run: deps build
	./$(BUILD)/leadpack run --out out

test: deps build
	/usr/bin/python3 tests/setup_check.py .
	cd $(BUILD) && ctest --output-on-failure

# Page 1 of every pack as the golden image tests/cli/test_golden.c compares
# with: run when a change to page 1 is intended, then look at the images.
golden: build
	sh tests/cli/golden/refresh.sh $(BUILD)

# Every suite under AddressSanitizer, LeakSanitizer and UBSan. The
# suppressions (tests/lsan.supp) cover only the caches that fontconfig, pango
# and cairo keep for the life of the process.
asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DLP_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure

# libFuzzer targets (tests/fuzz), one after the other, on a corpus that
# starts from fixtures/ and grows in $(FUZZ_BUILD)/corpus. Each runs for
# FUZZ_SECONDS, or for FUZZ_RUNS executions when that is set (the recorded
# runs of tests/fuzz/README.md: `make fuzz FUZZ_RUNS=10000000`; FUZZ_SECONDS
# then caps each target's time only when given too). The targets are
# in-process and single-threaded; inputs are at most FUZZ_MAX_LEN bytes.
# Each prints one line: executions, exec/s, seconds, new units, corpus size.
# A crash stops with the input in $(FUZZ_BUILD)/crash-*: fix the bug, copy
# it to tests/fuzz/regressions/NAME/. `make fuzz-run` skips `deps`.
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_RUNS ?=
FUZZ_MAX_LEN ?= 4096
FUZZ_NICE ?= 10
FUZZERS ?= value settings mapping template csv
# A 16 MiB quarantine instead of AddressSanitizer's 256 MiB: freed blocks stay
# poisoned for the rest of their input and about a hundred inputs after it
# (an input of 4 KiB allocates well under 1 MiB), and the allocator reuses
# warm memory instead of faulting in fresh pages; the CSV target runs about
# twice as fast.
FUZZ_ASAN_OPTIONS ?= detect_leaks=1:quarantine_size_mb=16
FUZZ_SEEDS_csv = fixtures/tiny fixtures/quirks fixtures/dialects/generic fixtures/bad
FUZZ_SEEDS_value = tests/fuzz/seeds/value
FUZZ_SEEDS_mapping = templates/profiles fixtures/bad
FUZZ_SEEDS_settings = templates/settings.yaml fixtures/bad
FUZZ_SEEDS_template = templates/packs fixtures/bad
# The CPU time of each target (user + system, /usr/bin/time), which is what
# it costs whatever else the machine runs: its exec/s by CPU time is printed
# beside libFuzzer's wall-clock figure.
FUZZ_TIME = $(if $(wildcard /usr/bin/time),/usr/bin/time -f '%U %S' -o $(FUZZ_BUILD)/fuzz_$(f).cpu)
FUZZ_LIMIT = $(if $(FUZZ_RUNS),-runs=$(FUZZ_RUNS) $(if $(filter command line,$(origin FUZZ_SECONDS)),-max_total_time=$(FUZZ_SECONDS)),-max_total_time=$(FUZZ_SECONDS))

fuzz: deps
	@$(MAKE) --no-print-directory fuzz-run

fuzz-run:
	@CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug -DLP_FUZZ=ON -DLP_TESTS=OFF >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) $(addprefix --target fuzz_,$(FUZZERS))
	@$(foreach f,$(FUZZERS),\
	  rm -rf $(FUZZ_BUILD)/seeds/$(f) $(FUZZ_BUILD)/fuzz_$(f).log && \
	  mkdir -p $(FUZZ_BUILD)/seeds/$(f) $(FUZZ_BUILD)/corpus/$(f) && \
	  find $(FUZZ_SEEDS_$(f)) -type f -size -64k \
	    \( -name '*.csv' -o -name '*.tsv' -o -name '*.yaml' -o -path '*/seeds/*' \) \
	    -exec cp --backup=numbered -t $(FUZZ_BUILD)/seeds/$(f) {} + && \
	  start=$$(date +%s) && \
	  ASAN_OPTIONS=$(FUZZ_ASAN_OPTIONS) $(FUZZ_TIME) nice -n $(FUZZ_NICE) ./$(FUZZ_BUILD)/fuzz_$(f) $(FUZZ_LIMIT) \
	    -timeout=10 -rss_limit_mb=2048 -max_len=$(FUZZ_MAX_LEN) -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_BUILD)/crash-$(f)- \
	    $(FUZZ_BUILD)/corpus/$(f) $(FUZZ_BUILD)/seeds/$(f) > $(FUZZ_BUILD)/fuzz_$(f).log 2>&1 ; \
	  grep -E '^(==[0-9]+==|SUMMARY|artifact_prefix|Test unit written)' $(FUZZ_BUILD)/fuzz_$(f).log ; \
	  echo "fuzz_$(f): $$(sed -n 's/^stat::number_of_executed_units: *//p' $(FUZZ_BUILD)/fuzz_$(f).log) executions," \
	    "$$(sed -n 's/^stat::average_exec_per_sec: *//p' $(FUZZ_BUILD)/fuzz_$(f).log) exec/s," \
	    "$$(( $$(date +%s) - start )) s, $$(sed -n 's/^stat::new_units_added: *//p' $(FUZZ_BUILD)/fuzz_$(f).log) new units," \
	    "corpus $$(ls $(FUZZ_BUILD)/corpus/$(f) | wc -l) files" \
	    $(if $(FUZZ_TIME),"; CPU $$(awk 'END {printf "%.1f s, %.0f exec/s", $$1 + $$2, '"$$(sed -n 's/^stat::number_of_executed_units: *//p' $(FUZZ_BUILD)/fuzz_$(f).log)"' / ($$1 + $$2 + 1e-9)}' $(FUZZ_BUILD)/fuzz_$(f).cpu)") && \
	  test -z "$$(ls $(FUZZ_BUILD)/crash-$(f)-* 2>/dev/null)" &&) true

install: build
	@cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)
	cmake --install $(BUILD)

# leadpack against pandas and DuckDB on generated data (cached in bench/data/),
# in each of DIALECTS; `make bench SCALES="0.1 1 4"` adds scale 4,
# `make bench DIALECTS=salesforce SCALES=1` runs one. Results: stdout,
# bench/results.csv and Markdown tables in bench/data/tables.md;
# UPDATE_README=1 also writes them into bench/README.md.
SCALES ?= 0.1 1
DIALECTS ?= generic salesforce hubspot
bench:
	@sh cli/install-deps.sh --bench
	@$(MAKE) --no-print-directory build
	./$(BUILD)/lp_bench --source . --leadpack ./$(BUILD)/leadpack --dialects "$(DIALECTS)" \
	  --scales "$(SCALES)" --markdown bench/data/tables.md \
	  $(if $(UPDATE_README),--readme bench/README.md)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) out
