//! Feature sets: which proposals a decoder and validator accept.
//!
//! A [`Features`] value is a set of switches with named presets. Wasm 2.0 is
//! exactly the MVP plus the six proposals merged for the 2.0 release; the 3.0
//! switches exist so that rows for them can be added to the instruction table
//! without reshaping anything.

/// A proposal an instruction or construct belongs to. `Mvp` is always on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Feature {
    /// The original WebAssembly 1.0 instruction set.
    Mvp,
    /// Import and export of mutable globals (1.0 extension, in 2.0).
    MutableGlobal,
    /// Sign-extension operators (2.0).
    SignExt,
    /// Non-trapping float-to-int conversions (2.0).
    SatFloatToInt,
    /// Multiple results and block parameters (2.0).
    MultiValue,
    /// Bulk memory and table instructions, passive segments (2.0).
    BulkMemory,
    /// `funcref`/`externref` values, multiple tables (2.0).
    ReferenceTypes,
    /// Fixed-width 128-bit SIMD (2.0).
    Simd,
    /// Tail calls (3.0).
    TailCall,
    /// More than one memory (3.0).
    MultiMemory,
    /// 64-bit memory indices (3.0).
    Memory64,
    /// Extended constant expressions (3.0).
    ExtendedConst,
    /// Exception handling (3.0).
    Exceptions,
    /// Typed function references (3.0).
    FunctionReferences,
    /// Garbage collection (3.0).
    Gc,
    /// Relaxed SIMD (3.0).
    RelaxedSimd,
    /// Threads and atomics: shared memories, 0xFE instructions (beside 3.0).
    Threads,
    /// 128-bit addition and wide multiplication (beside 3.0).
    WideArithmetic,
    /// Page sizes other than 64 KiB (beside 3.0).
    CustomPageSizes,
    /// The legacy exception instructions `try`, `catch`, `catch_all`,
    /// `delegate` and `rethrow` (beside 3.0; toolchains still emit them).
    LegacyExceptions,
    /// Custom descriptors (beside 3.0): exact reference types, `descriptor`
    /// and `describes` clauses on struct types, exact function imports and
    /// the descriptor instructions.
    CustomDescriptors,
}

impl Feature {
    /// The proposals beside Wasm 3.0 that can be named one by one
    /// (`--features 3.0,threads`), with their names.
    pub const NAMED: &'static [(&'static str, Feature)] = &[
        ("threads", Feature::Threads),
        ("wide-arithmetic", Feature::WideArithmetic),
        ("custom-page-sizes", Feature::CustomPageSizes),
        ("legacy-exceptions", Feature::LegacyExceptions),
        ("custom-descriptors", Feature::CustomDescriptors),
    ];
}

/// The set of enabled features.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Features {
    /// Enabled switches, one bit per [`Feature`] discriminant.
    bits: u32,
}

impl Features {
    const fn of(list: &[Feature]) -> Features {
        let mut bits = 1 << Feature::Mvp as u32;
        let mut i = 0;
        while i < list.len() {
            bits |= 1 << list[i] as u32;
            i += 1;
        }
        Features { bits }
    }

    /// Every feature of `self` and of `other`.
    pub const fn union(self, other: Features) -> Features {
        Features {
            bits: self.bits | other.bits,
        }
    }

    /// WebAssembly 1.0 (the MVP).
    pub const WASM1: Features = Features::of(&[]);
    /// WebAssembly 2.0: the MVP plus mutable globals, sign extension,
    /// saturating conversions, multi-value, bulk memory, reference types and
    /// fixed-width SIMD.
    pub const WASM2: Features = Features::of(&[
        Feature::MutableGlobal,
        Feature::SignExt,
        Feature::SatFloatToInt,
        Feature::MultiValue,
        Feature::BulkMemory,
        Feature::ReferenceTypes,
        Feature::Simd,
    ]);
    /// WebAssembly 3.0: 2.0 plus tail calls, multi-memory, memory64,
    /// extended constant expressions, exception handling, typed function
    /// references, GC and relaxed SIMD.
    pub const WASM3: Features = Features::WASM2.union(Features::of(&[
        Feature::TailCall,
        Feature::MultiMemory,
        Feature::Memory64,
        Feature::ExtendedConst,
        Feature::Exceptions,
        Feature::FunctionReferences,
        Feature::Gc,
        Feature::RelaxedSimd,
    ]));

    /// Names accepted by [`Features::from_name`], for help texts: a preset,
    /// optionally followed by proposals (`3.0,threads`).
    pub const NAMES: &'static [&'static str] = &[
        "1.0",
        "2.0",
        "3.0",
        "threads",
        "wide-arithmetic",
        "custom-page-sizes",
        "legacy-exceptions",
        "custom-descriptors",
    ];

    /// The set named by `name`: a comma-separated list of presets (`"1.0"`,
    /// `"2.0"`, `"3.0"`) and proposal names ([`Feature::NAMED`]), united. A
    /// list of proposals alone starts from 3.0, which every one of them
    /// builds on.
    pub fn from_name(name: &str) -> Option<Features> {
        let mut preset = None;
        let mut extra = Vec::new();
        for part in name.split(',').map(str::trim) {
            let set = match part {
                "1.0" | "mvp" => Features::WASM1,
                "2.0" => Features::WASM2,
                "3.0" => Features::WASM3,
                _ => {
                    let (_, f) = Feature::NAMED.iter().find(|(n, _)| *n == part)?;
                    extra.push(*f);
                    continue;
                }
            };
            preset = Some(preset.map_or(set, |p: Features| p.union(set)));
        }
        let mut set = preset.unwrap_or(Features::WASM3);
        for f in extra {
            set = set.with(f, true);
        }
        Some(set)
    }

    /// Whether `feature` is enabled.
    pub fn has(self, feature: Feature) -> bool {
        self.bits & (1 << feature as u32) != 0
    }

    /// This set with `feature` switched on or off.
    pub fn with(self, feature: Feature, on: bool) -> Features {
        let bit = 1 << feature as u32;
        Features {
            bits: if on {
                self.bits | bit
            } else {
                self.bits & !bit
            },
        }
    }
}

impl Default for Features {
    /// The default is Wasm 2.0.
    fn default() -> Self {
        Features::WASM2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(Features::from_name("2.0"), Some(Features::WASM2));
        assert_eq!(Features::from_name("3.0"), Some(Features::WASM3));
        let t = Features::from_name("3.0,threads").unwrap();
        assert!(t.has(Feature::Threads) && t.has(Feature::Gc));
        let w = Features::from_name("wide-arithmetic").unwrap();
        assert!(w.has(Feature::WideArithmetic) && w.has(Feature::Memory64));
        assert!(!Features::WASM3.has(Feature::Threads));
        assert!(!Features::WASM2.has(Feature::TailCall));
        let c = Features::from_name("3.0,custom-descriptors").unwrap();
        assert!(c.has(Feature::CustomDescriptors) && c.has(Feature::Gc));
        assert!(!Features::WASM3.has(Feature::CustomDescriptors));
        assert_eq!(Features::from_name("3.0,bogus"), None);
        assert_eq!(Features::from_name(""), None);
    }
}
