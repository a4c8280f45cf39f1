//! `weft-bench`: runs CPU-bound Wasm programs under Weft and its peers
//! (wasmi 2.x; with the features `wasm3`, `wasmtime` and `pulley`: wasm3,
//! wasmtime with Cranelift's native code, and wasmtime's Pulley interpreter)
//! in the same process, alternating, and prints the
//! median time of each, the ratio Weft / peer and the geometric mean of the
//! ratios per peer. Then the start-up case (compile and instantiate a module
//! with more than 1 MB of code), the host-call cases (ns per call) and the
//! peak resident memory of each program under each engine (each run in a
//! child process).
//!
//! ```text
//! cargo run --release -p weft-bench [--features wasm3,wasmtime,pulley] -- [OPTIONS] [FILTER...]
//! ```
//!
//! Every program exports `run(i32) -> i32`: it does work proportional to its
//! argument and returns a checksum of everything it computed. Each engine
//! compiles and instantiates the module once (not timed), calls `run` once to
//! warm up (lazy translation happens there), then the engines take turns,
//! `--rounds` calls each (default 7), the order flipping every round. Every
//! call's checksum must equal the program's expected value, which was
//! computed with wasmtime when the program was added.
//!
//! The programs are the C programs in `benches/programs/` (compiled with zig
//! by `benches/build.sh`; the .wasm files are committed) and the hand-written
//! kernels in `benches/kernels/`. See BENCHMARKS.md.

mod engines;
#[cfg(feature = "native")]
mod peer_native;
#[cfg(feature = "wasm3")]
mod peer_wasm3;
#[cfg(any(feature = "wasmtime", feature = "pulley"))]
mod peer_wasmtime;
mod programs;

use engines::{Engine, Instance};
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

/// Command-line options.
struct Options {
    rounds: usize,
    only: Option<String>,
    list: bool,
    quick: bool,
    filters: Vec<String>,
    programs: bool,
    startup: bool,
    calls: bool,
    memory: bool,
    fixture: PathBuf,
    child: Option<(String, String)>,
}

/// The start-up fixture built by `benches/fixtures/build.sh`.
const DEFAULT_FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../target/bench-fixtures/stl_mix.wasm"
);

/// Calls per timed host-call measurement.
const HOST_CALLS: i32 = 5_000_000;

fn usage() -> ! {
    eprintln!(
        "usage: weft-bench [--rounds N] [--only ENGINE] [--quick] [--list] [--no-programs]\n\
         \x20                 [--no-startup] [--no-calls] [--no-memory] [--fixture PATH] [FILTER...]\n\
         \n  --rounds N     timed calls per engine and case (default 7)\
         \n  --only ENGINE  run one engine only ({})\
         \n  --quick        small arguments: check the results, not the speed\
         \n  --list         list the programs and exit\
         \n  --no-programs  skip the execution programs\
         \n  --no-startup   skip the start-up case\
         \n  --no-calls     skip the host-call cases\
         \n  --no-memory    skip the peak-memory table (one child process per engine and program)\
         \n  --fixture PATH the start-up module (default target/bench-fixtures/stl_mix.wasm)\
         \n  FILTER         run the programs whose name contains one of these",
        engines::all()
            .iter()
            .map(|e| e.name())
            .collect::<Vec<_>>()
            .join(", ")
    );
    std::process::exit(2)
}

