# erpsync — a thin wrapper around CMake/ctest.
#   make          build (build/)
#   make demo     install dependencies, build, run the demo
#   make check    install dependencies, build, run every test (also under
#                 ASan+UBSan), the push's threads under TSan, and a short
#                 fuzz run
#   make bench    run the benchmarks (figures go to docs/performance.md by hand)

BUILD      ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 15

.PHONY: all deps build demo check test asan tsan fuzz bench clean

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

fuzz:
	@./scripts/fuzz.sh $(FUZZ_SECONDS)

check: deps
	@$(MAKE) --no-print-directory test
	@$(MAKE) --no-print-directory asan
	@$(MAKE) --no-print-directory tsan
	@$(MAKE) --no-print-directory fuzz
	@echo "check: all tests passed"

bench: build
	@./bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) build-fuzz
