//! Runtime entities that live apart from either execution tier: linear
//! memories whose base never moves.

pub(crate) mod gc;
pub(crate) mod memory;
