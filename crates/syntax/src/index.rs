//! Typed indices (§2.5.1). Every index space has its own newtype so that a
//! function index can never be passed where a type index is expected.

macro_rules! indices {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u32);

        impl $name {
            /// The index as a `usize`, for indexing into vectors.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl From<u32> for $name {
            fn from(i: u32) -> Self {
                $name(i)
            }
        }

        impl From<$name> for u32 {
            fn from(i: $name) -> u32 {
                i.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

indices! {
    /// Index into the type section.
    TypeIdx,
    /// Index into the function index space (imports first).
    FuncIdx,
    /// Index into the table index space (imports first).
    TableIdx,
    /// Index into the memory index space (imports first).
    MemIdx,
    /// Index into the global index space (imports first).
    GlobalIdx,
    /// Index into the tag index space (imports first).
    TagIdx,
    /// Index into the element segments.
    ElemIdx,
    /// Index into the data segments.
    DataIdx,
    /// Index into a function's locals (parameters first).
    LocalIdx,
    /// Relative depth of an enclosing structured-control label.
    LabelIdx,
    /// Index of a field of a struct type.
    FieldIdx,
}