fn parse_args() -> Options {
    let mut o = Options {
        rounds: 7,
        only: None,
        list: false,
        quick: false,
        filters: Vec::new(),
        programs: true,
        startup: true,
        calls: true,
        memory: true,
        fixture: PathBuf::from(DEFAULT_FIXTURE),
        child: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--rounds" => {
                o.rounds = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .filter(|&n| n > 0)
                    .unwrap_or_else(|| usage())
            }
            "--only" => o.only = Some(args.next().unwrap_or_else(|| usage())),
            "--list" => o.list = true,
            "--quick" => o.quick = true,
            "--no-programs" => o.programs = false,
            "--no-startup" => o.startup = false,
            "--no-calls" => o.calls = false,
            "--no-memory" => o.memory = false,
            "--fixture" => o.fixture = PathBuf::from(args.next().unwrap_or_else(|| usage())),
            // Internal: one engine runs one program (or "stl_mix": the
            // start-up case) in a child process and reports its peak RSS.
            "--child" => {
                let engine = args.next().unwrap_or_else(|| usage());
                let program = args.next().unwrap_or_else(|| usage());
                o.child = Some((engine, program));
            }
            "-h" | "--help" => usage(),
            // `cargo bench` passes `--bench`.
            "--bench" => {}
            f if f.starts_with('-') => usage(),
            f => o.filters.push(f.to_string()),
        }
    }
    o
}

fn median(times: &mut [f64]) -> f64 {
    times.sort_by(f64::total_cmp);
    let n = times.len();
    if n % 2 == 1 {
        times[n / 2]
    } else {
        (times[n / 2 - 1] + times[n / 2]) / 2.0
    }
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

/// The 1-, 5- and 15-minute load averages: other work on the machine skews
/// the timings.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn print_machine_info(engines: &[Box<dyn Engine>]) {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "machine: {} ({cores} cores), {}",
        cpu_model(),
        std::env::consts::ARCH
    );
    println!("load:    {} (1, 5, 15 min)", load_average());
    println!("rustc:   {}", env!("WEFT_BENCH_RUSTC"));
    println!("build:   {}", env!("WEFT_BENCH_PROFILE"));
    for e in engines {
        println!("engine:  {} {} ({})", e.name(), e.version(), e.config());
    }
}

fn main() {
    let opts = parse_args();
    if let Some((engine, program)) = &opts.child {
        child(&opts, engine, program);
    }
    let programs: Vec<_> = programs::all()
        .into_iter()
        .filter(|p| {
            opts.filters.is_empty() || opts.filters.iter().any(|f| p.name.contains(f.as_str()))
        })
        .collect();
    if opts.list {
        for p in &programs {
            println!("{:<14} n = {:<9} {}", p.name, p.n, p.about);
        }
        return;
    }
    let engines: Vec<Box<dyn Engine>> = engines::all()
        .into_iter()
        .filter(|e| opts.only.as_deref().is_none_or(|o| o == e.name()))
        .collect();
    if engines.is_empty() {
        usage();
    }
    print_machine_info(&engines);
    println!(
        "rounds:  {} timed runs per engine and case, alternating, order flipped every round\n",
        opts.rounds
    );
    let mut failures = Vec::new();
    if opts.programs {
        run_programs(&opts, &engines, &programs, &mut failures);
    }
    // The other cases run Wasm engines only (not the native floor).
    let engines: Vec<Box<dyn Engine>> = engines
        .into_iter()
        .filter(|e| !e.c_programs_only())
        .collect();
    if opts.startup {
        run_startup(&opts, &engines, &mut failures);
    }
    if opts.calls {
        run_host_calls(&opts, &engines, &mut failures);
    }
    if opts.memory {
        run_memory(&opts, &engines, &programs, &mut failures);
    }
    println!("\nload:    {} (1, 5, 15 min) at the end", load_average());
    if !failures.is_empty() {
        eprintln!();
        for f in &failures {
            eprintln!("FAILED {f}");
        }
        std::process::exit(1);
    }
}

/// The table header: a label column, one column per engine, and one ratio
/// column Weft / peer per peer when Weft is among the engines.
fn header(label: &str, extra: &str, unit: &str, engines: &[Box<dyn Engine>]) -> String {
    let mut h = format!("{label:<14} {extra:>9}");
    for e in engines {
        h += &format!(" {:>11}", format!("{} {unit}", e.name()));
    }
    if engines[0].name() == "weft" {
        for e in &engines[1..] {
            h += &format!(" {:>12}", format!("weft/{}", e.name()));
        }
    }
    h
}

