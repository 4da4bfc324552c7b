//! What klippa (0.1.2, as published by fontcull) gets wrong, put right around its cut.
//!
//! Extension lookups (GPOS type 9, GSUB type 7) wrap a subtable whose offset would not fit
//! in 16 bits. klippa reads through the wrapper and writes the inner subtables directly
//! under the lookup, but keeps the wrapper's lookup type: a reader then takes the first
//! subtable for an extension header and rejects the table (OTS: "Bad lookup type 54 in
//! extension table"), so the kerning of Source Sans 3, which sits in one extension lookup,
//! is lost. Here the lookup gets the type of the subtables it now holds, taken from the
//! extension subtables of the original font.
//!
//! And a pair-kerning subtable of format 1 lists, for each first glyph of its coverage, the
//! set of pairs it starts. When none of a first glyph's second glyphs is in the subset,
//! klippa drops that pair set but keeps the glyph in the coverage (hb-subset drops both):
//! every later glyph of the coverage then reads the pair set of another, and a pair the
//! font kerns by class in a later subtable (Source Sans 3's "ce", or the Bulgarian "дв")
//! gets another glyph's value or none. Here, before klippa cuts, every pair set of the
//! font gets a first record with `.notdef` as its second glyph, zero adjustment: `.notdef`
//! is in every subset, so no pair set becomes empty. A `.notdef` glyph stands for a missing
//! character and gets no kerning in the original either (the kerning classes leave it in
//! class 0); every other pair is kerned as before.

use fontations::from_obj::ToOwnedTable;
use fontations::read::TableProvider;
use fontations::tables::gpos::{
    ExtensionSubtable, Gpos, PairPos, PairSet, PositionLookup, ValueFormat, ValueRecord,
};
use fontations::types::GlyphId16;

/// `font` (a whole font file) with every pair set of its GPOS made to survive any subset
/// (the second gap above); `None` when the font has no GPOS.
pub(super) fn with_pair_sets_kept(font: &[u8]) -> Result<Option<Vec<u8>>, String> {
    let source = fontations::read::FontRef::new(font).map_err(|e| e.to_string())?;
    let Ok(gpos) = source.gpos() else {
        return Ok(None);
    };
    let mut gpos: Gpos = gpos.to_owned_table();
    for lookup in gpos.lookup_list.lookups.iter_mut() {
        match &mut **lookup {
            PositionLookup::Pair(lookup) => {
                for subtable in lookup.subtables.iter_mut() {
                    keep_pair_sets(subtable);
                }
            }
            PositionLookup::Extension(lookup) => {
                for subtable in lookup.subtables.iter_mut() {
                    if let ExtensionSubtable::Pair(extension) = &mut **subtable {
                        keep_pair_sets(&mut extension.extension);
                    }
                }
            }
            _ => {}
        }
    }
    let gpos = fontations::dump_table(&gpos).map_err(|e| format!("GPOS: {e}"))?;
    Ok(Some(
        fontations::FontBuilder::new()
            .add_raw(fontations::types::Tag::new(b"GPOS"), gpos)
            .copy_missing_tables(source)
            .build(),
    ))
}

/// Gives every pair set of a format 1 subtable a first, zero, `.notdef` pair.
fn keep_pair_sets(subtable: &mut PairPos) {
    let PairPos::Format1(pairs) = subtable else {
        return;
    };
    for set in pairs.pair_sets.iter_mut() {
        let set: &mut PairSet = set;
        let Some(first) = set.pair_value_records.first() else {
            continue;
        };
        if first.second_glyph == GlyphId16::NOTDEF {
            continue;
        }
        let mut notdef = first.clone();
        notdef.second_glyph = GlyphId16::NOTDEF;
        zero(&mut notdef.value_record1);
        zero(&mut notdef.value_record2);
        set.pair_value_records.insert(0, notdef);
    }
}

/// The record with the same fields (the same format as its neighbours), all zero.
fn zero(record: &mut ValueRecord) {
    let format = record.format();
    *record = ValueRecord::new().with_explicit_value_format(format);
    for (field, bit) in [
        (&mut record.x_placement, ValueFormat::X_PLACEMENT),
        (&mut record.y_placement, ValueFormat::Y_PLACEMENT),
        (&mut record.x_advance, ValueFormat::X_ADVANCE),
        (&mut record.y_advance, ValueFormat::Y_ADVANCE),
    ] {
        if format.contains(bit) {
            *field = Some(0);
        }
    }
}

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

    /// Each first glyph of a subset's format 1 pair subtables has its own pair set: as many
    /// pair sets as glyphs in the coverage. Cut without the repair, the Bulgarian text's
    /// characters leave 27 glyphs in the coverage of the first subtable and 3 pair sets.
    #[test]
    fn every_first_glyph_of_a_subset_keeps_its_own_pair_set() {
        use fontations::read::tables::gpos::{PairPos, PositionSubtables};
        let fonts = crate::fonts::FontSet::embedded().expect("fonts");
        let chars = "Vcfghkmnrst()/ УЦЩхдлцщ Пожарникарите се договориха в понеделник."
            .chars()
            .collect();
        let how = crate::fonts::Subset {
            localize: Some("bg"),
            layout: crate::fonts::Layout::Full,
            ..crate::fonts::Subset::default()
        };
        for face in fonts.faces() {
            let cut = crate::fonts::subset(face, &chars, &how).expect("the subset is cut");
            let font = fontations::read::FontRef::new(&cut).expect("font");
            let lookups = font.gpos().expect("GPOS").lookup_list().expect("lookups");
            let mut checked = 0;
            for lookup in lookups.lookups().iter() {
                let Ok(PositionSubtables::Pair(subtables)) = lookup.expect("lookup").subtables()
                else {
                    continue;
                };
                for subtable in subtables.iter() {
                    if let PairPos::Format1(pairs) = subtable.expect("subtable") {
                        let glyphs = pairs.coverage().expect("coverage").iter().count();
                        assert_eq!(
                            glyphs,
                            usize::from(pairs.pair_set_count()),
                            "{}",
                            face.style.name()
                        );
                        checked += 1;
                    }
                }
            }
            assert!(
                checked > 0,
                "{}: no format 1 pair subtable",
                face.style.name()
            );
        }
    }
}
