# Quick start: `make run` (install deps, build, start) and `make test` (install deps, build, run every test).
BUILD ?= build
NOX_BUILD ?= build-nox
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 300
GENERATOR ?= Ninja
BUILD_TYPE ?= RelWithDebInfo
ARGS ?=
BENCH_SECONDS ?= 5

.PHONY: all deps test-deps configure build build-nox package-nox run format format-check test test-sanitizers test-latest-clients test-fuzz fuzz fuzz-build e2e-deps screenshots translations package bench bench-build soak clean

all: build

deps:
	@bash scripts/deps.sh

test-deps:
	@bash scripts/deps.sh --test

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G $(GENERATOR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

configure: $(BUILD)/build.ninja

# Both executables: droid2api (the desktop app) and droid2api-nox (headless, no Qt Gui or Widgets), with the tests.
build: deps configure
	cmake --build $(BUILD) -j$$(nproc 2>/dev/null || echo 2)

# droid2api-nox alone, for a server: configured with -DDROID2API_GUI=OFF, so Qt Gui and Widgets are never looked
# for; scripts/deps.sh --nox installs the smaller set of packages. In $(NOX_BUILD)/app/droid2api-nox.
build-nox:
	@bash scripts/deps.sh --nox
	cmake -S . -B $(NOX_BUILD) -G $(GENERATOR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DDROID2API_GUI=OFF -DDROID2API_BUILD_TESTS=OFF
	cmake --build $(NOX_BUILD) -j$$(nproc 2>/dev/null || echo 2)

# A .deb of droid2api-nox alone (package droid2api-nox, which conflicts with droid2api: that one carries it too).
package-nox: build-nox
	cd $(NOX_BUILD) && cpack

run: build
	@bash scripts/run.sh $(BUILD)/app/droid2api $(ARGS)

e2e-deps: test-deps
	@bash scripts/npm-deps.sh tests/e2e

# The C++ sources' layout is .clang-format's: `make format` applies it, `make format-check` fails on any line it
# would change. Another clang-format version lays some lines out differently: CI's is Debian 12's, 14.
CLANG_FORMAT ?= $(shell command -v clang-format-14 2>/dev/null || echo clang-format)
FORMAT_FILES = $(shell find core app tests bench fuzz \( -path tests/e2e -o -path tests/data \) -prune -o \
	\( -name '*.cpp' -o -name '*.h' \) -print | sort)

# Twice: clang-format 14 lays out a few multi-line statements after a case label differently on a second pass.
format:
	$(CLANG_FORMAT) -i $(FORMAT_FILES)
	$(CLANG_FORMAT) -i $(FORMAT_FILES)

format-check:
	@command -v $(CLANG_FORMAT) >/dev/null || { echo "$(CLANG_FORMAT) not found: make test-deps installs it"; exit 1; }
	$(CLANG_FORMAT) --dry-run --Werror $(FORMAT_FILES)
	@! grep -n '"_s\b' $(FORMAT_FILES) || { echo 'format-check: QString literals are written QStringLiteral("..."), not u"..."_s'; exit 1; }

# The layout first (seconds), then everything built with warnings as errors.
test: test-deps format-check e2e-deps configure
	cmake -S . -B $(BUILD) -DDROID2API_WERROR=ON -DNODE_EXECUTABLE="$$(bash scripts/node.sh)" >/dev/null
	cmake --build $(BUILD) -j$$(nproc 2>/dev/null || echo 2)
	cd $(BUILD) && cpack >/dev/null
	cd $(BUILD) && ctest --output-on-failure --timeout 300
	@$(MAKE) --no-print-directory test-sanitizers
	@$(MAKE) --no-print-directory test-fuzz

# The core suites again under AddressSanitizer + UndefinedBehaviorSanitizer (leaks included); any report fails.
SANITIZED_TESTS = tst_call tst_json tst_fidelity tst_config tst_sse tst_formats tst_translate tst_proxy tst_hostile tst_auth tst_backends tst_clientsetup tst_usage
test-sanitizers: configure
	cmake -S . -B $(ASAN_BUILD) -G $(GENERATOR) -DCMAKE_BUILD_TYPE=Debug -DDROID2API_SANITIZE=ON -DDROID2API_WERROR=ON >/dev/null
	cmake --build $(ASAN_BUILD) -j$$(nproc 2>/dev/null || echo 2) --target $(SANITIZED_TESTS) fake_factory droid2api
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --output-on-failure --timeout 300 -R "^($$(echo $(SANITIZED_TESTS) | tr ' ' '|'))$$"

# libFuzzer (clang, ASan + UBSan) on the HTTP parsers, the upstream client's response parser, the SSE
# readers/writers and the request readers: `make test` runs a fixed-seed smoke pass (the same inputs every time);
# `make fuzz` runs FUZZ_SECONDS per target and keeps growing $(FUZZ_BUILD)/corpus/.
fuzz-build: test-deps
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G $(GENERATOR) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DDROID2API_FUZZ=ON -DDROID2API_BUILD_TESTS=OFF >/dev/null
	cmake --build $(FUZZ_BUILD) -j$$(nproc 2>/dev/null || echo 2) --target fuzz_http fuzz_upstream fuzz_stream fuzz_request
	bash fuzz/seeds.sh $(FUZZ_BUILD)/seeds

test-fuzz: fuzz-build
	bash fuzz/run.sh $(FUZZ_BUILD) smoke

fuzz: fuzz-build
	bash fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

# The agent matrix with the newest published version of each coding-agent CLI (not in `make test`).
test-latest-clients: test-deps e2e-deps configure
	cmake -S . -B $(BUILD) -DNODE_EXECUTABLE="$$(bash scripts/node.sh)" >/dev/null
	cmake --build $(BUILD) -j$$(nproc 2>/dev/null || echo 2) --target droid2api fake_factory
	bash scripts/latest-clients.sh $(BUILD)

# The installer for this system (a .deb on Debian/Ubuntu), in $(BUILD)/.
package: build
	cd $(BUILD) && cpack

# PNGs of the tray menu, every settings page and the activity window, in English and Chinese, under Xvfb.
screenshots: build
	@bash scripts/deps.sh --screenshots
	@bash scripts/screenshots.sh $(BUILD)/app/droid2api screenshots

# Refresh translations/*.ts from the sources (lupdate).
translations: configure
	cmake --build $(BUILD) --target update_translations

# Direct-to-upstream against through-droid2api, in one run (a Release build in build-bench/).
bench-build: deps
	bash scripts/deps.sh --bench
	cmake -S . -B build-bench -G $(GENERATOR) -DCMAKE_BUILD_TYPE=Release -DDROID2API_BUILD_TESTS=OFF >/dev/null
	cmake --build build-bench -j$$(nproc 2>/dev/null || echo 2) --target droid2api bench_upstream bench_bodies bench_json bench_relay

bench: bench-build
	bash bench/run.sh build-bench $(BENCH_SECONDS)

# 10 minutes of mixed traffic with client aborts and upstream faults; memory and sockets must not grow.
SOAK_SECONDS ?= 600
soak: bench-build
	bash bench/soak.sh build-bench $(SOAK_SECONDS)

clean:
	rm -rf $(BUILD) $(NOX_BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
