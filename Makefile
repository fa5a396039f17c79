# erpsync — a thin wrapper around CMake/ctest.
#   make          build (build/)
#   make demo     install dependencies, build, run the demo
#   make check    install dependencies, build, run every test (also under
#                 ASan+UBSan), the unit tests of a Release build, the push's
#                 threads under TSan, and a short fuzz run
#   make release  the optimised build (-O3, hardened) and its unit tests
#   make build-types  Debug and MinSizeRel build too (warnings are errors)
#   make bench    run the benchmarks (figures go to docs/performance.md by hand)

BUILD      ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
RELEASE_BUILD ?= build-release
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 15

.PHONY: all deps build demo check test asan tsan release build-types fuzz bench clean

all: build

deps:
	@./scripts/deps.sh

build:
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

demo: deps build
	@./scripts/demo.sh $(BUILD)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j 2

asan:
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DES_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	@cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --output-on-failure -j 2 -LE slow

# The push runs workers on threads sharing one session and the store: its
# integration test under ThreadSanitizer (erpsync and acusim built with it;
# a race makes erpsync exit 66, which fails the test).
tsan:
	@cmake -S . -B $(TSAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DCMAKE_C_FLAGS="-fsanitize=thread -fno-omit-frame-pointer" \
		-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread >/dev/null
	@cmake --build $(TSAN_BUILD) -j $(JOBS) --target erpsync acusim test_export
	@cd $(TSAN_BUILD) && TSAN_OPTIONS="halt_on_error=1 exitcode=66" \
		ctest --output-on-failure -R 'it/test_export$$'

# Release: -O3 sees through more code than -O2 and warns about what it finds
# there, and _FORTIFY_SOURCE checks more; every warning is an error.
release:
	@cmake -S . -B $(RELEASE_BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(RELEASE_BUILD) -j $(JOBS)
	@cd $(RELEASE_BUILD) && ctest --output-on-failure -j 2 -L unit

# The other build types compile warning-free too (Debug without sanitizers,
# MinSizeRel at -Os); they are built, not tested.
build-types:
	@for t in Debug MinSizeRel; do \
		cmake -S . -B build-$$(echo $$t | tr A-Z a-z) -DCMAKE_BUILD_TYPE=$$t >/dev/null && \
		cmake --build build-$$(echo $$t | tr A-Z a-z) -j $(JOBS) >/dev/null || exit 1; \
		echo "build-types: $$t built"; \
	done

fuzz:
	@./scripts/fuzz.sh $(FUZZ_SECONDS)

check: deps
	@$(MAKE) --no-print-directory test
	@$(MAKE) --no-print-directory asan
	@$(MAKE) --no-print-directory release
	@$(MAKE) --no-print-directory build-types
	@$(MAKE) --no-print-directory tsan
	@$(MAKE) --no-print-directory fuzz
	@echo "check: all tests passed"

bench: build
	@./bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) $(RELEASE_BUILD) build-debug build-minsizerel build-fuzz
