#!/usr/bin/env bash
# Rebuilds the committed WASI fixtures from their C sources with zig
# (wasm32-wasi, see ../shared/TOOLCHAIN.md): examples/hello_wasi.wasm,
# examples/sjlj.wasm (setjmp/longjmp lowered to Wasm exception handling),
# examples/profile_demo.wasm (for `weft run --profile`)
# and the test programs of crates/wasi/tests/wasm/.
#
#   python3 -m venv .venv-wasm && .venv-wasm/bin/pip install ziglang==0.17.1
#   examples/build_wasi.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ZIG="${ZIG:-.venv-wasm/bin/python3 -m ziglang}"
export ZIG_GLOBAL_CACHE_DIR="${ZIG_GLOBAL_CACHE_DIR:-$PWD/.zig-cache}"
cc() { $ZIG cc -target wasm32-wasi -O2 -s "$@"; }

cc examples/hello_wasi.c -o examples/hello_wasi.wasm
cc -mexception-handling -mllvm -wasm-enable-sjlj -mllvm -wasm-use-legacy-eh=false \
  examples/sjlj.c examples/sjlj_tag.s -o examples/sjlj.wasm
# Names kept (no -s): the profiler's example; wasm-tools strip drops the
# DWARF sections and keeps the name section.
$ZIG cc -target wasm32-wasi -O2 examples/profile_demo.c -o examples/profile_demo.wasm
"${WASM_TOOLS:-.venv-wasm/bin/wasm-tools}" strip examples/profile_demo.wasm -o examples/profile_demo.wasm
for name in calls sandbox sockets copy_fd; do
  cc crates/wasi/tests/c/$name.c -o crates/wasi/tests/wasm/$name.wasm
done
ls -l examples/hello_wasi.wasm examples/sjlj.wasm examples/profile_demo.wasm crates/wasi/tests/wasm/*.wasm