/// Per-engine medians, then Weft / peer ratios (accumulated into `logs`).
fn row(
    label: &str,
    extra: &str,
    values: &[Option<f64>],
    precision: usize,
    engines: &[Box<dyn Engine>],
    logs: &mut [Vec<f64>],
) -> String {
    let mut line = format!("{label:<14} {extra:>9}");
    for v in values {
        match v {
            Some(v) => line += &format!(" {v:>11.precision$}"),
            None => line += &format!(" {:>11}", "-"),
        }
    }
    if engines[0].name() == "weft" {
        for k in 1..engines.len() {
            match (values[0], values[k]) {
                (Some(w), Some(p)) if p > 0.0 => {
                    let ratio = w / p;
                    logs[k].push(ratio.ln());
                    line += &format!(" {ratio:>12.2}");
                }
                _ => line += &format!(" {:>12}", "-"),
            }
        }
    }
    line
}

fn print_geomeans(what: &str, engines: &[Box<dyn Engine>], logs: &[Vec<f64>]) {
    if engines[0].name() != "weft" {
        return;
    }
    for (k, e) in engines.iter().enumerate().skip(1) {
        let l = &logs[k];
        if !l.is_empty() {
            println!(
                "geometric mean of weft/{} over {} {what}: {:.2}",
                e.name(),
                l.len(),
                (l.iter().sum::<f64>() / l.len() as f64).exp()
            );
        }
    }
}

/// Runs `case(k)` for every engine `k`, alternating, the order flipping
/// every round, after one untimed warm-up round; returns each engine's
/// median in the unit `case` returns, or None for an engine that failed.
fn alternate(
    rounds: usize,
    n_engines: usize,
    warm_up: bool,
    mut case: impl FnMut(usize) -> Result<f64, String>,
    mut fail: impl FnMut(usize, String),
) -> Vec<Option<f64>> {
    let mut times = vec![Some(Vec::with_capacity(rounds)); n_engines];
    let first = if warm_up { 0 } else { 1 };
    for round in first..=rounds {
        for k in 0..n_engines {
            let k = if round % 2 == 0 { k } else { n_engines - 1 - k };
            if times[k].is_none() {
                continue;
            }
            match case(k) {
                Ok(t) if round > 0 => times[k].as_mut().into_iter().for_each(|v| v.push(t)),
                Ok(_) => {}
                Err(m) => {
                    fail(k, m);
                    times[k] = None;
                }
            }
        }
    }
    times
        .into_iter()
        .map(|t| t.map(|mut t| median(&mut t)))
        .collect()
}

fn run_programs(
    opts: &Options,
    engines: &[Box<dyn Engine>],
    programs: &[programs::Program],
    failures: &mut Vec<String>,
) {
    println!("== execution: median ms per run(n) call (ratio < 1: Weft faster)\n");
    println!("{}", header("program", "n", "ms", engines));
    let mut logs = vec![Vec::new(); engines.len()];
    // Programs beyond Wasm 2.0 have their own geometric means, so that those
    // of the 2.0 programs stay comparable across runs and peers.
    let mut logs_3_0 = vec![Vec::new(); engines.len()];
    for p in programs {
        let (n, expected) = if opts.quick {
            (p.test_n, p.test_expected)
        } else {
            (p.n, p.expected)
        };
        let wasm = p.wasm();
        let mut instances: Vec<Option<Box<dyn Instance>>> = Vec::new();
        for e in engines {
            if !p.runs_in(e.as_ref()) {
                instances.push(None);
                continue;
            }
            match e.instantiate_program(p.name, &wasm) {
                Ok(i) => instances.push(Some(i)),
                Err(m) => {
                    failures.push(format!("{}: {}: {m}", p.name, e.name()));
                    instances.push(None);
                }
            }
        }
        let mut bad = Vec::new();
        let medians = alternate(
            opts.rounds,
            engines.len(),
            true,
            |k| {
                let Some(i) = instances[k].as_mut() else {
                    return Err("failed to instantiate".into());
                };
                let start = Instant::now();
                let result = i.run(n);
                let elapsed = start.elapsed().as_secs_f64() * 1e3;
                match result {
                    Ok(sum) if sum == expected => Ok(elapsed),
                    Ok(sum) => Err(format!(
                        "returned checksum {sum} ({sum:#x}), expected {expected} ({expected:#x})"
                    )),
                    Err(m) => Err(m),
                }
            },
            |k, m| bad.push((k, m)),
        );
        for (k, m) in bad {
            if m != "failed to instantiate" {
                failures.push(format!("{}: {}: {m}", p.name, engines[k].name()));
            }
        }
        let logs = if p.needs.is_empty() {
            &mut logs
        } else {
            &mut logs_3_0
        };
        println!(
            "{}",
            row(p.name, &n.to_string(), &medians, 1, engines, logs)
        );
    }
    println!();
    print_geomeans("programs", engines, &logs);
    print_geomeans("Wasm 3.0 programs", engines, &logs_3_0);
}

