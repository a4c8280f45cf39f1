#!/usr/bin/env bash
# Builds each C benchmark program (benches/programs/*.c) natively, with the
# same zig clang as the .wasm files and the x86-64 baseline CPU, as a shared
# library exporting `run` into target/bench-native/: the floor weft-bench
# measures with `--features native`. memcpy and friends come from the
# system's libc (libc.c's definitions are for wasm32), the Wasm memory
# builtins of malloc.c from shim.c.
set -euo pipefail
cd "$(dirname "$0")/../.."
source benches/venv.sh
ZIG=".venv-wasm/bin/python3 -m ziglang"
out=target/bench-native
mkdir -p "$out"
for src in benches/programs/*.c; do
  name=$(basename "$src" .c)
  [ "$name" = libc ] && continue
  # malloc: its checksum depends on the width of pointers (see
  # crates/bench/src/peer_native.rs), so it has no native build.
  [ "$name" = malloc ] && continue
  $ZIG cc -target x86_64-linux-gnu -mcpu=baseline -O2 -shared -fPIC \
    '-D__builtin_wasm_memory_grow(m,p)=native_memory_grow(p)' \
    '-D__builtin_wasm_memory_size(m)=native_memory_size()' \
    -include benches/native/shim.h \
    "$src" benches/native/shim.c -o "$out/$name.so"
done
ls -l "$out"
