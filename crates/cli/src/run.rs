//! `weft run`: instantiate a module with WASI preview1 and run it, or call
//! one export.
//!
//! The guest gets the arguments after MODULE (`argv[0]` is MODULE as
//! given), the variables of `--env`, the directories of `--dir` and the
//! process's own stdin, stdout and stderr.
//!
//! Exit status: the guest's `proc_exit` status (its low 8 bits, as a Unix
//! process reports it), 0 when `_start` returns; 1 for a missing file, a
//! module that does not decode, validate or link, a `--dir` that cannot be
//! opened, or bad arguments; [`TRAP_EXIT`] (134, what a process killed by
//! SIGABRT reports, as other runtimes use for traps) when execution traps,
//! including running out of fuel, or ends in an uncaught Wasm exception. A
//! trap or an uncaught exception (`uncaught exception: tag NAME`) prints
//! `error: <message>` and the Wasm backtrace to stderr.

use crate::Failure;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use weft::{
    Config, Engine, Error, Func, GuestProfiler, Linker, Module, Store, StoreLimits,
    StoreLimitsBuilder, UpdateDeadline, Val, ValType,
};
use weft_syntax::Features;
use weft_wasi::{DirPerms, FilePerms, WasiCtx, WasiCtxBuilder};

/// The exit status after a trap.
pub const TRAP_EXIT: u8 = 134;

/// Appended to `weft run --help`.
pub const AFTER_HELP: &str = "\
The module runs with WASI preview1 (wasi_snapshot_preview1): it sees ARGS \
(argv[0] is MODULE as given), the --env variables, the --dir directories and \
nothing else of the file system, and the process's stdin, stdout and stderr.

Without --invoke, the module is instantiated (running its start function) and \
its `_start` export, if any, is called. With --invoke NAME, the export NAME is \
called with ARGS converted to its parameter types, and each result is printed \
on its own line (floats in a form that parses back to the same bits).

Exit status: the guest's proc_exit status (0 when _start returns), 1 for a bad \
input (missing file, module that does not decode, validate or link, wrong \
arguments), 134 when execution traps or ends in an uncaught exception (the \
message and a backtrace go to stderr).";

/// What to run.
pub struct Options {
    /// The export to call, instead of `_start`.
    pub invoke: Option<String>,
    /// Fuel budget; unlimited without.
    pub fuel: Option<u64>,
    /// Execution tier.
    pub strategy: weft::Strategy,
    /// Feature set.
    pub features: Features,
    /// Preopened directories: `HOST[::GUEST][:readonly]` (GUEST defaults to HOST).
    pub dirs: Vec<String>,
    /// Environment variables: `NAME=VALUE`.
    pub envs: Vec<String>,
    /// Largest size of any linear memory, in bytes.
    pub max_memory: Option<u64>,
    /// Wall time after which the guest is interrupted.
    pub timeout: Option<std::time::Duration>,
    /// Where to write a profile of the guest, if anywhere.
    pub profile: Option<Profile>,
}

/// `--profile`: a sampling profile of the guest's Wasm functions.
pub struct Profile {
    pub path: PathBuf,
    pub format: ProfileFormat,
    /// Time between samples.
    pub interval: Duration,
}

/// What `--profile` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProfileFormat {
    /// The Firefox Profiler's processed profile (JSON).
    Firefox,
    /// A flame graph (SVG).
    FlameGraph,
    /// Folded stacks (text), for other flame graph tools.
    Folded,
    /// No sampling: compiled functions are named in `/tmp/perf-PID.map`
    /// for Linux `perf` (`Config::perf_map`).
    PerfMap,
}

/// Where `weft run --profile=guest` writes, as `wasmtime run
/// --profile=guest` writes `wasmtime-guest-profile.json`.
const DEFAULT_PROFILE: &str = "weft-guest-profile.json";

