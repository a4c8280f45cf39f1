//! The interpreter: translation of validated bodies into internal code
//! (`translate`, by concern in its submodules), the code itself (`code`),
//! whose hand-written instructions are one table (`isa`), the semantics of
//! loads and stores (`mem`), the handlers and the run loop (`exec`, by
//! concern in its submodules), the verifier of translated code (`verify`)
//! and a disassembler (`disasm`).

pub(crate) mod code;
pub(crate) mod disasm;
pub(crate) mod exec;
pub(crate) mod isa;
pub(crate) mod mem;
pub(crate) mod translate;
pub(crate) mod verify;
