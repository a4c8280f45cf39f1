//! `weft`: the WebAssembly toolkit's command-line front door.
//!
//! Every subcommand reads its input, reports a bad input as one line on
//! stderr with exit status 1, and never panics on input.
//!
//! Input: a FILE of `-` is standard input, and every input is read up to
//! [`MAX_INPUT`] bytes (more is refused without reading further). A module
//! is binary if it is named `.wasm` or starts with a zero byte (as `\0asm`
//! does and no text does), text otherwise. `weft FILE ARGS...` is
//! `weft run FILE ARGS...`.

mod debug;
mod objdump;
mod run;

use clap::{Args, CommandFactory, Parser, Subcommand};
use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use weft_syntax::{Features, Module};

/// The largest input read, 1 GiB: a larger file, or an endless stream such
/// as `/dev/zero`, is refused after reading this much at most.
const MAX_INPUT: u64 = 1 << 30;

#[derive(Parser)]
#[command(
    name = "weft",
    version,
    about = "Weft: a WebAssembly runtime and toolkit"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct FeatureArgs {
    /// Feature set to accept: 1.0, 2.0 or 3.0, optionally with proposals (3.0,threads)
    #[arg(long, value_name = "SET", default_value = "3.0", value_parser = parse_features)]
    features: Features,
}

#[derive(Args, Clone)]
struct TierArgs {
    /// Execution tier: interp (the interpreter), compile (Cranelift machine
    /// code, made before the module runs, for every function the compiler
    /// covers; the rest is interpreted) or auto (each function the compiler
    /// covers is compiled on its first call; the rest is interpreted)
    #[arg(long, value_name = "TIER", default_value = "auto", value_parser = parse_tier)]
    tier: weft::Strategy,
}

fn parse_tier(s: &str) -> Result<weft::Strategy, String> {
    match s {
        "interp" => Ok(weft::Strategy::Interpreter),
        "compile" => Ok(weft::Strategy::Compiler),
        "auto" => Ok(weft::Strategy::Auto),
        _ => Err(format!(
            "unknown tier `{s}` (expected interp, compile or auto)"
        )),
    }
}

fn parse_features(s: &str) -> Result<Features, String> {
    Features::from_name(s).ok_or_else(|| {
        format!(
            "unknown feature set `{s}` (expected one of: {})",
            Features::NAMES.join(", ")
        )
    })
}

