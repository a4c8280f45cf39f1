#!/usr/bin/env bash
# Rebuilds benches/programs/*.wasm from their C sources with zig (see
# ../shared/TOOLCHAIN.md), and checks every program and kernel with
# wasm-tools: valid (the programs under Wasm 2.0, the kernels with the
# proposals some of them use: GC, tail calls, exceptions) and without
# imports. The .wasm files are
# committed, so the benchmark needs no compiler; run this after editing a
# program and commit the result. The WAT kernels in benches/kernels/ are
# read as text by the harness and need no build.
set -euo pipefail
cd "$(dirname "$0")/.."
source benches/venv.sh
ZIG=".venv-wasm/bin/python3 -m ziglang"
WASM_TOOLS=".venv-wasm/bin/wasm-tools"

# Freestanding: no libc and no imports. bench.h declares memcpy/memset/
# memmove, libc.c defines them with memory.copy/memory.fill (-mbulk-memory).
# Each program exports `run(i32) -> i32` and its memory.
for src in benches/programs/*.c; do
  name=$(basename "$src" .c)
  [ "$name" = libc ] && continue
  $ZIG cc -target wasm32-freestanding -mbulk-memory -nostdlib -O2 -s \
    -Wl,--no-entry -Wl,--export=run \
    "$src" benches/programs/libc.c -o "benches/programs/$name.wasm"
done

for wasm in benches/programs/*.wasm benches/kernels/*.wat; do
  case "$wasm" in
    *.wasm) $WASM_TOOLS validate --features=wasm2 "$wasm" ;;
    *) $WASM_TOOLS validate --features=wasm3 "$wasm" ;;
  esac
  if $WASM_TOOLS print "$wasm" | grep -q '(import '; then
    echo "error: $wasm has imports" >&2
    exit 1
  fi
done
chmod -x benches/programs/*.wasm
ls -l benches/programs/*.wasm