/// The size of the code section of a binary module, in bytes.
fn code_section_size(wasm: &[u8]) -> Option<usize> {
    let mut pos = 8;
    while pos < wasm.len() {
        let id = *wasm.get(pos)?;
        pos += 1;
        let (mut size, mut shift) = (0usize, 0);
        loop {
            let b = *wasm.get(pos)?;
            pos += 1;
            size |= usize::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                break;
            }
        }
        if id == 10 {
            return Some(size);
        }
        pos += size;
    }
    None
}

fn run_startup(opts: &Options, engines: &[Box<dyn Engine>], failures: &mut Vec<String>) {
    let wasm = match std::fs::read(&opts.fixture) {
        Ok(w) => w,
        Err(e) => {
            println!(
                "\n== start-up: skipped, {}: {e} (build it with benches/fixtures/build.sh)",
                opts.fixture.display()
            );
            return;
        }
    };
    let code = code_section_size(&wasm).unwrap_or(0);
    println!(
        "\n== start-up: median ms to compile + instantiate {} ({} bytes, code section {} bytes),\n   \
         function imports defined as trapping host functions\n",
        opts.fixture.file_name().map_or("".into(), |f| f.to_string_lossy()),
        wasm.len(),
        code
    );
    println!("{}", header("case", "", "ms", engines));
    let mut logs = vec![Vec::new(); engines.len()];
    let medians = alternate(
        opts.rounds,
        engines.len(),
        false,
        |k| {
            let start = Instant::now();
            engines[k].compile_and_instantiate(&wasm)?;
            Ok(start.elapsed().as_secs_f64() * 1e3)
        },
        |k, m| failures.push(format!("start-up: {}: {m}", engines[k].name())),
    );
    println!(
        "{}",
        row("default mode", "", &medians, 2, engines, &mut logs)
    );
    if engines[0].name() == "weft" {
        // The interpreter's translation, eager and lazy.
        let mut config = weft::Config::new();
        config.strategy(weft::Strategy::Interpreter);
        let lazy = weft::Engine::new(&config);
        config.compilation_mode(weft::CompilationMode::Eager);
        let eager = weft::Engine::new(&config);
        let times = alternate(
            opts.rounds,
            2,
            false,
            |k| {
                let engine = if k == 0 { &eager } else { &lazy };
                let start = Instant::now();
                engines::weft_compile_and_instantiate(engine, &wasm)?;
                Ok(start.elapsed().as_secs_f64() * 1e3)
            },
            |_, m| failures.push(format!("start-up: weft eager: {m}")),
        );
        if let (Some(e), Some(l)) = (times[0], times[1]) {
            let mb = code as f64 / 1e6;
            println!(
                "\nweft eager:  {e:.2} ms compile + instantiate = {:.1} MB/s of code section\n\
                 weft lazy:   {l:.2} ms (same rounds); eager - lazy = {:.2} ms = {:.1} MB/s translation alone",
                mb / (e / 1e3),
                e - l,
                mb / ((e - l).max(1e-9) / 1e3)
            );
        }
    }
}