/// Parses `--profile`'s value: `FILE.svg` (flame graph), `FILE.json`
/// (Firefox Profiler), `FILE.folded` (folded stacks), or wasmtime's
/// spellings `guest[,FILE]` and `perfmap`.
pub fn parse_profile(s: &str) -> Result<(PathBuf, ProfileFormat), String> {
    if s == "perfmap" {
        let map = format!("/tmp/perf-{}.map", std::process::id());
        return Ok((PathBuf::from(map), ProfileFormat::PerfMap));
    }
    let path = match s.strip_prefix("guest") {
        Some("") => DEFAULT_PROFILE,
        Some(rest) if rest.starts_with(',') => &rest[1..],
        _ => s,
    };
    let format = match Path::new(path).extension().and_then(|e| e.to_str()) {
        Some("svg") => ProfileFormat::FlameGraph,
        Some("json") => ProfileFormat::Firefox,
        Some("folded") => ProfileFormat::Folded,
        _ => {
            return Err(format!(
                "`{s}`: the profile's file name must end in .svg (flame graph), \
                 .json (Firefox Profiler) or .folded (folded stacks), or be perfmap"
            ))
        }
    };
    Ok((PathBuf::from(path), format))
}

/// The store's data: the guest's WASI state.
struct Host {
    wasi: WasiCtx,
    /// `--max-memory`, enforced on every memory of the store.
    limits: StoreLimits,
    /// `--profile`'s samples (taken out while it samples the store).
    profiler: Option<GuestProfiler>,
}

/// How a run ended.
enum Outcome {
    /// Returned normally.
    Done,
    /// The guest called `proc_exit`.
    Exit(i32),
}

/// Splits off a guest `proc_exit` from the other errors.
fn outcome(r: Result<(), Error>) -> Result<Outcome, Error> {
    match r {
        Ok(()) => Ok(Outcome::Done),
        Err(e) => match weft_wasi::exit_status(&e) {
            Some(code) => Ok(Outcome::Exit(code)),
            None => Err(e),
        },
    }
}

/// Reports a runtime error: a trap with exit status [`TRAP_EXIT`], anything
/// else as a one-line failure.
fn report(path: &Path, e: Error) -> Result<ExitCode, Failure> {
    if let Some(trap) = e.as_trap() {
        eprintln!("error: {}", trap.message());
        let frames = trap.backtrace();
        if !frames.is_empty() {
            eprintln!("wasm backtrace:");
        }
        for (i, frame) in frames.iter().enumerate() {
            eprintln!("  {i}: {frame}");
        }
        // Runaway recursion leaves up to the call depth limit of frames:
        // the trap keeps the innermost ones and counts the others.
        if trap.frames_elided() > 0 {
            eprintln!("  ... {} more frames", trap.frames_elided());
        }
        Ok(ExitCode::from(TRAP_EXIT))
    } else if e.kind() == weft::ErrorKind::Exception {
        // An uncaught Wasm exception ends the run like a trap.
        eprintln!("error: {}", e.message());
        let frames = e.backtrace();
        if !frames.is_empty() {
            eprintln!("wasm backtrace:");
        }
        for (i, frame) in frames.iter().enumerate() {
            eprintln!("  {i}: {frame}");
        }
        Ok(ExitCode::from(TRAP_EXIT))
    } else {
        Err(Failure(format!("{}: {}", path.display(), e.message())))
    }
}

/// The process exit status for a guest's `proc_exit(code)`: its low 8
/// bits, as a Unix process reports `exit(code)`.
fn exit_code(code: i32) -> ExitCode {
    ExitCode::from((code & 0xff) as u8)
}

/// Parses `HOST[::GUEST][:readonly]`.
fn split_dir(spec: &str) -> (&str, &str, bool) {
    let (spec, readonly) = match spec.strip_suffix(":readonly") {
        Some(rest) => (rest, true),
        None => (spec, false),
    };
    match spec.split_once("::") {
        Some((host, guest)) => (host, guest, readonly),
        None => (spec, spec, readonly),
    }
}

