//! `weft-bench`: runs CPU-bound Wasm programs under Weft and under wasmi 2.x
//! in the same process, alternating, and prints the median time of each,
//! the ratio Weft / wasmi and the geometric mean of the ratios.
//!
//! ```text
//! cargo run --release -p weft-bench -- [--rounds N] [--only ENGINE] [--quick] [--list] [FILTER...]
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
mod programs;

use engines::{Engine, Instance};
use std::time::Instant;

/// Command-line options.
struct Options {
    rounds: usize,
    only: Option<String>,
    list: bool,
    quick: bool,
    filters: Vec<String>,
}

fn usage() -> ! {
    eprintln!(
        "usage: weft-bench [--rounds N] [--only ENGINE] [--quick] [--list] [FILTER...]\n\
         \n  --rounds N     timed calls per engine and program (default 7)\
         \n  --only ENGINE  run one engine only ({})\
         \n  --quick        small arguments: check the results, not the speed\
         \n  --list         list the programs and exit\
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
        "rounds:  {} timed calls per engine and program, alternating\n",
        opts.rounds
    );

    let mut header = format!("{:<14} {:>9}", "program", "n");
    for e in &engines {
        header += &format!(" {:>11}", format!("{} ms", e.name()));
    }
    if engines.len() == 2 {
        header += &format!(
            " {:>12}",
            format!("{}/{}", engines[0].name(), engines[1].name())
        );
    }
    println!("{header}");

    let mut failures = Vec::new();
    let mut log_ratio_sum = 0.0;
    let mut ratios = 0;
    for p in &programs {
        let (n, expected) = if opts.quick {
            (p.test_n, p.test_expected)
        } else {
            (p.n, p.expected)
        };
        let wasm = p.wasm();
        let mut instances: Vec<Box<dyn Instance>> = Vec::new();
        for e in &engines {
            match e.instantiate(&wasm) {
                Ok(i) => instances.push(i),
                Err(m) => {
                    failures.push(format!("{}: {}: {m}", p.name, e.name()));
                    break;
                }
            }
        }
        if instances.len() != engines.len() {
            println!("{:<14} {n:>9}  (failed to instantiate)", p.name);
            continue;
        }
        let mut times = vec![Vec::with_capacity(opts.rounds); engines.len()];
        let mut ok = true;
        'rounds: for round in 0..=opts.rounds {
            for k in 0..engines.len() {
                // Flip the order every round so neither engine always runs
                // right after the other.
                let k = if round % 2 == 0 {
                    k
                } else {
                    engines.len() - 1 - k
                };
                let start = Instant::now();
                let result = instances[k].run(n);
                let elapsed = start.elapsed().as_secs_f64() * 1e3;
                match result {
                    Ok(sum) if sum == expected => {}
                    Ok(sum) => {
                        failures.push(format!(
                            "{}: {} returned checksum {sum} ({sum:#x}), expected {} ({:#x})",
                            p.name,
                            engines[k].name(),
                            expected,
                            expected
                        ));
                        ok = false;
                        break 'rounds;
                    }
                    Err(m) => {
                        failures.push(format!("{}: {}: {m}", p.name, engines[k].name()));
                        ok = false;
                        break 'rounds;
                    }
                }
                // Round 0 is the warm-up.
                if round > 0 {
                    times[k].push(elapsed);
                }
            }
        }
        if !ok {
            println!("{:<14} {n:>9}  (wrong result, see below)", p.name);
            continue;
        }
        let medians: Vec<f64> = times.iter_mut().map(|t| median(t)).collect();
        let mut line = format!("{:<14} {n:>9}", p.name);
        for m in &medians {
            line += &format!(" {m:>11.1}");
        }
        if medians.len() == 2 {
            let ratio = medians[0] / medians[1];
            log_ratio_sum += ratio.ln();
            ratios += 1;
            line += &format!(" {ratio:>12.2}");
        }
        println!("{line}");
    }
    if ratios > 0 {
        println!(
            "\ngeometric mean of {}/{} over {ratios} programs: {:.2}",
            engines[0].name(),
            engines[1].name(),
            (log_ratio_sum / f64::from(ratios)).exp()
        );
    }
    println!("load:    {} (1, 5, 15 min) at the end", load_average());
    if !failures.is_empty() {
        eprintln!();
        for f in &failures {
            eprintln!("FAILED {f}");
        }
        std::process::exit(1);
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
                let result = e.instantiate(&wasm).and_then(|mut i| i.run(p.test_n));
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
}
