//! `weft`: the WebAssembly toolkit's command-line front door.
//!
//! Every subcommand reads its input, reports a bad input as one line on
//! stderr with exit status 1, and never panics on input.

mod objdump;
mod run;

use clap::{Args, Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use weft_syntax::{Features, Module};

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
    #[arg(long, value_name = "SET", default_value = "2.0", value_parser = parse_features)]
    features: Features,
}

#[derive(Args, Clone)]
struct TierArgs {
    /// Execution tier: interp (the interpreter) or compile (Cranelift machine
    /// code, made before the module runs, for every function the compiler
    /// covers; the rest is interpreted)
    #[arg(long, value_name = "TIER", default_value = "interp", value_parser = parse_tier)]
    tier: weft::Strategy,
}

fn parse_tier(s: &str) -> Result<weft::Strategy, String> {
    match s {
        "interp" => Ok(weft::Strategy::Interpreter),
        "compile" => Ok(weft::Strategy::Compiler),
        _ => Err(format!("unknown tier `{s}` (expected interp or compile)")),
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
        /// Module to check
        file: PathBuf,
        #[command(flatten)]
        features: FeatureArgs,
    },
    /// Translate the text format to the binary format
    Wat2wasm {
        /// Text module (.wat)
        file: PathBuf,
        /// Output file (default: input name with .wasm)
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        #[command(flatten)]
        features: FeatureArgs,
    },
    /// Print a binary module in the text format
    Wasm2wat {
        /// Binary module (.wasm)
        file: PathBuf,
        /// Output file (default: stdout)
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
        /// Binary module (.wasm)
        file: PathBuf,
        /// Print section headers
        #[arg(short = 'h', long = "headers")]
        headers: bool,
        /// Print the details of every section
        #[arg(short = 'x', long)]
        details: bool,
        /// Disassemble function bodies, with offsets
        #[arg(short = 'd', long)]
        disassemble: bool,
        #[command(flatten)]
        features: FeatureArgs,
    },
    /// Run WebAssembly spec test scripts (.wast files or folders of them)
    Wast {
        /// Scripts or folders to run
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
    /// Run a module: its start function and `_start`, or one export
    #[command(after_help = run::AFTER_HELP)]
    Run {
        /// Give the guest the host directory HOST, under the name GUEST
        /// (default: HOST); repeatable
        #[arg(long = "dir", value_name = "HOST[::GUEST]")]
        dirs: Vec<String>,
        /// Set the guest's environment variable NAME; repeatable
        #[arg(long = "env", value_name = "NAME=VALUE")]
        envs: Vec<String>,
        /// Cap every linear memory at BYTES (memory.grow beyond fails)
        #[arg(long, value_name = "BYTES")]
        max_memory: Option<u64>,
        /// Call this exported function with ARGS and print its results
        #[arg(long, value_name = "NAME")]
        invoke: Option<String>,
        /// Limit execution to N units of fuel (about one per instruction)
        #[arg(long, value_name = "N")]
        fuel: Option<u64>,
        #[command(flatten)]
        tier: TierArgs,
        #[command(flatten)]
        features: FeatureArgs,
        /// Module to run (.wasm or .wat)
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(Failure(msg)) => {
            eprintln!("error: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn read(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure(format!("{}: {e}", path.display())))
}

fn is_binary(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\0asm")
}

/// Reads a module in either format; text is converted to binary bytes so
/// that both formats go through one decoder and validator.
fn load_binary(path: &Path, features: Features) -> Result<Vec<u8>, Failure> {
    let bytes = read(path)?;
    if is_binary(&bytes) {
        return Ok(bytes);
    }
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        Failure(format!(
            "{}: not a WebAssembly module (neither binary nor UTF-8 text)",
            path.display()
        ))
    })?;
    let module = weft_text::parse_wat(text, features)
        .map_err(|e| Failure(format!("{}: {e}", path.display())))?;
    Ok(weft_binary::encode(&module))
}

fn decode<'a>(path: &Path, bytes: &'a [u8], features: Features) -> Result<Module<'a>, Failure> {
    if !is_binary(bytes) {
        return Err(Failure(format!(
            "{}: not a WebAssembly binary (magic header not detected)",
            path.display()
        )));
    }
    weft_binary::decode(bytes, features).map_err(|e| Failure(format!("{}: {e}", path.display())))
}

fn validate(path: &Path, module: &Module<'_>, features: Features) -> Result<(), Failure> {
    weft_valid::validate(module, features).map_err(|e| Failure(format!("{}: {e}", path.display())))
}

fn write_output(output: Option<&Path>, data: &[u8]) -> Result<(), Failure> {
    use std::io::Write;
    match output {
        Some(p) => std::fs::write(p, data).map_err(|e| Failure(format!("{}: {e}", p.display()))),
        None => {
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
            let bytes = load_binary(&file, f)?;
            let module = decode(&file, &bytes, f)?;
            validate(&file, &module, f)?;
        }
        Command::Wat2wasm {
            file,
            output,
            features,
        } => {
            let f = features.features;
            let bytes = load_binary(&file, f)?;
            let module = decode(&file, &bytes, f)?;
            validate(&file, &module, f)?;
            let out = output.unwrap_or_else(|| file.with_extension("wasm"));
            write_output(Some(&out), &bytes)?;
        }
        Command::Wasm2wat {
            file,
            output,
            features,
        } => {
            let f = features.features;
            let bytes = read(&file)?;
            let module = decode(&file, &bytes, f)?;
            let text = weft_text::print(&module);
            write_output(output.as_deref(), text.as_bytes())?;
        }
        Command::Objdump {
            help: _,
            file,
            headers,
            details,
            disassemble,
            features,
        } => {
            let f = features.features;
            let bytes = read(&file)?;
            let module = decode(&file, &bytes, f)?;
            let opts = objdump::Options {
                headers: headers || !(details || disassemble),
                details,
                disassemble,
            };
            let text = objdump::dump(&file, &bytes, &module, f, opts)?;
            write_output(None, text.as_bytes())?;
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
            let folders = weft_wast::run_paths_by_folder(&paths, &options, &mut out)?;
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
            tier,
            features,
            module,
            args,
        } => {
            let f = features.features;
            let bytes = load_binary(&module, f)?;
            let options = run::Options {
                invoke,
                fuel,
                strategy: tier.tier,
                features: f,
                dirs,
                envs,
                max_memory,
            };
            return run::run(&module, &bytes, &options, &args);
        }
    }
    Ok(ExitCode::SUCCESS)
}
