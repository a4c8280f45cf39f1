//! Records the compiler's version and the peers' versions (from Cargo.lock)
//! for the machine-info header the harness prints.

use std::process::Command;

fn main() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = Command::new(&rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=WEFT_BENCH_RUSTC={version}");

    let lock_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.lock");
    println!("cargo:rerun-if-changed={lock_path}");
    let lock = std::fs::read_to_string(lock_path).unwrap_or_default();
    for krate in ["wasmi", "weft", "wasm3", "wasmtime"] {
        let version = locked_version(&lock, krate).unwrap_or_else(|| "unknown".into());
        println!(
            "cargo:rustc-env=WEFT_BENCH_{}_VERSION={version}",
            krate.to_uppercase()
        );
    }
    let profile = std::env::var("PROFILE").unwrap_or_default();
    let opt = std::env::var("OPT_LEVEL").unwrap_or_default();
    println!("cargo:rustc-env=WEFT_BENCH_PROFILE={profile} (opt-level {opt})");
}

/// The version of `name` in a Cargo.lock, if it is there exactly once.
fn locked_version(lock: &str, name: &str) -> Option<String> {
    let needle = format!("name = \"{name}\"\nversion = \"");
    let start = lock.find(&needle)? + needle.len();
    let end = start + lock[start..].find('"')?;
    Some(lock[start..end].to_string())
}
