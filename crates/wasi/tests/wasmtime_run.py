#!/usr/bin/env python3
"""Runs a WASI command under the reference runtime (wasmtime's Python
bindings, see ../shared/TOOLCHAIN.md section 5) with weft run's options:

    wasmtime_run.py [--dir HOST[::GUEST]]... [--env NAME=VALUE]... MODULE [ARGS...]

argv[0] is MODULE as given; stdio is inherited; the exit status is the
guest's proc_exit status."""
import sys, wasmtime

def main():
    argv = sys.argv[1:]
    dirs, env = [], []
    while argv and argv[0].startswith("--"):
        opt, val = argv[0], argv[1]
        argv = argv[2:]
        if opt == "--dir":
            host, _, guest = val.partition("::")
            dirs.append((host, guest or host))
        elif opt == "--env":
            k, _, v = val.partition("=")
            env.append((k, v))
        else:
            sys.exit(f"unknown option {opt}")
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    cfg = wasmtime.WasiConfig()
    cfg.argv = argv
    cfg.env = env
    for host, guest in dirs:
        cfg.preopen_dir(host, guest)
    cfg.inherit_stdout(); cfg.inherit_stderr(); cfg.inherit_stdin()
    store.set_wasi(cfg)
    instance = linker.instantiate(store, wasmtime.Module.from_file(engine, argv[0]))
    try:
        instance.exports(store)["_start"](store)
        code = 0
    except wasmtime.ExitTrap as e:
        code = e.code
    sys.exit(code)

main()
