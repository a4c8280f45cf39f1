//! The interpreter: translation of validated bodies into internal code
//! (`translate`), the code itself (`code`), the semantics of loads and
//! stores (`mem`), the dispatch loop (`exec`) and the
//! verifier of translated code (`verify`).

pub(crate) mod code;
pub(crate) mod disasm;
pub(crate) mod exec;
pub(crate) mod isa;
pub(crate) mod mem;
pub(crate) mod translate;
pub(crate) mod verify;
