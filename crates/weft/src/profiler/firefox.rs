//! The Firefox Profiler's "processed profile format" (JSON), written by
//! hand: the format is a handful of column tables, and a JSON library
//! would be the only dependency of the profiler.
//!
//! The layout follows the format's documentation
//! (firefox-devtools/profiler, `docs-developer/processed-profile-format.md`
//! and `src/types/profile.js`) at `preprocessedProfileVersion` 54, with
//! thread-local string tables, as the `fxprof-processed-profile` crate
//! (which wasmtime's guest profiler uses) writes it; the profiler upgrades
//! older versions when it loads them. One process with one thread (the
//! guest); frames are labels (function names), one frame per function, in
//! the category "Wasm".

use super::GuestProfiler;
use std::io::{self, Write};

pub(super) fn write(p: &GuestProfiler, out: impl Write) -> io::Result<()> {
    let mut out = io::BufWriter::new(out);
    let interval_ms = p.interval.as_secs_f64() * 1000.0;
    let end_ms = p.samples.last().map_or(0.0, |s| s.0) + interval_ms;
    let n_funcs = p.funcs.len();
    let n_stacks = p.stacks.len();
    let n_samples = p.samples.len();

    write!(out, "{{\"meta\":{{")?;
    write!(
        out,
        "\"categories\":[\
         {{\"name\":\"Other\",\"color\":\"grey\",\"subcategories\":[\"Other\"]}},\
         {{\"name\":\"Wasm\",\"color\":\"blue\",\"subcategories\":[\"Other\"]}}],"
    )?;
    write!(out, "\"debug\":false,")?;
    write!(
        out,
        "\"extensions\":{{\"length\":0,\"baseURL\":[],\"id\":[],\"name\":[]}},"
    )?;
    write!(out, "\"interval\":{},", num(interval_ms))?;
    write!(out, "\"preprocessedProfileVersion\":54,\"processType\":0,")?;
    write!(out, "\"product\":{},", string(&p.name))?;
    write!(out, "\"startTime\":{},", num(p.start_unix_ms))?;
    write!(
        out,
        "\"symbolicated\":true,\"pausedRanges\":[],\"version\":24,"
    )?;
    write!(
        out,
        "\"usesOnlyOneStackType\":true,\"sourceCodeIsNotOnSearchfox\":true,"
    )?;
    write!(out, "\"markerSchema\":[]}},")?;
    write!(out, "\"libs\":[],\"threads\":[{{")?;

    // Frames and functions are one to one: frame i is function i.
    write!(out, "\"frameTable\":{{\"length\":{n_funcs},")?;
    column(&mut out, "address", n_funcs, |_| "-1".into())?;
    column(&mut out, "inlineDepth", n_funcs, |_| "0".into())?;
    column(&mut out, "category", n_funcs, |_| "1".into())?;
    column(&mut out, "subcategory", n_funcs, |_| "0".into())?;
    column(&mut out, "func", n_funcs, |i| i.to_string())?;
    column(&mut out, "nativeSymbol", n_funcs, |_| "null".into())?;
    column(&mut out, "innerWindowID", n_funcs, |_| "null".into())?;
    column(&mut out, "line", n_funcs, |_| "null".into())?;
    last_column(&mut out, "column", n_funcs, |_| "null".into())?;
    write!(out, "}},")?;

    // Function i's name is string i.
    write!(out, "\"funcTable\":{{\"length\":{n_funcs},")?;
    column(&mut out, "name", n_funcs, |i| i.to_string())?;
    column(&mut out, "isJS", n_funcs, |_| "false".into())?;
    column(&mut out, "relevantForJS", n_funcs, |_| "false".into())?;
    column(&mut out, "resource", n_funcs, |_| "-1".into())?;
    column(&mut out, "fileName", n_funcs, |_| "null".into())?;
    column(&mut out, "lineNumber", n_funcs, |_| "null".into())?;
    last_column(&mut out, "columnNumber", n_funcs, |_| "null".into())?;
    write!(out, "}},")?;

    write!(
        out,
        "\"markers\":{{\"length\":0,\"category\":[],\"data\":[],\"endTime\":[],\
         \"name\":[],\"phase\":[],\"startTime\":[]}},"
    )?;
    write!(out, "\"name\":{},\"isMainThread\":true,", string(&p.name))?;
    write!(
        out,
        "\"nativeSymbols\":{{\"length\":0,\"address\":[],\"functionSize\":[],\
         \"libIndex\":[],\"name\":[]}},"
    )?;
    write!(
        out,
        "\"pausedRanges\":[],\"pid\":\"{}\",",
        std::process::id()
    )?;
    write!(out, "\"processName\":{},", string(&p.name))?;
    write!(out, "\"processShutdownTime\":{},", num(end_ms))?;
    write!(
        out,
        "\"processStartupTime\":0,\"processType\":\"default\",\"registerTime\":0,"
    )?;
    write!(
        out,
        "\"resourceTable\":{{\"length\":0,\"lib\":[],\"name\":[],\"host\":[],\"type\":[]}},"
    )?;

    write!(out, "\"samples\":{{\"length\":{n_samples},")?;
    column(&mut out, "stack", n_samples, |i| match p.samples[i].1 {
        Some(s) => s.to_string(),
        None => "null".into(),
    })?;
    column(&mut out, "time", n_samples, |i| num(p.samples[i].0))?;
    column(&mut out, "weight", n_samples, |_| "1".into())?;
    write!(out, "\"weightType\":\"samples\"}},")?;

    write!(out, "\"stackTable\":{{\"length\":{n_stacks},")?;
    column(&mut out, "prefix", n_stacks, |i| match p.stacks[i].0 {
        Some(s) => s.to_string(),
        None => "null".into(),
    })?;
    column(&mut out, "frame", n_stacks, |i| p.stacks[i].1.to_string())?;
    column(&mut out, "category", n_stacks, |_| "1".into())?;
    last_column(&mut out, "subcategory", n_stacks, |_| "0".into())?;
    write!(out, "}},")?;

    write!(out, "\"stringArray\":[")?;
    for (i, f) in p.funcs.iter().enumerate() {
        if i > 0 {
            write!(out, ",")?;
        }
        write!(out, "{}", string(f))?;
    }
    write!(out, "],")?;
    write!(out, "\"tid\":\"{}\",", std::process::id())?;
    write!(out, "\"unregisterTime\":{}}}],", num(end_ms))?;
    write!(
        out,
        "\"pages\":[],\"profilerOverhead\":[],\"counters\":[]}}"
    )?;
    writeln!(out)?;
    out.flush()
}

/// `"name":[v(0),...,v(n-1)],`
fn column(
    out: &mut impl Write,
    name: &str,
    n: usize,
    v: impl Fn(usize) -> String,
) -> io::Result<()> {
    last_column(out, name, n, v)?;
    write!(out, ",")
}

/// `"name":[v(0),...,v(n-1)]`
fn last_column(
    out: &mut impl Write,
    name: &str,
    n: usize,
    v: impl Fn(usize) -> String,
) -> io::Result<()> {
    write!(out, "\"{name}\":[")?;
    for i in 0..n {
        if i > 0 {
            write!(out, ",")?;
        }
        write!(out, "{}", v(i))?;
    }
    write!(out, "]")
}

/// A JSON number (finite; JSON has no NaN or infinity).
fn num(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.3}")
    } else {
        "0".into()
    }
}

/// A JSON string literal.
fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::{num, string};

    #[test]
    fn strings_and_numbers_are_json() {
        assert_eq!(string("a\"b\\c\n\u{1}é"), "\"a\\\"b\\\\c\\n\\u0001é\"");
        assert_eq!(num(1.5), "1.500");
        assert_eq!(num(f64::NAN), "0");
    }
}