#[derive(Subcommand)]
enum Command {
    /// Check that a module (.wasm or .wat) is valid
    Validate {
        /// Module to check (`-`: standard input)
        file: PathBuf,
        #[command(flatten)]
        features: FeatureArgs,
    },
    /// Translate the text format to the binary format
    Wat2wasm {
        /// Text module (.wat; `-`: standard input)
        file: PathBuf,
        /// Output file, `-` for standard output (default: input name with
        /// .wasm; standard output for standard input)
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        #[command(flatten)]
        features: FeatureArgs,
    },
    /// Print a binary module in the text format
    Wasm2wat {
        /// Binary module (.wasm; `-`: standard input)
        file: PathBuf,
        /// Output file, `-` for standard output (the default)
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        #[command(flatten)]
        features: FeatureArgs,
    },
    /// Show the contents of a binary module
    // `-h` means headers here, as in wasm-objdump; help stays on `--help`.
    #[command(disable_help_flag = true)]
    Objdump {
        /// Print help
        #[arg(long, action = clap::ArgAction::Help)]
        help: Option<bool>,
        /// Binary module (.wasm; `-`: standard input)
        file: PathBuf,
        /// Output file, `-` for standard output (the default)
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Print section headers
        #[arg(short = 'h', long = "headers")]
        headers: bool,
        /// Print the details of every section
        #[arg(short = 'x', long)]
        details: bool,
        /// Disassemble function bodies, with offsets
        #[arg(short = 'd', long)]
        disassemble: bool,
        /// Print the raw contents of every section
        #[arg(short = 's', long)]
        full_contents: bool,
        /// Only this section in -x and -s (`Code`, `Export`, a custom
        /// section's name; case-insensitive)
        #[arg(short = 'j', long = "section", value_name = "SECTION")]
        section: Option<String>,
        #[command(flatten)]
        features: FeatureArgs,
    },
    /// Run WebAssembly spec test scripts (.wast files or folders of them)
    Wast {
        /// Scripts or folders to run (`-`: a script on standard input)
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Run with fuel metering, giving each action and instantiation N fuel
        #[arg(long, value_name = "N")]
        fuel: Option<u64>,
        /// Check the front end only: decode, parse and validate every module,
        /// run the malformed/invalid assertions, skip execution
        #[arg(long)]
        front_end_only: bool,
        /// Print a line for each skipped command, with the reason
        #[arg(long)]
        show_skipped: bool,
        /// Print the counts per folder (front-end and execution commands apart)
        #[arg(long)]
        summary_by_folder: bool,
        #[command(flatten)]
        tier: TierArgs,
        #[command(flatten)]
        features: FeatureArgs,
    },
    /// Print the function and source location (from DWARF) of code offsets
    Addr2line {
        /// Binary module (.wasm; `-`: standard input)
        file: PathBuf,
        /// Offsets in the module's binary (decimal or 0x hex), as a
        /// backtrace's `FrameInfo::module_offset` gives them
        #[arg(required = true, value_parser = debug::parse_offset)]
        offsets: Vec<u64>,
        /// The offsets count from the start of the code section's contents
        /// (as DWARF addresses do), not from the start of the file
        #[arg(long)]
        code_section_relative: bool,
        #[command(flatten)]
        features: FeatureArgs,
    },
    /// Remove custom sections (debug information, names, producers...)
    Strip {
        /// Binary module (.wasm; `-`: standard input)
        file: PathBuf,
        /// Output file, `-` for standard output (the default)
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Keep the custom sections called NAME (repeatable), e.g.
        /// `--keep name` keeps function names for backtraces
        #[arg(short, long, value_name = "NAME")]
        keep: Vec<String>,
        #[command(flatten)]
        features: FeatureArgs,
    },
    /// Run a module: its start function and `_start`, or one export
    #[command(after_help = run::AFTER_HELP)]
    Run {
        /// Give the guest the host directory HOST, under the name GUEST
        /// (default: HOST); `:readonly` at the end lets the guest read but
        /// not change anything there (writes fail with EPERM); repeatable
        #[arg(long = "dir", value_name = "HOST[::GUEST][:readonly]")]
        dirs: Vec<String>,
        /// Set the guest's environment variable NAME to VALUE, or to the
        /// host's value of NAME (if set) without `=VALUE`; repeatable
        #[arg(long = "env", value_name = "NAME[=VALUE]")]
        envs: Vec<String>,
        /// Cap every linear memory at SIZE bytes, or with a unit: KiB, MiB,
        /// GiB, TiB (e.g. 64MiB); memory.grow beyond fails. A cap above a
        /// memory's address space (4 GiB for 32-bit) leaves it unlimited.
        #[arg(long, value_name = "SIZE", value_parser = parse_size)]
        max_memory: Option<u64>,
        /// Call this exported function with ARGS and print its results
        #[arg(long, value_name = "NAME")]
        invoke: Option<String>,
        /// Limit execution to N units of fuel (about one per instruction)
        #[arg(long, value_name = "N")]
        fuel: Option<u64>,
        /// Interrupt the guest after this much wall time (e.g. 5s, 500ms,
        /// 2m): it traps with "interrupt" (epoch interruption)
        #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
        timeout: Option<std::time::Duration>,
        /// Profile the guest: sample its Wasm call stack every
        /// --profile-interval (compiled code from a signal, interpreted
        /// code at its epoch checks) and write FILE.svg (a flame graph),
        /// FILE.json (for the Firefox Profiler, profiler.firefox.com) or
        /// FILE.folded (folded stacks); `guest[,FILE]` as in wasmtime
        /// (default weft-guest-profile.json); `perfmap`: no sampling, the
        /// compiled functions are named in /tmp/perf-PID.map for `perf`
        #[arg(long, value_name = "FILE", value_parser = run::parse_profile)]
        profile: Option<(PathBuf, run::ProfileFormat)>,
        /// Time between --profile's samples (e.g. 1ms, 10ms)
        #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "1ms")]
        profile_interval: std::time::Duration,
        #[command(flatten)]
        tier: TierArgs,
        #[command(flatten)]
        features: FeatureArgs,
        /// Module to run (.wasm or .wat; `-`: standard input)
        module: PathBuf,
        /// Arguments of the guest program, or of the invoked function
        /// (i32/i64: decimal or 0x hex; f32/f64: decimal, inf, nan or
        /// nan:0xPAYLOAD)
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

/// A failure to report as one line, then exit with status 1.
struct Failure(String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(e.to_string())
    }
}

/// A size in bytes: a number, optionally followed by a binary unit (`B`,
/// `KiB`, `MiB`, `GiB`, `TiB`, or `K`, `M`, `G`, `T`).
fn parse_size(s: &str) -> Result<u64, String> {
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, unit) = s.split_at(split);
    let shift = match unit.trim_start() {
        "" | "B" => 0,
        "K" | "KiB" => 10,
        "M" | "MiB" => 20,
        "G" | "GiB" => 30,
        "T" | "TiB" => 40,
        _ => {
            return Err(format!(
                "`{s}`: expected a number of bytes, e.g. 65536 or 64MiB"
            ))
        }
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(1 << shift))
        .ok_or_else(|| format!("`{s}`: expected a number of bytes below 2^64"))
}

