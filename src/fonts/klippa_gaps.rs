//! What klippa (0.1.2, as published by fontcull) gets wrong, put right after it has cut a font.
//!
//! Extension lookups (GPOS type 9, GSUB type 7) wrap a subtable whose offset would not fit
//! in 16 bits. klippa reads through the wrapper and writes the inner subtables directly
//! under the lookup, but keeps the wrapper's lookup type: a reader then takes the first
//! subtable for an extension header and rejects the table (OTS: "Bad lookup type 54 in
//! extension table"), so the kerning of Source Sans 3, which sits in one extension lookup,
//! is lost. Here the lookup gets the type of the subtables it now holds, taken from the
//! extension subtables of the original font.

use fontations::read::TableProvider;

/// The extension lookup type of each layout table.
const EXTENSION_TYPES: [(&[u8; 4], u16); 2] = [(b"GPOS", 9), (b"GSUB", 7)];

/// `cut` with every extension lookup of its GSUB and GPOS given its subtables' real type.
pub(super) fn repair(
    source: &fontations::read::FontRef<'_>,
    mut cut: Vec<u8>,
) -> Result<Vec<u8>, String> {
    for (tag, extension) in EXTENSION_TYPES {
        let tag = fontations::types::Tag::new(tag);
        let Some(original) = source.data_for_tag(tag) else {
            continue;
        };
        let wrapped = wrapped_types(original.as_bytes(), extension)
            .ok_or_else(|| format!("the original {tag} cannot be read"))?;
        let Some(range) = table_range(&cut, tag) else {
            continue;
        };
        let table = &mut cut[range];
        let inner = match wrapped.as_slice() {
            [] => continue,
            [only] => *only,
            several => {
                // Which lookup wrapped which type is lost in the subset: refuse rather than
                // guess.
                return Err(format!(
                    "{tag} wraps lookups of types {several:?} in extensions, which the subset cannot tell apart"
                ));
            }
        };
        for lookup in
            lookup_offsets(table).ok_or_else(|| format!("the subset's {tag} cannot be read"))?
        {
            if read_u16(table, lookup) == Some(extension) {
                table[lookup..lookup + 2].copy_from_slice(&inner.to_be_bytes());
            }
        }
    }
    Ok(cut)
}

/// The lookup types the extension subtables of a GSUB/GPOS table wrap, without repeats.
fn wrapped_types(table: &[u8], extension: u16) -> Option<Vec<u16>> {
    let mut types = Vec::new();
    for lookup in lookup_offsets(table)? {
        if read_u16(table, lookup)? != extension {
            continue;
        }
        let count = usize::from(read_u16(table, lookup + 4)?);
        for i in 0..count {
            let subtable = lookup + usize::from(read_u16(table, lookup + 6 + 2 * i)?);
            // ExtensionFormat1: format (1), extensionLookupType, extensionOffset (32 bits).
            if read_u16(table, subtable)? != 1 {
                return None;
            }
            let inner = read_u16(table, subtable + 2)?;
            if !types.contains(&inner) {
                types.push(inner);
            }
        }
    }
    Some(types)
}

/// Where each lookup of a GSUB/GPOS table starts, from the table's start.
fn lookup_offsets(table: &[u8]) -> Option<Vec<usize>> {
    let list = usize::from(read_u16(table, 8)?);
    let count = usize::from(read_u16(table, list)?);
    (0..count)
        .map(|i| Some(list + usize::from(read_u16(table, list + 2 + 2 * i)?)))
        .collect()
}

/// The byte range of a table in an sfnt.
fn table_range(font: &[u8], tag: fontations::types::Tag) -> Option<std::ops::Range<usize>> {
    let count = usize::from(read_u16(font, 4)?);
    (0..count).find_map(|i| {
        let record = font.get(12 + 16 * i..28 + 16 * i)?;
        if record[..4] != tag.to_be_bytes() {
            return None;
        }
        let offset = u32::from_be_bytes(record[8..12].try_into().ok()?) as usize;
        let length = u32::from_be_bytes(record[12..16].try_into().ok()?) as usize;
        (offset + length <= font.len()).then_some(offset..offset + length)
    })
}

fn read_u16(data: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*data.get(at)?, *data.get(at + 1)?]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_sans_wraps_only_pair_kerning_in_extensions() {
        let fonts = crate::fonts::FontSet::embedded().expect("fonts");
        for face in fonts.faces() {
            let font = fontations::read::FontRef::new(face.data).expect("font");
            let gpos = font
                .data_for_tag(fontations::types::Tag::new(b"GPOS"))
                .expect("GPOS");
            assert_eq!(wrapped_types(gpos.as_bytes(), 9), Some(vec![2]));
        }
    }
}