/// Runs the module given as binary bytes.
pub fn run(
    path: &Path,
    bytes: &[u8],
    options: &Options,
    args: &[String],
) -> Result<ExitCode, Failure> {
    let mut config = Config::new();
    config.features(options.features);
    config.consume_fuel(options.fuel.is_some());
    // `perfmap` only names compiled code; the other formats sample.
    let sampled = options
        .profile
        .as_ref()
        .filter(|p| p.format != ProfileFormat::PerfMap);
    config.epoch_interruption(options.timeout.is_some() || sampled.is_some());
    // Compiled code is sampled from a signal, without epoch checks, unless
    // `--timeout` needs the checks to stop it.
    let signals = sampled.is_some() && options.timeout.is_none();
    config.sampling_signal(signals);
    config.perf_map(options.profile.is_some() && sampled.is_none());
    config.strategy(options.strategy);
    let engine = Engine::new(&config);
    let module = Module::from_binary(&engine, bytes)
        .map_err(|e| Failure(format!("{}: {}", path.display(), e.message())))?;

    let mut builder = WasiCtxBuilder::new();
    builder.arg(path.to_string_lossy());
    if options.invoke.is_none() {
        builder.args(args);
    }
    for var in &options.envs {
        match var.split_once('=') {
            Some((name, value)) => {
                builder.env(name, value);
            }
            // `--env NAME` passes the host's NAME on, if it is set.
            None => {
                if let Some(value) = std::env::var_os(var) {
                    let value = value.into_string().map_err(|_| {
                        Failure(format!("--env `{var}`: the host's value is not UTF-8"))
                    })?;
                    builder.env(var, value);
                }
            }
        }
    }
    for dir in &options.dirs {
        let (host, guest, readonly) = split_dir(dir);
        if readonly {
            builder.preopened_dir_with_perms(host, guest, DirPerms::READ, FilePerms::READ);
        } else {
            builder.preopened_dir(host, guest);
        }
    }
    builder.inherit_stdio();
    let wasi = builder.build().map_err(|e| Failure(e.to_string()))?;

    let mut limits = StoreLimitsBuilder::new();
    if let Some(max) = options.max_memory {
        // Beyond the host's address space is no cap at all.
        limits = limits.memory_size(usize::try_from(max).unwrap_or(usize::MAX));
    }
    let limits = limits.build();
    let profiler = sampled.map(|p| {
        let name = path.file_name().unwrap_or(path.as_os_str());
        GuestProfiler::new(&name.to_string_lossy(), p.interval)
    });
    let mut store = Store::new(
        &engine,
        Host {
            wasi,
            limits,
            profiler,
        },
    );
    store.limiter(|h: &mut Host| &mut h.limits);
    if let Some(profile) = sampled {
        let ticker = profile_ticker(
            &engine,
            &mut store,
            profile.interval,
            options.timeout,
            signals,
        );
        let r = instantiate_and_run(path, &engine, &mut store, &module, options, args);
        ticker.stop();
        let profiler = store.data_mut().profiler.take();
        if let Some(p) = profiler {
            write_profile(p, profile)?;
        }
        return r;
    }
    if let Some(timeout) = options.timeout {
        // One tick of the epoch, from a timer thread, interrupts the guest
        // at its next check (function entry or loop iteration).
        store.set_epoch_deadline(1);
        let ticker = engine.clone();
        std::thread::spawn(move || {
            std::thread::sleep(timeout);
            ticker.increment_epoch();
        });
    }
    instantiate_and_run(path, &engine, &mut store, &module, options, args)
}

/// The thread that advances the epoch every `interval` for `--profile`.
struct Ticker {
    done: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<()>,
}

impl Ticker {
    fn stop(self) {
        self.done.store(true, Ordering::Relaxed);
        // It ends within one interval.
        let _ = self.thread.join();
    }
}

/// Samples the guest into the store's profiler each time a timer thread
/// advances the epoch (every `interval`); with a `timeout`, the first
/// sample after it interrupts the guest instead. With `signals`
/// (`Config::sampling_signal`), the thread also signals this one, whose
/// compiled code is sampled in the signal handler.
fn profile_ticker(
    engine: &Engine,
    store: &mut Store<Host>,
    interval: Duration,
    timeout: Option<Duration>,
    signals: bool,
) -> Ticker {
    let end = timeout.map(|t| Instant::now() + t);
    store.set_epoch_deadline(1);
    store.epoch_deadline_callback(move |store| {
        if end.is_some_and(|end| Instant::now() >= end) {
            return Ok(UpdateDeadline::Interrupt);
        }
        if let Some(mut p) = store.data_mut().profiler.take() {
            p.sample(&*store);
            store.data_mut().profiler = Some(p);
        }
        Ok(UpdateDeadline::Continue(1))
    });
    let handle = signals.then(|| {
        store.signal_sampler(|host, stack| {
            if let Some(p) = host.profiler.as_mut() {
                p.sample_stack(stack);
            }
            1
        });
        store.sampling_handle()
    });
    let done = Arc::new(AtomicBool::new(false));
    let (engine, stop) = (engine.clone(), done.clone());
    let thread = std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            std::thread::sleep(interval);
            engine.increment_epoch();
            if let Some(h) = &handle {
                h.signal();
            }
        }
    });
    Ticker { done, thread }
}

