"""Runs a WASI preview1 command under wasmtime (the `wasmtime` package from
PyPI, Cranelift, default configuration): python3 run_wasmtime.py MODULE ARGS..."""
import sys
import wasmtime

engine = wasmtime.Engine()
store = wasmtime.Store(engine)
linker = wasmtime.Linker(engine)
linker.define_wasi()
cfg = wasmtime.WasiConfig()
cfg.argv = sys.argv[1:]
cfg.preopen_dir(".", ".")
cfg.inherit_stdout()
cfg.inherit_stderr()
cfg.inherit_stdin()
cfg.env = [("HOME", "/nonexistent")]
store.set_wasi(cfg)
instance = linker.instantiate(store, wasmtime.Module.from_file(engine, sys.argv[1]))
try:
    instance.exports(store)["_start"](store)
    code = 0
except wasmtime.ExitTrap as e:
    code = e.code
sys.exit(code)