fn run_host_calls(opts: &Options, engines: &[Box<dyn Engine>], failures: &mut Vec<String>) {
    let n = if opts.quick { 10_000 } else { HOST_CALLS };
    println!("\n== host calls: median ns per call, {n} calls per timed run\n");
    println!("{}", header("case", "", "ns", engines));
    let mut calls = Vec::new();
    for e in engines {
        match e.host_calls() {
            Ok(c) => calls.push(Some(c)),
            Err(m) => {
                failures.push(format!("host calls: {}: {m}", e.name()));
                calls.push(None);
            }
        }
    }
    let mut logs = vec![Vec::new(); engines.len()];
    for (label, guest_to_host) in [("host->guest", false), ("guest->host", true)] {
        let medians = alternate(
            opts.rounds,
            engines.len(),
            true,
            |k| {
                let Some(c) = calls[k].as_mut() else {
                    return Err("no instance".into());
                };
                let start = Instant::now();
                let r = if guest_to_host {
                    c.guest_to_host(n)
                } else {
                    c.host_to_guest(n)
                }?;
                let ns = start.elapsed().as_secs_f64() * 1e9 / f64::from(n);
                if r != n {
                    return Err(format!("{label} returned {r}, expected {n}"));
                }
                Ok(ns)
            },
            |k, m| {
                if m != "no instance" {
                    failures.push(format!("{label}: {}: {m}", engines[k].name()))
                }
            },
        );
        println!("{}", row(label, "", &medians, 1, engines, &mut logs));
    }
}

/// Peak resident set (VmHWM) of this process, in KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// `--child ENGINE PROGRAM`: runs one program once (or, for "stl_mix",
/// compiles and instantiates the start-up fixture; for "none", nothing),
/// checks the result and prints `VmHWM <KiB>`.
fn child(opts: &Options, engine: &str, program: &str) -> ! {
    let result = (|| -> Result<(), String> {
        if engine == "none" {
            return Ok(());
        }
        let e = engines::all()
            .into_iter()
            .find(|e| e.name() == engine)
            .ok_or_else(|| format!("no engine {engine}"))?;
        if program == "stl_mix" {
            let wasm = std::fs::read(&opts.fixture).map_err(|e| e.to_string())?;
            return e.compile_and_instantiate(&wasm);
        }
        let p = programs::all()
            .into_iter()
            .find(|p| p.name == program)
            .ok_or_else(|| format!("no program {program}"))?;
        let (n, expected) = if opts.quick {
            (p.test_n, p.test_expected)
        } else {
            (p.n, p.expected)
        };
        let sum = e.instantiate_program(p.name, &p.wasm())?.run(n)?;
        if sum != expected {
            return Err(format!("checksum {sum}, expected {expected}"));
        }
        Ok(())
    })();
    match (result, peak_rss_kib()) {
        (Ok(()), Some(kib)) => {
            println!("VmHWM {kib}");
            std::process::exit(0)
        }
        (Ok(()), None) => {
            eprintln!("no VmHWM in /proc/self/status");
            std::process::exit(1)
        }
        (Err(m), _) => {
            eprintln!("{m}");
            std::process::exit(1)
        }
    }
}

/// Runs `--child ENGINE PROGRAM` and returns its peak RSS in MiB.
fn child_peak_mib(opts: &Options, engine: &str, program: &str) -> Result<f64, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut cmd = Command::new(exe);
    cmd.arg("--child").arg(engine).arg(program);
    cmd.arg("--fixture").arg(&opts.fixture);
    if opts.quick {
        cmd.arg("--quick");
    }
    let out = cmd.output().map_err(|e| e.to_string())?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "child failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM "))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .map(|kib| kib / 1024.0)
        .ok_or_else(|| format!("no VmHWM in the child's output: {stdout}"))
}

