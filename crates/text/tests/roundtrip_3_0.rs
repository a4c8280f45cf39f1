//! Round trips over the Wasm 3.0 testsuite (`../shared/testsuite` or
//! `$WEFT_TESTSUITE_3_0`: the root, `spec-core-extra/`, `custom/`,
//! `proposals/*`, `legacy/`, each folder with its feature set as
//! `weft_testkit::feature_name_for` names it).
//!
//! Every module of a script that is meant to be well-formed (`module`,
//! `module definition`, and the modules of `assert_unlinkable`,
//! `assert_uninstantiable`, `assert_trap` and the `assert_*_custom`
//! commands), whether text, quoted or binary, that Weft parses and that
//! validates, is checked twice:
//!
//! 1. Against the reference encoder: for text and quoted modules, our
//!    encoding (`parse_wat` + `encode`) equals the `wast` crate's, custom
//!    sections aside. Where the `wast` crate cannot parse a module, the
//!    module is counted apart with the reason. For binary modules the
//!    reference is the binary itself; a difference is accepted only when
//!    both sides encode the same once made canonical (`common::canonical`:
//!    minimal LEB128 in bodies, merged local runs, a data count section
//!    exactly when a body needs one), which is what the encoder's copying
//!    of bodies as they are explains.
//! 2. Through the printer: our binary, decoded, printed (flat and folded),
//!    parsed back and encoded, equals the first binary byte for byte
//!    (custom sections included). For binary modules, whose bodies the
//!    encoder copies as they are, the same canonical rule applies.
//!
//! The `wast` crate (263) cannot read two kinds of module, counted apart:
//! the folded legacy `(try (do ...) (catch ...))` of `legacy/` ("unknown
//! operator or unexpected token"; it reads only the flat `try`), and the
//! bidirectional-override characters of `names.wast`, which it refuses as
//! likely confusing.
//!
//! The counts per folder are printed with `--nocapture` (the details of
//! every failure and of every module the `wast` crate cannot read with
//! `WEFT_SHOW_ALL=1`).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, Wast, WastDirective, WastExecute};
use weft_binary::{decode, encode};
use weft_syntax::Features;
use weft_text::wast::{parse_module_source, parse_wast, CommandKind, ModuleSource, TrapTarget};
use weft_text::{parse_wat, print_with, PrintOptions};

mod common;
use common::{canonical, without_customs};

#[derive(Default, Debug)]
struct Counts {
    /// Modules Weft parses and validates (the ones compared).
    modules: usize,
    /// Modules that Weft does not parse or that do not validate (the
    /// front-end tests own those verdicts).
    not_weft: usize,
    /// Step 1: equal to the reference encoding (custom sections aside).
    ref_identical: usize,
    /// Step 1: equal by one of the rules of [`known_difference`] (or, for
    /// binary modules, up to binary-only encodings), by rule.
    ref_by_rule: BTreeMap<&'static str, usize>,
    /// Step 1: the `wast` crate cannot encode the module.
    ref_unavailable: usize,
    /// Step 2: printed and read back to the same bytes, flat and folded.
    print_identical: usize,
    /// Step 2: binary modules equal only up to binary-only encodings.
    print_by_rule: usize,
    failures: usize,
}

/// The binary the `wast` crate makes of each module meant to be
/// well-formed, by the line of its `module` keyword.
type Reference = HashMap<usize, Result<Vec<u8>, String>>;

fn first_line(e: impl std::fmt::Display) -> String {
    e.to_string().lines().next().unwrap_or_default().to_string()
}

