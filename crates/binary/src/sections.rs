//! Section ids and their order (§5.5.2, §5.5.16), and a light scan of the
//! section headers of a binary for tools such as `objdump -h`.

use crate::{DecodeError, Reader, Result};
use weft_syntax::Features;

/// Section ids (§5.5.2).
pub mod id {
    /// Custom section.
    pub const CUSTOM: u8 = 0;
    /// Type section.
    pub const TYPE: u8 = 1;
    /// Import section.
    pub const IMPORT: u8 = 2;
    /// Function section.
    pub const FUNCTION: u8 = 3;
    /// Table section.
    pub const TABLE: u8 = 4;
    /// Memory section.
    pub const MEMORY: u8 = 5;
    /// Global section.
    pub const GLOBAL: u8 = 6;
    /// Export section.
    pub const EXPORT: u8 = 7;
    /// Start section.
    pub const START: u8 = 8;
    /// Element section.
    pub const ELEMENT: u8 = 9;
    /// Code section.
    pub const CODE: u8 = 10;
    /// Data section.
    pub const DATA: u8 = 11;
    /// Data count section.
    pub const DATA_COUNT: u8 = 12;
    /// Tag section (exception handling).
    pub const TAG: u8 = 13;
}

/// The known (non-custom) section ids in the order in which they must
/// appear (§5.5.16): the data count section sits between the element and
/// the code section, the tag section between memory and global.
pub const SECTION_ORDER: [u8; 13] = [
    id::TYPE,
    id::IMPORT,
    id::FUNCTION,
    id::TABLE,
    id::MEMORY,
    id::TAG,
    id::GLOBAL,
    id::EXPORT,
    id::START,
    id::ELEMENT,
    id::DATA_COUNT,
    id::CODE,
    id::DATA,
];

/// The rank of a known section id in [`SECTION_ORDER`] (1-based), `None`
/// for custom sections and unknown ids.
pub(crate) fn rank(section_id: u8) -> Option<u8> {
    SECTION_ORDER
        .iter()
        .position(|&s| s == section_id)
        .map(|p| p as u8 + 1)
}

/// The name of a section kind as tools print it ("Type", "Import", ...,
/// "DataCount"), `None` for an unknown id.
pub fn section_name(section_id: u8) -> Option<&'static str> {
    Some(match section_id {
        id::CUSTOM => "Custom",
        id::TYPE => "Type",
        id::IMPORT => "Import",
        id::FUNCTION => "Function",
        id::TABLE => "Table",
        id::MEMORY => "Memory",
        id::GLOBAL => "Global",
        id::EXPORT => "Export",
        id::START => "Start",
        id::ELEMENT => "Elem",
        id::CODE => "Code",
        id::DATA => "Data",
        id::DATA_COUNT => "DataCount",
        id::TAG => "Tag",
        _ => return None,
    })
}

/// The binary magic number `\0asm` (§5.5.16).
pub const MAGIC: [u8; 4] = *b"\0asm";
/// The binary format version 1 (§5.5.16).
pub const VERSION: [u8; 4] = [1, 0, 0, 0];

/// One section of a binary as found by [`section_headers`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SectionHeader {
    /// The section id.
    pub id: u8,
    /// The name of a custom section.
    pub name: Option<String>,
    /// Absolute offset of the section's id byte.
    pub start: usize,
    /// Absolute offset of the payload (after the size). For a custom
    /// section this is still the start of the payload, i.e. of its name.
    pub offset: usize,
    /// Size of the payload in bytes.
    pub size: usize,
    /// For sections that hold a vector, the number of elements; for the
    /// data count section, the count.
    pub count: Option<u32>,
}

/// Checks the magic number and version (§5.5.16).
pub(crate) fn check_header(bytes: &[u8]) -> Result<()> {
    let Some(magic) = bytes.get(..4) else {
        return Err(DecodeError::new("unexpected end", bytes.len()));
    };
    if magic != MAGIC {
        return Err(DecodeError::new("magic header not detected", 0));
    }
    let Some(version) = bytes.get(4..8) else {
        return Err(DecodeError::new("unexpected end", bytes.len()));
    };
    if version != VERSION {
        return Err(DecodeError::new("unknown binary version", 4));
    }
    Ok(())
}

/// Lists the sections of a binary without decoding their contents: the
/// header, each section's id and size, the names of custom sections and the
/// element counts of vector sections. Section order is not checked, so that
/// a tool can show a malformed binary's layout.
pub fn section_headers(bytes: &[u8]) -> Result<Vec<SectionHeader>> {
    check_header(bytes)?;
    let features = Features::WASM3;
    let mut r = Reader::new_at(bytes.get(8..).unwrap_or_default(), 8, features);
    let mut headers = Vec::new();
    while !r.is_empty() {
        let start = r.offset();
        let section_id = r.read_u8()?;
        if section_name(section_id).is_none() {
            return Err(DecodeError::new("malformed section id", start));
        }
        let size = r.read_u32()? as usize;
        let offset = r.offset();
        if size > r.remaining() {
            return Err(DecodeError::new("length out of bounds", offset));
        }
        let payload = r.read_bytes(size)?;
        let mut p = Reader::new_at(payload, offset, features);
        let (name, count) = match section_id {
            id::CUSTOM => (Some(p.read_name()?.to_string()), None),
            id::START => (None, None),
            _ => (None, Some(p.read_u32()?)),
        };
        headers.push(SectionHeader {
            id: section_id,
            name,
            start,
            offset,
            size,
            count,
        });
    }
    Ok(headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers() {
        let bytes = b"\0asm\x01\0\0\0\x01\x04\x01\x60\0\0\x00\x05\x02hi\xAA\xBB\x03\x02\x01\x00";
        let h = section_headers(bytes).unwrap();
        assert_eq!(h.len(), 3);
        assert_eq!(
            (h[0].id, h[0].offset, h[0].size, h[0].count),
            (1, 10, 4, Some(1))
        );
        assert_eq!(h[1].name.as_deref(), Some("hi"));
        assert_eq!((h[1].start, h[1].offset, h[1].size), (14, 16, 5));
        assert_eq!((h[2].id, h[2].count), (3, Some(1)));
        let e = section_headers(b"\0asm\x01\0\0\0\x01\x09\x01").unwrap_err();
        assert_eq!(e.message, "length out of bounds");
        assert_eq!(
            section_headers(b"\0asm\x02\0\0\0").unwrap_err().message,
            "unknown binary version"
        );
    }

    #[test]
    fn order() {
        assert_eq!(rank(id::TYPE), Some(1));
        assert!(rank(id::DATA_COUNT) < rank(id::CODE));
        assert!(rank(id::ELEMENT) < rank(id::DATA_COUNT));
        assert_eq!(rank(id::CUSTOM), None);
    }
}
