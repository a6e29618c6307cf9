# Thin entry points; the work is in CMake presets and scripts/.
# `make test` and `make demo` install what they need first (scripts/setup.sh).
SHELL := /bin/bash
CONFIGURE_FLAGS := $(if $(CI),-DBLOCKSTACK_WERROR=ON,)

.PHONY: all setup build test demo bench fmt fuzz clean

all: build

setup:
	@scripts/setup.sh

build: setup
	@cmake --preset dev $(CONFIGURE_FLAGS) >/dev/null
	@cmake --build --preset dev

test: setup
	@scripts/test.sh

demo: setup
	@cmake --preset release $(CONFIGURE_FLAGS) >/dev/null
	@cmake --build --preset release
	@node scripts/demo.mjs

bench:
	@scripts/setup.sh --bench
	@cmake --preset release $(CONFIGURE_FLAGS) >/dev/null
	@cmake --build --preset release
	@scripts/bench.sh

fuzz: setup
	@FUZZ_SECONDS=$${FUZZ_SECONDS:-60} scripts/fuzz.sh

fmt:
	@find src apps test bench -name '*.h' -o -name '*.cpp' | xargs clang-format -i

clean:
	rm -rf build
