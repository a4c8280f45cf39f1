#!/usr/bin/env python3
"""fd_read throughput: copy a 100 MB file through fd_read and fd_write in
64 KiB chunks (crates/wasi/tests/c/copy_fd.c) under `weft run` and under
the reference runtime (wasmtime's Python bindings, ../shared/TOOLCHAIN.md
section 5), alternating, and print the medians and their ratio.

usage: fd_read.py [--weft target/release/weft] [--python .venv-wasm/bin/python3] [--runs 11] [--mb 100]

Each run is a whole process (start-up, compilation, the copy). An empty
input is timed the same way, so that the copy itself can be told from the
fixed cost of starting each runtime."""
import argparse, os, shutil, statistics, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
WASM = ROOT / "crates/wasi/tests/wasm/copy_fd.wasm"
REF = ROOT / "crates/wasi/tests/wasmtime_run.py"

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weft", default=str(ROOT / "target/release/weft"))
    ap.add_argument("--python", default=str(ROOT / ".venv-wasm/bin/python3"))
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--mb", type=int, default=100)
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="weft-fd-read-"))
    try:
        with open(work / "big.bin", "wb") as f:
            chunk = os.urandom(1 << 20)
            for _ in range(a.mb):
                f.write(chunk)
        (work / "empty.bin").write_bytes(b"")
        cmds = {
            "weft": [a.weft, "run", "--dir", f"{work}::/", str(WASM)],
            "wasmtime": [a.python, str(REF), "--dir", f"{work}::/", str(WASM)],
        }
        times = {(r, i): [] for r in cmds for i in ("big", "empty")}
        for _ in range(a.runs):
            for inp in ("big", "empty"):
                for r, cmd in cmds.items():
                    # Every run writes a new file (truncating the last one
                    # would add the cost of freeing its blocks).
                    (work / "out.bin").unlink(missing_ok=True)
                    os.sync()
                    t0 = time.perf_counter()
                    p = subprocess.run(cmd + [f"/{inp}.bin", "/out.bin"], capture_output=True, text=True)
                    dt = time.perf_counter() - t0
                    if p.returncode != 0:
                        sys.exit(f"{r} failed: {p.stderr}")
                    times[(r, inp)].append(dt)
        med = {k: statistics.median(v) for k, v in times.items()}
        print(f"copy of {a.mb} MB in 64 KiB fd_read/fd_write chunks, median of {a.runs} runs")
        print(f"{'runtime':10} {'total s':>8} {'empty s':>8} {'copy s':>8} {'MB/s':>8}")
        for r in cmds:
            copy = med[(r, 'big')] - med[(r, 'empty')]
            print(f"{r:10} {med[(r, 'big')]:8.3f} {med[(r, 'empty')]:8.3f} {copy:8.3f} {a.mb / max(copy, 1e-9):8.0f}")
        tw, tr = med[("weft", "big")], med[("wasmtime", "big")]
        cw = tw - med[("weft", "empty")]
        cr = tr - med[("wasmtime", "empty")]
        print(f"weft / wasmtime: total {tw / tr:.2f}, copy alone {cw / cr:.2f}")
    finally:
        shutil.rmtree(work)

main()
