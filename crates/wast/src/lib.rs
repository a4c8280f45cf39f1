//! Runner for WebAssembly spec scripts (`.wast`).
//!
//! Each command of a script counts once: as passed, failed or skipped. Until
//! the interpreter exists, the runner checks what the front end decides:
//! module definitions must decode (or parse) and validate,
//! `assert_malformed` and `assert_invalid` must be rejected in the right
//! phase with a message that starts with the expected text (prefix
//! matching, as the reference interpreter's runner does). Commands that need
//! execution are reported as skipped; the modules they define are still
//! decoded and validated, and a failure there counts as failed.
#![forbid(unsafe_code)]

use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use weft_syntax::Features;
use weft_text::wast::{parse_module_source, parse_wast, CommandKind, ModuleSource, TrapTarget};

/// Counts of a run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl Summary {
    fn add(&mut self, other: Summary) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.skipped += other.skipped;
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} passed, {} failed, {} skipped",
            self.passed, self.failed, self.skipped
        )
    }
}

/// Why a module was rejected, by phase.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Rejection {
    /// Decoding or text parsing failed (`assert_malformed`).
    Malformed(String),
    /// Validation failed (`assert_invalid`).
    Invalid(String),
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::Malformed(m) => write!(f, "malformed: \"{m}\""),
            Rejection::Invalid(m) => write!(f, "invalid: \"{m}\""),
        }
    }
}

/// Decodes or parses a script module and validates it.
fn load(source: &ModuleSource, features: Features) -> Result<(), Rejection> {
    let check = |module: &weft_syntax::Module<'_>| {
        weft_valid::validate(module, features).map_err(|e| {
            if e.malformed {
                Rejection::Malformed(e.message)
            } else {
                Rejection::Invalid(e.message)
            }
        })
    };
    match source {
        ModuleSource::Binary(bytes) => {
            let module = weft_binary::decode(bytes, features)
                .map_err(|e| Rejection::Malformed(e.message))?;
            check(&module)
        }
        ModuleSource::Text(..) | ModuleSource::Quote(_) => {
            let module = parse_module_source(source, features)
                .map_err(|e| Rejection::Malformed(e.message))?;
            check(&module)
        }
    }
}

/// Whether an actual message matches the expected one. Like the reference
/// runner, the expected text must be a prefix of the actual message.
fn message_matches(actual: &str, expected: &str) -> bool {
    actual.starts_with(expected)
}

/// What happened to one command.
enum Outcome {
    Pass,
    Fail(String),
    Skip,
}

fn expect_rejection(
    source: &ModuleSource,
    features: Features,
    malformed: bool,
    expected: &str,
) -> Outcome {
    let want = if malformed {
        Rejection::Malformed(expected.to_string())
    } else {
        Rejection::Invalid(expected.to_string())
    };
    match load(source, features) {
        Ok(()) => Outcome::Fail(format!("expected {want}, but the module is valid")),
        Err(got) => {
            let ok = match (&got, malformed) {
                (Rejection::Malformed(m), true) | (Rejection::Invalid(m), false) => {
                    message_matches(m, expected)
                }
                _ => false,
            };
            if ok {
                Outcome::Pass
            } else {
                Outcome::Fail(format!("expected {want}, got {got}"))
            }
        }
    }
}

/// A module that must load although the command itself cannot run yet.
fn load_then_skip(source: &ModuleSource, features: Features) -> Outcome {
    match load(source, features) {
        Ok(()) => Outcome::Skip,
        Err(e) => Outcome::Fail(format!("module failed to load: {e}")),
    }
}

fn command_name(kind: &CommandKind) -> &'static str {
    match kind {
        CommandKind::Module { .. } => "module",
        CommandKind::Register { .. } => "register",
        CommandKind::Action(_) => "action",
        CommandKind::AssertReturn { .. } => "assert_return",
        CommandKind::AssertTrap { .. } => "assert_trap",
        CommandKind::AssertExhaustion { .. } => "assert_exhaustion",
        CommandKind::AssertInvalid { .. } => "assert_invalid",
        CommandKind::AssertMalformed { .. } => "assert_malformed",
        CommandKind::AssertUnlinkable { .. } => "assert_unlinkable",
        CommandKind::AssertUninstantiable { .. } => "assert_uninstantiable",
    }
}

/// Runs one script given as text. `name` labels failure reports.
pub fn run_script(
    name: &str,
    src: &str,
    features: Features,
    out: &mut dyn Write,
) -> io::Result<Summary> {
    let mut summary = Summary::default();
    let script = match parse_wast(src) {
        Ok(s) => s,
        Err(e) => {
            writeln!(
                out,
                "{name}:{}:{}: script does not parse: {}",
                e.line, e.column, e.message
            )?;
            summary.failed += 1;
            return Ok(summary);
        }
    };
    for command in &script.commands {
        let outcome = match &command.kind {
            CommandKind::Module { source, .. } => match load(source, features) {
                Ok(()) => Outcome::Pass,
                Err(e) => Outcome::Fail(format!("module failed to load: {e}")),
            },
            CommandKind::AssertMalformed { module, message } => {
                expect_rejection(module, features, true, message)
            }
            CommandKind::AssertInvalid { module, message } => {
                expect_rejection(module, features, false, message)
            }
            CommandKind::AssertUnlinkable { module, .. }
            | CommandKind::AssertUninstantiable { module, .. }
            | CommandKind::AssertTrap {
                target: TrapTarget::Module(module),
                ..
            } => load_then_skip(module, features),
            CommandKind::Register { .. }
            | CommandKind::Action(_)
            | CommandKind::AssertReturn { .. }
            | CommandKind::AssertTrap { .. }
            | CommandKind::AssertExhaustion { .. } => Outcome::Skip,
        };
        match outcome {
            Outcome::Pass => summary.passed += 1,
            Outcome::Skip => summary.skipped += 1,
            Outcome::Fail(why) => {
                summary.failed += 1;
                writeln!(
                    out,
                    "{name}:{}: {}: {why}",
                    command.line,
                    command_name(&command.kind)
                )?;
            }
        }
    }
    Ok(summary)
}

/// Runs one script file.
pub fn run_file(path: &Path, features: Features, out: &mut dyn Write) -> io::Result<Summary> {
    let bytes = std::fs::read(path)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    let name = path.display().to_string();
    match std::str::from_utf8(&bytes) {
        Ok(src) => run_script(&name, src, features, out),
        Err(e) => {
            writeln!(out, "{name}: not UTF-8 text: {e}")?;
            Ok(Summary {
                failed: 1,
                ..Summary::default()
            })
        }
    }
}

/// The `.wast` files under `path` (the file itself, or every `.wast` file in
/// the folder and its subfolders), sorted.
pub fn collect_scripts(path: &Path) -> io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?
            .map(|e| e.map(|e| e.path()))
            .collect::<io::Result<_>>()?;
        entries.sort();
        for entry in entries {
            if entry.is_dir() {
                found.extend(collect_scripts(&entry)?);
            } else if entry.extension().is_some_and(|x| x == "wast") {
                found.push(entry);
            }
        }
    } else if path.exists() {
        found.push(path.to_path_buf());
    } else {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            format!("{}: no such file or directory", path.display()),
        ));
    }
    Ok(found)
}

/// Runs every script under the given paths, printing failures to `out`.
pub fn run_paths(
    paths: &[PathBuf],
    features: Features,
    out: &mut dyn Write,
) -> io::Result<Summary> {
    let mut total = Summary::default();
    for path in paths {
        for script in collect_scripts(path)? {
            total.add(run_file(&script, features, out)?);
        }
    }
    Ok(total)
}