/// Writes the profile where `--profile` said, in its format.
fn write_profile(p: GuestProfiler, profile: &Profile) -> Result<(), Failure> {
    let failed = |e: std::io::Error| Failure(format!("{}: {e}", profile.path.display()));
    let file = std::fs::File::create(&profile.path).map_err(failed)?;
    match profile.format {
        ProfileFormat::Firefox => p.finish(file),
        ProfileFormat::FlameGraph => p.write_flamegraph(file),
        ProfileFormat::Folded => p.write_folded(std::io::BufWriter::new(file)),
        ProfileFormat::PerfMap => Ok(()),
    }
    .map_err(failed)
}

/// Instantiates the module (running its start function) and runs
/// `_start` or the export of `--invoke`.
fn instantiate_and_run(
    path: &Path,
    engine: &Engine,
    store: &mut Store<Host>,
    module: &Module,
    options: &Options,
    args: &[String],
) -> Result<ExitCode, Failure> {
    if let Some(fuel) = options.fuel {
        store.set_fuel(fuel)?;
    }
    let mut linker = Linker::<Host>::new(engine);
    weft_wasi::add_to_linker(&mut linker, |h: &mut Host| &mut h.wasi)?;
    let instance = match linker.instantiate(&mut *store, module) {
        Ok(i) => i,
        // A start function may call `proc_exit` too.
        Err(e) => {
            return match weft_wasi::exit_status(&e) {
                Some(code) => Ok(exit_code(code)),
                None if e.message().starts_with("resource limit exceeded") => {
                    Err(Failure(format!(
                        "{}: {} (--max-memory {})",
                        path.display(),
                        e.message(),
                        options.max_memory.unwrap_or(0)
                    )))
                }
                None => report(path, e),
            }
        }
    };
    let (name, func) = match &options.invoke {
        Some(name) => {
            let func = instance.get_func(&mut *store, name).ok_or_else(|| {
                Failure(format!(
                    "{}: no exported function named `{name}`",
                    path.display()
                ))
            })?;
            (name.as_str(), func)
        }
        None => match instance.get_func(&mut *store, "_start") {
            Some(f) => {
                return match outcome(f.call(&mut *store, &[], &mut [])) {
                    Ok(Outcome::Done) => Ok(ExitCode::SUCCESS),
                    Ok(Outcome::Exit(code)) => Ok(exit_code(code)),
                    Err(e) => report(path, e),
                };
            }
            None => return Ok(ExitCode::SUCCESS),
        },
    };
    call(path, store, name, func, args)
}