/// A duration: a number followed by `ms`, `s`, `m` or `h` (`s` if none).
fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, unit) = s.split_at(split);
    let millis = match unit {
        "ms" => 1,
        "" | "s" => 1000,
        "m" => 60_000,
        "h" => 3_600_000,
        _ => return Err(format!("`{s}`: expected a duration, e.g. 5s, 500ms or 2m")),
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(millis))
        .map(std::time::Duration::from_millis)
        .ok_or_else(|| format!("`{s}`: expected a duration, e.g. 5s, 500ms or 2m"))
}

/// The command line with `run` put in front of a module: `weft FILE ARGS`
/// runs like `weft run FILE ARGS`, as `wasmtime FILE` does. Anything that
/// is not a subcommand, `help` or a top-level flag starts a `run`.
fn with_default_command(mut args: Vec<OsString>) -> Vec<OsString> {
    let Some(first) = args.get(1).and_then(|a| a.to_str()) else {
        if args.len() > 1 {
            args.insert(1, "run".into());
        }
        return args;
    };
    let cli = Cli::command();
    let is_command = first == "help"
        || cli
            .get_subcommands()
            .any(|c| c.get_name() == first || c.get_all_aliases().any(|a| a == first));
    let is_top_flag = matches!(first, "-h" | "--help" | "-V" | "--version");
    if !is_command && !is_top_flag {
        args.insert(1, "run".into());
    }
    args
}

fn main() -> ExitCode {
    let cli = Cli::parse_from(with_default_command(std::env::args_os().collect()));
    match run(cli.command) {
        Ok(code) => code,
        Err(Failure(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::FAILURE
        }
    }
}

/// Whether `path` names standard input or output.
fn is_stdio(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// `path` as error messages name it.
fn shown(path: &Path) -> String {
    if is_stdio(path) {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    }
}

/// An input read: the bytes, and whether it is a binary module.
struct Input {
    bytes: Vec<u8>,
    binary: bool,
}

/// Reads `path` (`-`: standard input), at most [`MAX_INPUT`] bytes. A
/// binary (by name or first byte) that does not start with the magic
/// number is not read beyond its first four bytes: they are enough for the
/// decoder's "magic header not detected" or "unexpected end", and
/// `/dev/zero` or a huge junk file end there.
fn read(path: &Path) -> Result<Input, Failure> {
    let fail = |e: std::io::Error| Failure(format!("{}: {e}", shown(path)));
    let too_large = || {
        Failure(format!(
            "{}: input larger than the limit of {MAX_INPUT} bytes (1 GiB)",
            shown(path)
        ))
    };
    let mut reader: Box<dyn Read> = if is_stdio(path) {
        Box::new(std::io::stdin().lock())
    } else {
        let file = std::fs::File::open(path).map_err(fail)?;
        if file.metadata().map_err(fail)?.len() > MAX_INPUT {
            return Err(too_large());
        }
        Box::new(file)
    };
    let mut bytes = Vec::new();
    (&mut reader)
        .take(4)
        .read_to_end(&mut bytes)
        .map_err(fail)?;
    let named_binary = path.extension().is_some_and(|e| e == "wasm");
    let binary = named_binary || bytes.first() == Some(&0);
    if binary && bytes != b"\0asm" {
        return Ok(Input { bytes, binary });
    }
    reader
        .take(MAX_INPUT + 1 - bytes.len() as u64)
        .read_to_end(&mut bytes)
        .map_err(fail)?;
    if bytes.len() as u64 > MAX_INPUT {
        return Err(too_large());
    }
    Ok(Input { bytes, binary })
}

/// A module read in either format, as binary bytes; for text, where each
/// instruction was written.
struct Loaded {
    bytes: Vec<u8>,
    spans: Option<weft_text::SourceMap>,
}

/// Reads a module in either format; text is converted to binary bytes so
/// that both formats go through one decoder and validator.
fn load_binary(path: &Path, features: Features) -> Result<Loaded, Failure> {
    let input = read(path)?;
    if input.binary {
        return Ok(Loaded {
            bytes: input.bytes,
            spans: None,
        });
    }
    let text = std::str::from_utf8(&input.bytes).map_err(|_| {
        Failure(format!(
            "{}: not a WebAssembly module (neither binary nor UTF-8 text)",
            shown(path)
        ))
    })?;
    let (module, spans) = weft_text::parse_wat_with_spans(text, features)
        .map_err(|e| Failure(format!("{}: {e}", shown(path))))?;
    Ok(Loaded {
        bytes: weft_binary::encode(&module),
        spans: Some(spans),
    })
}

/// Decodes a binary module; any bytes are decoded, so that the spec's
/// message says what is wrong ("magic header not detected", "unexpected
/// end", ...).
fn decode<'a>(path: &Path, bytes: &'a [u8], features: Features) -> Result<Module<'a>, Failure> {
    weft_binary::decode(bytes, features).map_err(|e| Failure(format!("{}: {e}", shown(path))))
}

