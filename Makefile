# Front end to CMake. `make demo` and `make test` are the README's quick start.
JOBS ?= $(shell nproc)
PRESET ?= release
BUILD_DIR_release = build
BUILD_DIR_debug = build-debug
BUILD_DIR_asan = build-asan
BUILD_DIR = $(BUILD_DIR_$(PRESET))

.PHONY: deps configure build test demo asan unit integration validation clean

deps:
	@./scripts/install-deps.sh

configure: deps
	@cmake --preset $(PRESET) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# The validation label (predictions vs published measurements, thresholds in
# data/validation/threshold.yaml) runs with `make validation`.
test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -LE validation

unit integration validation: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) -L $@

asan:
	@$(MAKE) test PRESET=asan

demo: build
	@echo "== Llama-2-70B, batch of 4 (128 in / 1024 out): trn1.32xlarge TP32 vs p5.48xlarge TP8 =="
	@./build/tessera simulate --model llama-2-70b --hardware trn1.32xlarge --tp 32 \
	    --workload batch:size=4,input=128,output=1024
	@echo
	@./build/tessera simulate --model llama-2-70b --hardware p5.48xlarge --tp 8 \
	    --workload batch:size=4,input=128,output=1024

clean:
	rm -rf build build-debug build-asan
