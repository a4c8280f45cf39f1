//! Build configuration of the engine: whether the interpreter's handlers
//! thread through tail calls (`weft_tail_calls`). The names the engine
//! derives from the instruction table (`instr_fn!`) come from weft-syntax.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    // The dispatch loop threads handlers through tail calls, which LLVM
    // turns into jumps only when optimizing; other builds use a loop.
    println!("cargo::rustc-check-cfg=cfg(weft_tail_calls)");
    let opt = std::env::var("OPT_LEVEL").unwrap_or_default();
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    if matches!(opt.as_str(), "2" | "3" | "s" | "z")
        && matches!(arch.as_str(), "x86_64" | "aarch64")
    {
        println!("cargo:rustc-cfg=weft_tail_calls");
    }
}
