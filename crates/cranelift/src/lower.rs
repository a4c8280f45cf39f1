//! [`Lower`]: one method per row of the instruction table, generated from
//! the table, each declining the function by default; the translator
//! overrides the rows it compiles. A row added to the table therefore makes
//! functions that use it stay in the interpreter until its lowering is
//! written, rather than breaking the build or being miscompiled.
//!
//! A module of its own because the table's immediate types are named as
//! `weft_syntax` exports them (a glob import here), which would clash with
//! Cranelift's type names (`F32`, `F64`) in the translator.

#![allow(non_snake_case)] // methods are named after the instruction table's variants

use weft_syntax::*;

/// Why a function was not compiled.
pub type Result<T> = std::result::Result<T, String>;

macro_rules! lower_trait {
    ($( $feature:ident [$($op:literal)+] $variant:ident $name:literal
        { $($field:ident : $ty:ty),* } $sig:tt )*) => {
        /// One method per row of the instruction table, named after its
        /// variant; the default declines the function.
        pub(crate) trait Lower<'a> {
            /// Declines the function because of instruction `mnemonic`.
            fn unsupported(&mut self, mnemonic: &'static str) -> Result<()> {
                Err(format!("instruction {mnemonic}"))
            }
            $(
                #[allow(unused_variables)] // the default ignores the immediates
                fn $variant(&mut self $(, $field: $ty)*) -> Result<()> {
                    self.unsupported($name)
                }
            )*
        }

        /// Hands `instr` to its method.
        pub(crate) fn dispatch<'a, L: Lower<'a>>(l: &mut L, instr: Instr<'a>) -> Result<()> {
            match instr {
                $( Instr::$variant { $($field),* } => l.$variant($($field),*), )*
            }
        }
    };
}

weft_syntax::for_each_instr!(lower_trait);

macro_rules! opens_block {
    ($( $feature:ident [$($op:literal)+] $variant:ident $name:literal
        { $($field:ident : $ty:ty),* } $sig:tt )*) => {
        /// Whether `instr` opens a block (every row with a `block_type`
        /// immediate does: block, loop, if, and later try_table), so that
        /// skipping dead code finds the matching `end`.
        pub(crate) fn opens_block(instr: &Instr<'_>) -> bool {
            match instr {
                $( Instr::$variant { .. } => false $(|| stringify!($field) == "block_type")*, )*
            }
        }
    };
}

weft_syntax::for_each_instr!(opens_block);
