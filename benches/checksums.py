#!/usr/bin/env python3
"""Computes `run(n)` and `run(test_n)` of every benchmark program with
wasmtime (an engine independent of both Weft and wasmi) for the n and test_n
in crates/bench/src/programs.rs, and prints them; with --write, puts them
into programs.rs as the expected checksums (keeping the table's columns).

    .venv-wasm/bin/python3 benches/checksums.py [--write]
"""
import pathlib, re, sys, time
import wasmtime

root = pathlib.Path(__file__).resolve().parent.parent
table = root / "crates/bench/src/programs.rs"
src = table.read_text()
# c_program!("name",  n,  expected,  test_n,  test_expected,  "about")
row = re.compile(
    r'(?P<head>(?P<kind>c_program|kernel)!\("(?P<name>\w+)",\s*(?P<n>[\d_]+),\s*)'
    r'(?P<expected>-?\d+,\s*)(?P<mid>(?P<test_n>[\d_]+),\s*)(?P<test_expected>-?\d+,\s*)"'
)

def checksum(kind, name, n):
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    if kind == "c_program":
        module = wasmtime.Module.from_file(engine, str(root / f"benches/programs/{name}.wasm"))
    else:
        module = wasmtime.Module(engine, (root / f"benches/kernels/{name}.wat").read_text())
    run = wasmtime.Instance(store, module, []).exports(store)["run"]
    start = time.perf_counter()
    value = run(store, n)
    return value, time.perf_counter() - start

def cell(value, old):
    """`value,` padded to the width of the cell it replaces (at least one space)."""
    return f"{value}, ".ljust(len(old))

def replace(m):
    kind, name = m["kind"], m["name"]
    n, test_n = int(m["n"].replace("_", "")), int(m["test_n"].replace("_", ""))
    value, secs = checksum(kind, name, n)
    test_value, _ = checksum(kind, name, test_n)
    print(f"{name:<14} run({n}) = {value:<12} ({secs * 1e3:6.1f} ms in wasmtime)   run({test_n}) = {test_value}")
    return m["head"] + cell(value, m["expected"]) + m["mid"] + cell(test_value, m["test_expected"]) + '"'

out = row.sub(replace, src)
if "--write" in sys.argv[1:]:
    table.write_text(out)
