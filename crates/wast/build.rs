//! Generates one test per `.wast` file of the Wasm 2.0 spec testsuite, so
//! that `cargo test` reports each file on its own. The testsuite is read from
//! `$WEFT_TESTSUITE_2_0` or `../shared/testsuite-2.0` beside the repository.
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-env-changed=WEFT_TESTSUITE_2_0");
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let dir = std::env::var_os("WEFT_TESTSUITE_2_0")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../../../shared/testsuite-2.0"));
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files = Vec::new();
    for sub in ["", "simd"] {
        if let Ok(entries) = std::fs::read_dir(dir.join(sub)) {
            for e in entries.flatten() {
                let p = e.path();
                if p.extension().is_some_and(|x| x == "wast") {
                    files.push(p);
                }
            }
        }
    }
    files.sort();
    let mut out = String::new();
    if files.is_empty() {
        // Fail loudly: a missing testsuite must not look like a green run.
        out.push_str(&format!(
            "#[test]\nfn testsuite_is_present() {{\n    panic!(\"spec testsuite not found at {}: set WEFT_TESTSUITE_2_0\");\n}}\n",
            dir.display().to_string().escape_default()
        ));
    }
    for f in &files {
        let rel = f.strip_prefix(&dir).unwrap().to_string_lossy().to_string();
        let name: String = rel
            .trim_end_matches(".wast")
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        out.push_str(&format!(
            "#[test]\nfn spec_{name}() {{\n    run({:?});\n}}\n",
            f.display().to_string()
        ));
    }
    let dest = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("spec_tests.rs");
    std::fs::write(dest, out).unwrap();
}