/// Validates a decoded module, `bytes` decoded. For text input (`spans`
/// given), an error in an instruction or about a module field is reported
/// as `FILE:LINE:COLUMN: message`, as wabt does; for binary input an error
/// about a field gets the offset of the field's entry.
fn validate(
    path: &Path,
    bytes: &[u8],
    module: &Module<'_>,
    features: Features,
    spans: Option<&weft_text::SourceMap>,
) -> Result<(), Failure> {
    weft_valid::validate(module, features).map_err(|mut e| {
        let at = match spans {
            Some(s) => match (e.offset, e.field) {
                (Some(o), _) => s.locate(module, o),
                (None, Some(f)) => s.locate_field(f),
                (None, None) => None,
            },
            None => None,
        };
        if let (None, Some(f)) = (e.offset, e.field) {
            e.offset = weft_binary::field_offset(bytes, features, f);
        }
        match at {
            Some((line, col)) => Failure(format!("{}:{line}:{col}: {}", shown(path), e.message)),
            None => Failure(format!("{}: {e}", shown(path))),
        }
    })
}

/// Reports the implementation limits `weft run` would hit in a valid
/// module (a function with more than 65,536 slots of locals and operands
/// cannot be translated for the interpreter), by translating every
/// function as `run` does on first call. Constructs the engine cannot
/// execute yet are not limits: the module stays valid.
fn check_limits(path: &Path, bytes: &[u8], features: Features) -> Result<(), Failure> {
    let mut config = weft::Config::new();
    // The interpreter's limits: a function the compiler declines runs
    // there under every tier.
    config
        .features(features)
        .strategy(weft::Strategy::Interpreter)
        .compilation_mode(weft::CompilationMode::Eager);
    let engine = weft::Engine::new(&config);
    match weft::Module::from_binary(&engine, bytes) {
        Err(e) if e.kind() == weft::ErrorKind::Other => {
            Err(Failure(format!("{}: {}", shown(path), e.message())))
        }
        Ok(_) | Err(_) => Ok(()),
    }
}

/// Writes `data` to `output` (`-` or none: standard output).
fn write_output(output: Option<&Path>, data: &[u8]) -> Result<(), Failure> {
    use std::io::Write;
    match output {
        Some(p) if !is_stdio(p) => {
            std::fs::write(p, data).map_err(|e| Failure(format!("{}: {e}", p.display())))
        }
        _ => {
            let mut out = std::io::stdout().lock();
            out.write_all(data)?;
            out.flush()?;
            Ok(())
        }
    }
}