/// The reference encodings of a script's modules, or why the `wast` crate
/// cannot read the script as a whole.
fn reference(src: &str) -> Result<Reference, String> {
    let buf = ParseBuffer::new(src).map_err(first_line)?;
    let script = parser::parse::<Wast>(&buf).map_err(first_line)?;
    let mut out = HashMap::new();
    for d in script.directives {
        let mut q = match d {
            WastDirective::Module(q)
            | WastDirective::ModuleDefinition(q)
            | WastDirective::AssertMalformedCustom { module: q, .. }
            | WastDirective::AssertInvalidCustom { module: q, .. } => q,
            WastDirective::AssertUnlinkable { module, .. } => QuoteWat::Wat(module),
            WastDirective::AssertTrap {
                exec: WastExecute::Wat(w),
                ..
            } => QuoteWat::Wat(w),
            _ => continue,
        };
        let line = q.span().linecol_in(src).0 + 1;
        out.insert(line, q.encode().map_err(first_line));
    }
    Ok(out)
}

/// The reference encoding of one module's text, read as a one-command
/// script (for scripts the `wast` crate cannot read as a whole).
fn reference_one(text: &str) -> Result<Vec<u8>, String> {
    let buf = ParseBuffer::new(text).map_err(first_line)?;
    let script = parser::parse::<Wast>(&buf).map_err(first_line)?;
    match script.directives.into_iter().next() {
        Some(WastDirective::Module(mut q) | WastDirective::ModuleDefinition(mut q)) => {
            q.encode().map_err(first_line)
        }
        _ => Err("not a module".to_string()),
    }
}

/// Binary modules: equal once bodies, local runs and the data count
/// section are made canonical (`common::canonical`).
const BINARY_ONLY: &str = "binary-only encodings";
/// The wast crate keeps two encoding choices of the text that a Weft
/// module does not record. `REC_PREFIX`: `(rec (type ...))` of one type
/// (and an empty `(rec)`) as a group with the 0x4E prefix, where Weft
/// writes the type alone (the same singleton group, spec: binary type
/// section). `ELEM_FORM`: element segments that name their table or their
/// element kind, in the explicit-table forms (flags 2 and 6), where Weft
/// writes the shortest form of the same segment (spec: binary element
/// section). Accepted when the difference is in those sections only and our
/// decoding and re-encoding of the wast crate's binary equals ours.
const REC_PREFIX: &str = "rec prefix of a singleton or empty group";
/// See [`REC_PREFIX`].
const ELEM_FORM: &str = "explicit-table element segment form";
/// Both of [`REC_PREFIX`] and [`ELEM_FORM`] in one module.
const REC_AND_ELEM: &str = "rec prefix and element segment form";
/// Implicit type uses (spec: text format, type uses): the type of a `func`
/// without `(type x)` is the smallest type index whose group is a single
/// final function type without supertypes and with those parameters and
/// results, else a new such type is appended. The wast crate instead takes
/// the first top-level `type` with that signature (final or not, with
/// supertypes or not) and ignores types inside `rec`; so it may choose
/// another index or append a type Weft does not need.
const IMPLICIT_TYPE: &str = "implicit type use (wast crate ignores finality and rec)";

