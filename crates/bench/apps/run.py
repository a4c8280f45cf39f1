"""Whole-process times (start-up and compilation included) of real applications built for wasm32-wasi, under
each Weft tier, wasmtime (PyPI `wasmtime`, via run_wasmtime.py) and the
native build of the same sources. Every run's stdout is compared with the
native run's. Rounds alternate the runners; the best wall time and the
best user+sys CPU time of the rounds are reported.

usage: python3 run.py WEFT_BINARY [--rounds N] [--tiers interp,compile] [--only lua,zstd]
(after ./build.sh; run with the python3 of the TOOLCHAIN.md venv, which has wasmtime)
"""
import argparse, hashlib, math, os, resource, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
APPS = [
    # name, module, native binary, args, stdin file
    ("lua", "build/lua.wasm", "build/lua.native", ["scripts/bench.lua", "1"], None),
    ("quickjs", "build/qjs.wasm", "build/qjs.native", ["scripts/bench.js"], None),
    ("sqlite3", "build/sqlite3.wasm", "build/sqlite3.native", [":memory:"], "scripts/bench.sql"),
    ("zstd", "build/zstd.wasm", "build/zstd.native", ["3", "16"], None),
]

def timed(cmd, stdin):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    with open(os.path.join(HERE, stdin), "rb") if stdin else open(os.devnull, "rb") as f:
        p = subprocess.run(cmd, cwd=HERE, stdin=f, capture_output=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if p.returncode != 0:
        sys.exit(f"{cmd}: exit {p.returncode}: {p.stderr.decode(errors='replace')[-500:]}")
    return wall, cpu, hashlib.sha256(p.stdout).hexdigest()

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("weft")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--tiers", default="interp,compile")
    ap.add_argument("--only", default="")
    a = ap.parse_args()
    weft = os.path.abspath(a.weft)
    runners = [("native", None)] + [(f"weft {t}", t) for t in a.tiers.split(",")] + [("wasmtime", "wasmtime")]
    apps = [x for x in APPS if not a.only or x[0] in a.only.split(",")]
    best = {}
    for r in range(a.rounds):
        order = runners if r % 2 == 0 else runners[::-1]
        for name, module, native, args, stdin in apps:
            expect = None
            for label, tier in order:
                if tier is None:
                    cmd = [os.path.join(HERE, native)] + args
                elif tier == "wasmtime":
                    cmd = [sys.executable, "run_wasmtime.py", module] + args
                else:
                    cmd = [weft, "run", "--tier", tier, "--dir", ".", "--env", "HOME=/nonexistent", module] + args
                wall, cpu, digest = timed(cmd, stdin)
                key = (name, label)
                if key in best:
                    w, c, d = best[key]
                    if d != digest:
                        sys.exit(f"{name} under {label}: output differs between rounds")
                    best[key] = (min(w, wall), min(c, cpu), d)
                else:
                    best[key] = (wall, cpu, digest)
    labels = [l for l, _ in runners]
    print(f"whole-process times, best of {a.rounds} rounds: wall s (user+sys s)")
    print(f"{'program':10}" + "".join(f"{l:>22}" for l in labels))
    ratios = {l: [] for l in labels}
    for name, *_ in apps:
        nat = best[(name, "native")]
        row = f"{name:10}"
        for l in labels:
            w, c, d = best[(name, l)]
            if d != nat[2]:
                sys.exit(f"{name} under {l}: output differs from the native build's")
            row += f"{w:>12.3f} ({c:>6.3f}) "
            ratios[l].append(w / nat[0])
        print(row)
    print("geometric mean of wall time / native:")
    for l in labels:
        g = math.exp(sum(math.log(x) for x in ratios[l]) / len(ratios[l]))
        print(f"  {l:12} {g:6.2f}")

main()
