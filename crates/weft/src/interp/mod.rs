//! The interpreter: translation of validated bodies into internal code
//! (`translate`), the code itself (`code`), the semantics of loads and
//! stores (`mem`) and the dispatch loop (`exec`).

pub(crate) mod code;
pub(crate) mod exec;
pub(crate) mod mem;
pub(crate) mod translate;