/// Which rule, if any, explains the whole difference between our encoding
/// (`ours`, of `module`) and the wast crate's (`theirs`).
fn known_difference(
    module: &weft_syntax::Module<'_>,
    ours: &[u8],
    theirs: &[u8],
    features: Features,
) -> Option<&'static str> {
    // The wast crate writes the explicit-table element forms even where the
    // feature set (1.0 for proposals/threads) has only the plain one: read
    // its binary with the 3.0 features added.
    let mut w = decode(theirs, features.union(Features::WASM3)).ok()?;
    let differing = differing_sections(ours, theirs);
    // The decoded module forgets exactly the choices of REC_PREFIX and
    // ELEM_FORM.
    if differing.iter().all(|&id| id == 1 || id == 9)
        && without_customs(&encode(&w)) == without_customs(ours)
    {
        return Some(match differing[..] {
            [1] => REC_PREFIX,
            [9] => ELEM_FORM,
            _ => REC_AND_ELEM,
        });
    }
    // IMPLICIT_TYPE: the two type lists agree but for trailing types, every
    // function whose type index differs has ours as the spec's choice and
    // theirs with the same signature, and with our choices the rest is equal.
    if w.funcs.len() != module.funcs.len() {
        return None;
    }
    // The types both define up to the first difference; every type after it
    // (in either) must be one appended for an implicit type use.
    let common = w
        .types
        .iter()
        .zip(module.types.iter())
        .take_while(|(a, b)| a == b)
        .count();
    let appended = |t: &weft_syntax::Types| {
        (common..t.len()).all(|k| plain(t, weft_syntax::TypeIdx(k as u32)).is_some())
    };
    if !appended(&w.types) || !appended(&module.types) {
        return None;
    }
    fn plain(
        types: &weft_syntax::Types,
        t: weft_syntax::TypeIdx,
    ) -> Option<&weft_syntax::FuncType> {
        let sub = types.get(t)?;
        let alone = types.group_of(t).is_some_and(|(_, len)| len == 1);
        let plain = sub.is_final
            && sub.supertypes.is_empty()
            && sub.describes.is_none()
            && sub.descriptor.is_none()
            && alone;
        plain.then(|| types.func(t)).flatten()
    }
    for (i, (&o, t)) in module.funcs.iter().zip(w.funcs.clone()).enumerate() {
        if o == t && module.types.get(o) == w.types.get(t) {
            continue;
        }
        let ft = plain(&module.types, o)?;
        let first = (0..module.types.len() as u32)
            .map(weft_syntax::TypeIdx)
            .find(|&k| plain(&module.types, k) == Some(ft));
        if first != Some(o) || w.types.func(t) != Some(ft) {
            return None;
        }
        w.funcs[i] = o;
    }
    w.types = module.types.clone();
    (without_customs(&encode(&w)) == without_customs(ours)).then_some(IMPLICIT_TYPE)
}

/// The ids of the sections in which two binaries differ.
fn differing_sections(a: &[u8], b: &[u8]) -> Vec<u8> {
    let (Some(a), Some(b)) = (weft_testkit::sections(a), weft_testkit::sections(b)) else {
        return vec![0xff];
    };
    let ids: std::collections::BTreeSet<u8> = a.iter().chain(&b).map(|(id, _)| *id).collect();
    ids.into_iter()
        .filter(|id| {
            let pick = |s: &[(u8, Vec<u8>)]| -> Vec<Vec<u8>> {
                s.iter()
                    .filter(|(i, _)| i == id)
                    .map(|(_, p)| p.clone())
                    .collect()
            };
            *id != 0 && pick(&a) != pick(&b)
        })
        .collect()
}

/// The modules of a command that are meant to be well-formed.
fn well_formed_module(kind: &CommandKind) -> Option<&ModuleSource> {
    match kind {
        CommandKind::Module { source, .. }
        | CommandKind::ModuleDefinition { source, .. }
        | CommandKind::AssertUnlinkable { module: source, .. }
        | CommandKind::AssertUninstantiable { module: source, .. }
        | CommandKind::AssertMalformedCustom { module: source, .. }
        | CommandKind::AssertInvalidCustom { module: source, .. }
        | CommandKind::AssertTrap {
            target: TrapTarget::Module(source),
            ..
        } => Some(source),
        _ => None,
    }
}

struct Ctx<'a> {
    where_: String,
    features: Features,
    n: &'a mut Counts,
    failures: &'a mut Vec<String>,
    unavailable: &'a mut BTreeMap<String, usize>,
}

impl Ctx<'_> {
    fn fail(&mut self, what: String) {
        self.n.failures += 1;
        self.failures.push(format!("{}: {what}", self.where_));
    }
}