/// Calls `func` with `args` parsed to its parameter types and prints the
/// results, one a line.
fn call(
    path: &Path,
    store: &mut Store<Host>,
    name: &str,
    func: Func,
    args: &[String],
) -> Result<ExitCode, Failure> {
    let ty = func.ty(&*store);
    if ty.params.len() != args.len() {
        return Err(Failure(format!(
            "`{name}` has type {ty} and takes {} argument(s), {} given",
            ty.params.len(),
            args.len()
        )));
    }
    let params = ty
        .params
        .iter()
        .zip(args)
        .enumerate()
        .map(|(i, (&t, a))| {
            parse_arg(t, a).ok_or_else(|| {
                Failure(format!(
                    "argument {} of `{name}`: `{a}` is not a valid {t}",
                    i + 1
                ))
            })
        })
        .collect::<Result<Vec<Val>, Failure>>()?;
    let mut results: Vec<Val> = ty.results.iter().map(|&t| Val::default_for(t)).collect();
    match outcome(func.call(&mut *store, &params, &mut results)) {
        Ok(Outcome::Done) => {}
        Ok(Outcome::Exit(code)) => return Ok(exit_code(code)),
        Err(e) => return report(path, e),
    }
    for r in &results {
        match r {
            Val::AnyRef(Some(a)) => println!("{}", show_any(&*store, a)),
            _ => println!("{}", show(r)),
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// An unsigned integer in decimal or `0x` hex, with an optional sign;
/// returns (negative, magnitude).
fn parse_magnitude(s: &str) -> Option<(bool, u128)> {
    let (neg, digits) = match s.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let digits = digits.replace('_', "");
    let (radix, body) = match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(hex) => (16, hex),
        None => (10, digits.as_str()),
    };
    // Digits only: `from_str_radix` would accept a sign of its own.
    if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let m = u128::from_str_radix(body, radix).ok()?;
    Some((neg, m))
}

/// An integer of `bits` bits, signed or unsigned range, as its bit pattern.
fn parse_int(s: &str, bits: u32) -> Option<u64> {
    let (neg, m) = parse_magnitude(s)?;
    let unsigned_max = (1u128 << bits) - 1;
    let signed_min = 1u128 << (bits - 1);
    if neg {
        if m > signed_min {
            return None;
        }
        Some((m as u64).wrapping_neg() & unsigned_max as u64)
    } else {
        if m > unsigned_max {
            return None;
        }
        Some(m as u64)
    }
}

/// A float: decimal (Rust's correctly rounded parser), `inf`, `nan`, or
/// `nan:0xPAYLOAD`, each with an optional sign. Returns the bits of an f64
/// or f32 per `f32`.
fn parse_float(s: &str, f32_: bool) -> Option<u64> {
    let (neg, rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let (sign, exp, mant_bits) = if f32_ {
        (1u64 << 31, 0x7f80_0000u64, 23u32)
    } else {
        (1u64 << 63, 0x7ff0_0000_0000_0000u64, 52u32)
    };
    let neg_bit = if neg { sign } else { 0 };
    let lower = rest.to_ascii_lowercase();
    if lower == "nan" {
        return Some(neg_bit | exp | (1 << (mant_bits - 1)));
    }
    if let Some(payload) = lower.strip_prefix("nan:0x") {
        let p = u64::from_str_radix(&payload.replace('_', ""), 16).ok()?;
        if p == 0 || p >= 1 << mant_bits {
            return None;
        }
        return Some(neg_bit | exp | p);
    }
    if lower == "inf" || lower == "infinity" {
        return Some(neg_bit | exp);
    }
    // Only plain decimal numbers below (Rust would also take "NaN", "inf").
    if !rest.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return None;
    }
    // A finite literal too large for the type is out of range, as in the
    // text format, not infinity.
    let rest = rest.replace('_', "");
    if f32_ {
        let v: f32 = rest.parse().ok()?;
        v.is_finite().then(|| u64::from(v.to_bits()) | neg_bit)
    } else {
        let v: f64 = rest.parse().ok()?;
        v.is_finite().then(|| v.to_bits() | neg_bit)
    }
}

/// A command-line argument as a value of type `t`.
fn parse_arg(t: ValType, s: &str) -> Option<Val> {
    Some(match t {
        ValType::I32 => Val::I32(parse_int(s, 32)? as u32 as i32),
        ValType::I64 => Val::I64(parse_int(s, 64)? as i64),
        ValType::F32 => Val::F32(parse_float(s, true)? as u32),
        ValType::F64 => Val::F64(parse_float(s, false)?),
        ValType::V128 => {
            let (neg, m) = parse_magnitude(s)?;
            if neg {
                return None;
            }
            Val::V128(m)
        }
        ValType::Ref(r) => {
            if s != "null" {
                return None;
            }
            Val::null(r)
        }
    })
}

/// A non-null `anyref` result as printed: `i31 V`, `struct {F, ...}` with
/// its fields (nested references by kind), `array [E, ...]` with up to 16
/// elements and then its length, or `anyref` for a host reference.
fn show_any<T>(store: &Store<T>, a: &weft::AnyRef) -> String {
    use weft::AnyKind;
    let fields = |get: &dyn Fn(u32) -> weft::Result<Val>, n: u32| {
        let mut parts: Vec<String> = (0..n.min(16))
            .map_while(|i| get(i).ok())
            .map(|v| show(&v))
            .collect();
        if n > 16 {
            parts.push(format!("... ({n} in all)"));
        }
        parts.join(", ")
    };
    match a.kind(store) {
        AnyKind::I31(v) => format!("i31 {v}"),
        AnyKind::Array(n) => format!("array [{}]", fields(&|i| a.get(store, i), n)),
        AnyKind::Struct => {
            // Fields up to the first index that does not exist.
            let n = (0..).take_while(|&i| a.get(store, i).is_ok()).count() as u32;
            format!("struct {{{}}}", fields(&|i| a.get(store, i), n))
        }
        AnyKind::Host(_) => "anyref".to_string(),
    }
}

/// A result as printed: integers in signed decimal, floats in the text
/// format's spelling that parses back to the same bits (`1.5`, `-0.0`,
/// `inf`, `nan`, `nan:0x1`), `v128` as 32 hex digits, references as
/// `null` or their kind.
fn show(v: &Val) -> String {
    let mut s = String::new();
    match v {
        Val::I32(x) => s = x.to_string(),
        Val::I64(x) => s = x.to_string(),
        Val::F32(x) => weft_text::write_f32(&mut s, *x),
        Val::F64(x) => weft_text::write_f64(&mut s, *x),
        Val::V128(x) => s = format!("0x{x:032x}"),
        Val::FuncRef(None) | Val::ExternRef(None) | Val::AnyRef(None) | Val::ExnRef(None) => {
            s.push_str("null")
        }
        Val::ExnRef(Some(_)) => s.push_str("exnref"),
        Val::FuncRef(Some(_)) => s.push_str("funcref"),
        Val::ExternRef(Some(_)) => s.push_str("externref"),
        Val::AnyRef(Some(_)) => s.push_str("anyref"),
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints() {
        assert_eq!(parse_int("-1", 32), Some(0xffff_ffff));
        assert_eq!(parse_int("4294967295", 32), Some(0xffff_ffff));
        assert_eq!(parse_int("4294967296", 32), None);
        assert_eq!(parse_int("-2147483648", 32), Some(0x8000_0000));
        assert_eq!(parse_int("-2147483649", 32), None);
        assert_eq!(parse_int("0x10", 32), Some(16));
        assert_eq!(parse_int("-0x10", 64), Some(16u64.wrapping_neg()));
        assert_eq!(parse_int("0x-1", 32), None);
        assert_eq!(parse_int("--1", 32), None);
        assert_eq!(parse_int("18446744073709551615", 64), Some(u64::MAX));
        assert_eq!(parse_int("", 32), None);
    }

    #[test]
    fn floats_round_trip() {
        for bits in [
            0u64,
            1 << 63,
            1.5f64.to_bits(),
            0.1f64.to_bits(),
            1e300f64.to_bits(),
            f64::MIN_POSITIVE.to_bits(),
            1,
            f64::INFINITY.to_bits(),
            f64::NEG_INFINITY.to_bits(),
            0x7ff8_0000_0000_0000,
            0xfff8_0000_0000_0001,
        ] {
            let text = show(&Val::F64(bits));
            assert_eq!(parse_float(&text, false), Some(bits), "{text}");
        }
        for bits in [
            0u32,
            1 << 31,
            0.1f32.to_bits(),
            1,
            0x7fc0_0000,
            0x7fa0_0000,
            0xff80_0000,
        ] {
            let text = show(&Val::F32(bits));
            assert_eq!(parse_float(&text, true), Some(u64::from(bits)), "{text}");
        }
        assert_eq!(parse_float("NaN", false), Some(0x7ff8_0000_0000_0000));
        assert_eq!(parse_float("x", false), None);
        assert_eq!(parse_float("1e40", true), None);
        assert_eq!(parse_float("-1e-320", false), Some(0x8000_0000_0000_07e8));
        assert_eq!(parse_float("nan:0x0", true), None);
    }
}