fn run_memory(
    opts: &Options,
    engines: &[Box<dyn Engine>],
    programs: &[programs::Program],
    failures: &mut Vec<String>,
) {
    println!(
        "\n== peak resident memory (VmHWM, MiB) of a child process that instantiates the\n   \
         program and calls run(n) once; ratio = Weft / peer"
    );
    match child_peak_mib(opts, "none", "none") {
        Ok(m) => println!("   (the harness process alone, no engine: {m:.1} MiB)\n"),
        Err(m) => failures.push(format!("memory: baseline: {m}")),
    }
    println!("{}", header("program", "", "MiB", engines));
    let mut names: Vec<&str> = programs.iter().map(|p| p.name).collect();
    if opts.startup && opts.fixture.exists() {
        names.push("stl_mix");
    }
    let mut logs = vec![Vec::new(); engines.len()];
    for name in names {
        let program = programs.iter().find(|p| p.name == name);
        let values: Vec<Option<f64>> = engines
            .iter()
            .map(|e| {
                if program.is_some_and(|p| !p.runs_in(e.as_ref())) {
                    return None;
                }
                match child_peak_mib(opts, e.name(), name) {
                    Ok(m) => Some(m),
                    Err(m) => {
                        failures.push(format!("memory: {name}: {}: {m}", e.name()));
                        None
                    }
                }
            })
            .collect();
        let label = if name == "stl_mix" {
            "stl_mix (c+i)"
        } else {
            name
        };
        println!("{}", row(label, "", &values, 1, engines, &mut logs));
    }
}
#[cfg(test)]
mod tests {
    use super::{engines, programs};

    /// Every program under every engine, with its small argument: the
    /// checksum must be what wasmtime computed (and the programs must stay
    /// valid and import-free).
    #[test]
    fn every_engine_computes_the_expected_checksums() {
        let mut failures = Vec::new();
        for p in programs::all() {
            let wasm = p.wasm();
            for e in engines::all() {
                // wasmi's handlers tail-call each other, which LLVM does not
                // always turn into jumps in the unoptimised test profile:
                // there each executed instruction can take a native stack
                // frame. The release test (CI's) checks wasmi too.
                if cfg!(debug_assertions) && e.name() != "weft" {
                    continue;
                }
                // wasm3 0.4.7 cannot compile sha256's `run` ("unknown
                // value_type"), see BENCHMARKS.md.
                if e.name() == "wasm3" && p.name == "sha256" || !p.runs_in(e.as_ref()) {
                    continue;
                }
                let result = e
                    .instantiate_program(p.name, &wasm)
                    .and_then(|mut i| i.run(p.test_n));
                if result != Ok(p.test_expected) {
                    failures.push(format!(
                        "{} under {}: run({}) = {result:?}, expected {}",
                        p.name,
                        e.name(),
                        p.test_n,
                        p.test_expected
                    ));
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    /// The host-call module and the start-up path (a module with a function
    /// import, stubbed) under every engine.
    #[test]
    fn host_calls_and_stubbed_instantiation_work() {
        let stubbed = engines::wat(
            r#"(module (import "wasi_snapshot_preview1" "fd_write"
                 (func (param i32 i32 i32 i32) (result i32)))
               (memory 1) (func (export "_start")))"#,
        )
        .unwrap();
        // The native floor runs the C programs only.
        for e in engines::all().into_iter().filter(|e| !e.c_programs_only()) {
            if cfg!(debug_assertions) && e.name() != "weft" {
                continue;
            }
            let mut calls = e.host_calls().unwrap();
            assert_eq!(calls.host_to_guest(1000), Ok(1000), "{}", e.name());
            assert_eq!(calls.guest_to_host(1000), Ok(1000), "{}", e.name());
            assert_eq!(e.compile_and_instantiate(&stubbed), Ok(()), "{}", e.name());
        }
    }

    #[test]
    fn code_section_size_is_found() {
        let wasm = engines::wat("(module (func (export \"f\")))").unwrap();
        assert_eq!(super::code_section_size(&wasm), Some(4));
    }
}