fn check(cx: &mut Ctx<'_>, source: &ModuleSource, line: usize, reference: Option<&Reference>) {
    let features = cx.features;
    let show = std::env::var_os("WEFT_SHOW_ALL").is_some();
    let parsed = match source {
        ModuleSource::Binary(bytes) => decode(bytes, features).map_err(|e| e.to_string()),
        _ => parse_module_source(source, features).map_err(|e| e.to_string()),
    };
    let module = match parsed {
        Ok(m) => m,
        Err(e) => {
            if show {
                eprintln!("{}: skipped: {e}", cx.where_);
            }
            cx.n.not_weft += 1;
            return;
        }
    };
    if let Err(e) = weft_valid::validate(&module, features) {
        if show {
            eprintln!("{}: skipped: {e}", cx.where_);
        }
        cx.n.not_weft += 1;
        return;
    }
    cx.n.modules += 1;
    let first = encode(&module);
    let binary = matches!(source, ModuleSource::Binary(_));

    // 1. The reference encoder.
    if let ModuleSource::Binary(bytes) = source {
        if without_customs(&first) == without_customs(bytes) {
            cx.n.ref_identical += 1;
        } else if let Ok(original) = decode(bytes, features) {
            if encode(&canonical(&original, features)) == encode(&canonical(&module, features)) {
                *cx.n.ref_by_rule.entry(BINARY_ONLY).or_default() += 1;
            } else {
                cx.fail("encoding differs from the binary".to_string());
            }
        }
    } else {
        // A module whose `module` keyword is not on the line of its
        // parenthesis (comments.wast) is looked up alone.
        let found = reference.as_ref().and_then(|r| r.get(&line));
        let reference = match (found, source) {
            (Some(r), _) => r.clone(),
            (None, ModuleSource::Text(text, _)) => reference_one(text),
            (None, ModuleSource::Quote(bytes)) => match std::str::from_utf8(bytes) {
                Ok(text) => reference_one(&format!("(module {text})")),
                Err(_) => Err("quoted module is not UTF-8".to_string()),
            },
            (None, ModuleSource::Binary(_)) => unreachable!("handled above"),
        };
        match reference {
            Ok(r) if without_customs(&r) == without_customs(&first) => cx.n.ref_identical += 1,
            Ok(r) => match known_difference(&module, &first, &r, features) {
                Some(rule) => *cx.n.ref_by_rule.entry(rule).or_default() += 1,
                None => cx.fail(format!(
                    "our encoding differs from the wast crate's in sections {:?}\nours   {:02x?}\nwast   {:02x?}",
                    differing_sections(&first, &r),
                    without_customs(&first),
                    without_customs(&r)
                )),
            },
            Err(e) => {
                cx.n.ref_unavailable += 1;
                if show {
                    eprintln!("{}: the wast crate cannot encode it: {e}", cx.where_);
                }
                *cx.unavailable.entry(e).or_default() += 1;
            }
        }
    }

    // 2. Through the printer.
    let decoded = match decode(&first, features) {
        Ok(m) => m,
        Err(e) => return cx.fail(format!("our encoding does not decode: {e}")),
    };
    let canonical_bytes = binary.then(|| encode(&canonical(&decoded, features)));
    let mut by_rule = false;
    for folded in [false, true] {
        let opts = PrintOptions {
            folded,
            features,
            custom_annotations: true,
            ..PrintOptions::default()
        };
        let text = print_with(&decoded, &opts);
        let second = match parse_wat(&text, features) {
            Ok(m) => encode(&m),
            Err(e) => {
                return cx.fail(format!(
                    "printed text (folded: {folded}) does not parse: {e}\n{text}"
                ))
            }
        };
        if second == first {
            continue;
        }
        if canonical_bytes.as_ref() == Some(&second) {
            by_rule = true;
            continue;
        }
        return cx.fail(format!(
            "print round trip (folded: {folded}) differs\n{text}\nfirst  {first:02x?}\nsecond {second:02x?}"
        ));
    }
    if by_rule {
        cx.n.print_by_rule += 1;
    } else {
        cx.n.print_identical += 1;
    }
}

