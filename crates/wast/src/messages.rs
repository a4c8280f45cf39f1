//! Matching expected messages, and the one alias table.
//!
//! Like the reference interpreter's runner, an expected message matches
//! when it is a prefix of the actual one. Where the testsuite's wording
//! differs between cases for the same condition, the runtime keeps one
//! message and this table lists the script wordings that stand for it
//! (DESIGN.md, "Errors"): the runtime's messages are never bent to fit a
//! script.

/// `(expected text in a script, actual message prefix it accepts)`.
///
/// - `uninitialized element 2`: bulk.wast names the table index of the null
///   entry that `call_indirect` met; every other script (1,764 assertions)
///   expects plain `uninitialized element`, which is what the runtime says.
/// - `immutable global`: the 3.0 testsuite's wording for `global.set` of an
///   immutable global; the runtime says `global is immutable`, the 2.0
///   testsuite's wording.
/// - `i8 constant out of range`: the 3.0 testsuite's wording (simd_lane.wast)
///   for a lane index of 256 or more in the text format; the text parser
///   says `malformed lane index`, the 2.0 testsuite's wording.
pub const ALIASES: &[(&str, &str)] = &[
    ("uninitialized element 2", "uninitialized element"),
    ("immutable global", "global is immutable"),
    ("i8 constant out of range", "malformed lane index"),
];

/// Whether `actual` matches `expected`: `expected` is a prefix of `actual`,
/// or an alias of [`ALIASES`] maps `expected` to a prefix of `actual`.
pub fn matches(actual: &str, expected: &str) -> bool {
    actual.starts_with(expected)
        || ALIASES
            .iter()
            .any(|&(script, runtime)| script == expected && actual.starts_with(runtime))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_and_aliases() {
        assert!(matches("unknown import spectest.foo", "unknown import"));
        assert!(!matches("unknown import", "unknown import spectest.foo"));
        assert!(matches("uninitialized element", "uninitialized element 2"));
        assert!(!matches("undefined element", "uninitialized element 2"));
    }
}