fn run(command: Command) -> Result<ExitCode, Failure> {
    match command {
        Command::Validate { file, features } => {
            let f = features.features;
            let Loaded { bytes, spans } = load_binary(&file, f)?;
            let module = decode(&file, &bytes, f)?;
            validate(&file, &bytes, &module, f, spans.as_ref())?;
            check_limits(&file, &bytes, f)?;
        }
        Command::Wat2wasm {
            file,
            output,
            features,
        } => {
            let f = features.features;
            let Loaded { bytes, spans } = load_binary(&file, f)?;
            let module = decode(&file, &bytes, f)?;
            validate(&file, &bytes, &module, f, spans.as_ref())?;
            let out = match output {
                Some(out) => out,
                None if is_stdio(&file) => PathBuf::from("-"),
                None => file.with_extension("wasm"),
            };
            write_output(Some(&out), &bytes)?;
        }
        Command::Wasm2wat {
            file,
            output,
            features,
        } => {
            let f = features.features;
            let bytes = read(&file)?.bytes;
            let module = decode(&file, &bytes, f)?;
            // Bodies are read with the module's features (legacy exception
            // handling is not part of the printer's default, 3.0).
            let opts = weft_text::PrintOptions {
                features: f.union(weft_text::PrintOptions::default().features),
                ..Default::default()
            };
            let text = weft_text::print_with(&module, &opts);
            write_output(output.as_deref(), text.as_bytes())?;
        }
        Command::Objdump {
            help: _,
            file,
            output,
            headers,
            details,
            disassemble,
            full_contents,
            section,
            features,
        } => {
            let f = features.features;
            let bytes = read(&file)?.bytes;
            let module = decode(&file, &bytes, f)?;
            let opts = objdump::Options {
                headers: headers || !(details || disassemble || full_contents),
                details,
                disassemble,
                full_contents,
                section,
            };
            let dump = objdump::dump(&file, &bytes, &module, f, &opts)?;
            write_output(output.as_deref(), dump.text.as_bytes())?;
            if let Some(e) = dump.error {
                return Err(Failure(e));
            }
        }
        Command::Addr2line {
            file,
            offsets,
            code_section_relative,
            features,
        } => {
            let f = features.features;
            let bytes = read(&file)?.bytes;
            let mut config = weft::Config::new();
            config.features(f).strategy(weft::Strategy::Interpreter);
            let engine = weft::Engine::new(&config);
            let module = weft::Module::from_binary(&engine, &bytes)
                .map_err(|e| Failure(format!("{}: {e}", shown(&file))))?;
            let (text, all) = debug::addr2line(&bytes, &module, &offsets, code_section_relative);
            write_output(None, text.as_bytes())?;
            if !all {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Strip {
            file,
            output,
            keep,
            features,
        } => {
            let f = features.features;
            let bytes = read(&file)?.bytes;
            decode(&file, &bytes, f)?;
            let (stripped, _) = debug::strip(&bytes, &keep)
                .ok_or_else(|| Failure(format!("{}: malformed section headers", shown(&file))))?;
            write_output(output.as_deref(), &stripped)?;
        }
        Command::Wast {
            paths,
            fuel,
            front_end_only,
            show_skipped,
            summary_by_folder,
            tier,
            features,
        } => {
            use std::io::Write;
            let options = weft_wast::RunOptions {
                fuel,
                execute: !front_end_only,
                show_skipped,
                strategy: tier.tier,
                ..weft_wast::RunOptions::new(features.features)
            };
            let mut out = std::io::stdout().lock();
            let (stdin, files): (Vec<PathBuf>, Vec<PathBuf>) =
                paths.into_iter().partition(|p| is_stdio(p));
            let mut folders = if files.is_empty() {
                Vec::new()
            } else {
                weft_wast::run_paths_by_folder(&files, &options, &mut out)?
            };
            if let Some(path) = stdin.first() {
                let bytes = read(path)?.bytes;
                let src = std::str::from_utf8(&bytes)
                    .map_err(|e| Failure(format!("{}: not UTF-8 text: {e}", shown(path))))?;
                let s = weft_wast::run_script_with(&shown(path), src, &options, &mut out)?;
                folders.push((path.clone(), s));
            }
            let mut summary = weft_wast::Summary::default();
            for (_, s) in &folders {
                summary.add(*s);
            }
            if summary_by_folder {
                let rows: Vec<(String, weft_wast::Summary)> = folders
                    .iter()
                    .map(|(f, s)| (f.display().to_string(), *s))
                    .collect();
                write!(out, "{}", weft_wast::summary_table(&rows))?;
            }
            writeln!(out, "{summary}")?;
            out.flush()?;
            if summary.failed() > 0 {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Run {
            dirs,
            envs,
            max_memory,
            invoke,
            fuel,
            timeout,
            profile,
            profile_interval,
            tier,
            features,
            module,
            args,
        } => {
            if profile_interval.is_zero() {
                return Err(Failure("--profile-interval must be at least 1ms".into()));
            }
            let f = features.features;
            let Loaded { bytes, spans } = load_binary(&module, f)?;
            if let Some(spans) = &spans {
                // Text: validated here first, so that an error points at
                // its line and column (binary input is validated once, by
                // the engine).
                let decoded = decode(&module, &bytes, f)?;
                validate(&module, &bytes, &decoded, f, Some(spans))?;
            }
            let options = run::Options {
                invoke,
                fuel,
                strategy: tier.tier,
                features: f,
                dirs,
                envs,
                max_memory,
                timeout,
                profile: profile.map(|(path, format)| run::Profile {
                    path,
                    format,
                    interval: profile_interval,
                }),
            };
            return run::run(&module, &bytes, &options, &args);
        }
    }
    Ok(ExitCode::SUCCESS)
}