#[test]
fn testsuite_3_0_round_trips() {
    let dir = weft_testkit::testsuite_3_0();
    let files = weft_testkit::wast_files(&dir);
    assert!(files.len() >= 250, "only {} scripts found", files.len());
    let mut counts: BTreeMap<String, Counts> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut unavailable = BTreeMap::new();
    let mut unread = Vec::new();
    for path in &files {
        let rel = path
            .strip_prefix(&dir)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        let folder = rel
            .rsplit_once('/')
            .map_or("(root)", |(f, _)| f)
            .to_string();
        let name = weft_testkit::feature_name_for(&rel);
        let features = Features::from_name(&name).unwrap_or(Features::WASM3);
        let src = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let Ok(script) = parse_wast(&src) else {
            unread.push(rel);
            continue;
        };
        let reference = match reference(&src) {
            Ok(r) => Some(r),
            Err(e) => {
                eprintln!("{rel}: the wast crate cannot read the script ({e}); modules one by one");
                None
            }
        };
        let n = counts.entry(folder).or_default();
        for cmd in &script.commands {
            let Some(source) = well_formed_module(&cmd.kind) else {
                continue;
            };
            let line = match source {
                ModuleSource::Text(_, line) => *line,
                _ => cmd.line,
            };
            let mut cx = Ctx {
                where_: format!("{}:{line}", Path::new(&rel).display()),
                features,
                n,
                failures: &mut failures,
                unavailable: &mut unavailable,
            };
            check(&mut cx, source, line, reference.as_ref());
        }
    }
    let mut total = Counts::default();
    eprintln!(
        "{:<32} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7}",
        "folder", "modules", "ref=", "ref~", "no-ref", "print=", "print~", "fail", "skipped"
    );
    for (folder, n) in &counts {
        eprintln!(
            "{folder:<32} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7}",
            n.modules,
            n.ref_identical,
            n.ref_by_rule.values().sum::<usize>(),
            n.ref_unavailable,
            n.print_identical,
            n.print_by_rule,
            n.failures,
            n.not_weft
        );
        total.modules += n.modules;
        total.ref_identical += n.ref_identical;
        for (rule, k) in &n.ref_by_rule {
            *total.ref_by_rule.entry(rule).or_default() += k;
        }
        total.ref_unavailable += n.ref_unavailable;
        total.print_identical += n.print_identical;
        total.print_by_rule += n.print_by_rule;
        total.failures += n.failures;
        total.not_weft += n.not_weft;
    }
    eprintln!(
        "(ref= equal to the wast crate's encoding, ref~ equal by a rule listed below, \
         encodings, no-ref the wast crate cannot encode it, print= printed flat and folded and \
         read back identical, print~ identical up to binary-only encodings, skipped: Weft does \
         not parse or validate it)\ntotal: {total:?}"
    );
    for (rule, k) in &total.ref_by_rule {
        eprintln!("accepted by rule \"{rule}\": {k} module(s)");
    }
    for (reason, k) in &unavailable {
        eprintln!("the wast crate cannot encode {k} module(s): {reason}");
    }
    // One line per failure; the details of the first few (all of them with
    // WEFT_SHOW_ALL=1).
    let all = std::env::var_os("WEFT_SHOW_ALL").is_some();
    for (i, f) in failures.iter().enumerate() {
        if i < 5 || all {
            eprintln!("{f}\n");
        } else {
            eprintln!("{}", f.lines().next().unwrap_or_default());
        }
    }
    assert!(unread.is_empty(), "scripts Weft cannot read: {unread:?}");
    assert!(failures.is_empty(), "{} failures", failures.len());
    // Lower bounds from the measured run (2,838 modules, 2,573 identical to
    // the wast crate's encoding, 2,822 identical through the printer), so
    // that the test cannot pass by checking nothing.
    assert!(total.modules >= 2800, "too few modules checked: {total:?}");
    assert!(total.ref_identical >= 2500, "too few identical: {total:?}");
    assert!(
        total.print_identical >= 2780,
        "too few identical: {total:?}"
    );
    for (folder, n) in &counts {
        assert!(n.modules > 0, "{folder}: no module checked");
    }
}
