# Thin wrapper over CMake. `make run` and `make test` install what is missing.
BUILD ?= build
ASAN_BUILD ?= build-asan
PREFIX ?= /usr/local
JOBS ?= $(shell nproc)

.PHONY: all deps build run test asan install bench fuzz clean

all: build

deps:
	@sh cli/install-deps.sh

$(BUILD)/CMakeCache.txt:
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null

build: $(BUILD)/CMakeCache.txt
	@cmake --build $(BUILD) -j $(JOBS)

run: deps build
	./$(BUILD)/leadpack run --out out

test: deps build
	cd $(BUILD) && ctest --output-on-failure

asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DLP_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure

install: build
	@cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)
	cmake --install $(BUILD)

# leadpack against pandas and DuckDB on generated data (cached in bench/data/);
# `make bench SCALES="0.1 1 4"` adds scale 4. Results: stdout, bench/results.csv.
SCALES ?= 0.1 1
bench:
	@sh cli/install-deps.sh --bench
	@$(MAKE) --no-print-directory build
	./$(BUILD)/lp_bench --source . --leadpack ./$(BUILD)/leadpack --scales "$(SCALES)"

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) out
