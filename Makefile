# Front end to CMake. `make demo` and `make test` are the README's quick start.
JOBS ?= $(shell nproc)
PRESET ?= release
BUILD_DIR_release = build
BUILD_DIR_debug = build-debug
BUILD_DIR_asan = build-asan
BUILD_DIR = $(BUILD_DIR_$(PRESET))

.PHONY: deps configure build test demo asan fuzz unit integration validation clean

deps:
	@./scripts/install-deps.sh

configure: deps
	@cmake --preset $(PRESET) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

unit integration validation: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -L $@

# Unit, integration, validation and browser tests under ASan + UBSan. Left out:
# `slow` (the 10^7-row bounded-memory run: an RSS bound means nothing under ASan),
# `python` (an ASan-built extension cannot load into Debian's uninstrumented
# interpreter) and `mpi` (LeakSanitizer reports OpenMPI's own allocations).
asan:
	@$(MAKE) test PRESET=asan CTEST_ARGS="-LE 'slow|python|mpi'"

# Each libFuzzer target for FUZZ_SECONDS (tools/fuzz.sh runs them longer).
FUZZ_SECONDS ?= 5
fuzz: deps
	@./tools/fuzz.sh $(FUZZ_SECONDS)

demo: build
	@echo "== Llama-2-70B, batch of 4 (128 in / 1024 out): trn1.32xlarge TP32 vs p5.48xlarge TP8 =="
	@./build/tessera simulate --model llama-2-70b --hardware trn1.32xlarge --tp 32 --runtime tnx \
	    --workload batch:size=4,input=128,output=1024
	@echo
	@./build/tessera simulate --model llama-2-70b --hardware p5.48xlarge --tp 8 \
	    --workload batch:size=4,input=128,output=1024

clean:
	rm -rf build build-debug build-asan build-fuzz
