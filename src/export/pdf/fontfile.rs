//! Slimming the font programs printpdf embeds, and naming them as subsets.
//!
//! printpdf (through allsorts) subsets Source Sans 3 but keeps what a PDF viewer never uses:
//! the `name` table (9 KB per face), the TrueType hinting programs (`fpgm`, `prep`, `cvt `)
//! and every glyph's hinting instructions. Together they are about a third of each embedded
//! face; without them the handout fits the size budget. PDF 32000-1 (9.9) requires only
//! `glyf`, `head`, `hhea`, `hmtx`, `loca` and `maxp` (plus `cmap`) for a CIDFontType2.
//!
//! printpdf also names a subset `F1+SourceSans3-Regular`; a subset's tag must be six capital
//! letters (9.6.4), which is how `pdffonts` and preflight tools recognise it.

use lopdf::{Object, ObjectId};
use sha2::{Digest, Sha256};

const KEPT_TABLES: [&[u8; 4]; 8] = [
    b"cmap", b"glyf", b"head", b"hhea", b"hmtx", b"loca", b"maxp", b"post",
];

fn be16(data: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*data.get(at)?, *data.get(at + 1)?]))
}

fn be32(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes([
        *data.get(at)?,
        *data.get(at + 1)?,
        *data.get(at + 2)?,
        *data.get(at + 3)?,
    ]))
}

fn checksum(table: &[u8]) -> u32 {
    table.chunks(4).fold(0u32, |sum, chunk| {
        let mut word = [0u8; 4];
        word[..chunk.len()].copy_from_slice(chunk);
        sum.wrapping_add(u32::from_be_bytes(word))
    })
}

/// The font without hinting and names, or `None` if it is not a TrueType font this code
/// understands (then it is embedded as printpdf wrote it).
pub fn strip_truetype(font: &[u8]) -> Option<Vec<u8>> {
    let count = usize::from(be16(font, 4)?);
    let mut tables: Vec<([u8; 4], Vec<u8>)> = Vec::new();
    for i in 0..count {
        let record = 12 + 16 * i;
        let tag: [u8; 4] = font.get(record..record + 4)?.try_into().ok()?;
        let offset = be32(font, record + 8)? as usize;
        let length = be32(font, record + 12)? as usize;
        tables.push((tag, font.get(offset..offset + length)?.to_vec()));
    }
    let table = |tag: &[u8; 4]| tables.iter().find(|(t, _)| t == tag).map(|(_, d)| d);
    let head = table(b"head")?.clone();
    let maxp = table(b"maxp")?.clone();
    let glyf = table(b"glyf")?;
    let loca = table(b"loca")?;
    let glyphs = usize::from(be16(&maxp, 4)?);
    let long_loca = be16(&head, 50)? == 1;
    let location = |i: usize| -> Option<usize> {
        if long_loca {
            be32(loca, i * 4).map(|v| v as usize)
        } else {
            be16(loca, i * 2).map(|v| usize::from(v) * 2)
        }
    };
    let mut new_glyf = Vec::with_capacity(glyf.len());
    let mut new_loca = Vec::with_capacity((glyphs + 1) * 4);
    for g in 0..glyphs {
        let (start, end) = (location(g)?, location(g + 1)?);
        new_loca.extend((new_glyf.len() as u32).to_be_bytes());
        let data = glyf.get(start..end)?;
        if data.len() >= 10 {
            let contours = be16(data, 0)? as i16;
            if contours >= 0 {
                let header = 10 + 2 * contours as usize;
                let instructions = usize::from(be16(data, header)?);
                let outline = header + 2 + instructions;
                let rest = data.get(outline..outline + outline_length(data, header, outline)?)?;
                new_glyf.extend_from_slice(data.get(..header)?);
                new_glyf.extend([0, 0]);
                new_glyf.extend_from_slice(rest);
            } else {
                new_glyf.extend_from_slice(&composite_without_instructions(data)?);
            }
        }
        while new_glyf.len() % 4 != 0 {
            new_glyf.push(0);
        }
    }
    new_loca.extend((new_glyf.len() as u32).to_be_bytes());

    let mut head = head;
    head.get_mut(50..52)?.copy_from_slice(&1u16.to_be_bytes());
    head.get_mut(8..12)?.copy_from_slice(&[0; 4]);
    let mut maxp = maxp;
    if maxp.len() >= 32 {
        // maxSizeOfInstructions
        maxp.get_mut(26..28)?.copy_from_slice(&[0, 0]);
    }
    let mut out_tables: Vec<([u8; 4], Vec<u8>)> = Vec::new();
    for (tag, data) in &tables {
        if !KEPT_TABLES.contains(&tag) {
            continue;
        }
        let data = match tag {
            b"glyf" => new_glyf.clone(),
            b"loca" => new_loca.clone(),
            b"head" => head.clone(),
            b"maxp" => maxp.clone(),
            _ => data.clone(),
        };
        out_tables.push((*tag, data));
    }
    out_tables.sort_by_key(|t| t.0);

    let n = out_tables.len() as u16;
    let mut power = 1u16;
    let mut log = 0u16;
    while power * 2 <= n {
        power *= 2;
        log += 1;
    }
    let mut out = Vec::new();
    out.extend(0x0001_0000u32.to_be_bytes());
    out.extend(n.to_be_bytes());
    out.extend((power * 16).to_be_bytes());
    out.extend(log.to_be_bytes());
    out.extend((n * 16 - power * 16).to_be_bytes());
    let mut offset = 12 + 16 * out_tables.len();
    let mut body = Vec::new();
    for (tag, data) in &out_tables {
        out.extend(tag);
        out.extend(checksum(data).to_be_bytes());
        out.extend((offset as u32).to_be_bytes());
        out.extend((data.len() as u32).to_be_bytes());
        body.extend_from_slice(data);
        while body.len() % 4 != 0 {
            body.push(0);
        }
        offset = 12 + 16 * out_tables.len() + body.len();
    }
    out.extend(body);
    let adjustment = 0xB1B0_AFBAu32.wrapping_sub(checksum(&out));
    let head_offset = out_tables
        .iter()
        .position(|(t, _)| t == b"head")
        .and_then(|i| be32(&out, 12 + 16 * i + 8))? as usize;
    out.get_mut(head_offset + 8..head_offset + 12)?
        .copy_from_slice(&adjustment.to_be_bytes());
    Some(out)
}

/// The length of a simple glyph's flags and coordinates starting at `at` (the glyph data
/// from `loca` may carry padding after them).
fn outline_length(data: &[u8], header: usize, at: usize) -> Option<usize> {
    const X_SHORT: u8 = 0x02;
    const Y_SHORT: u8 = 0x04;
    const REPEAT: u8 = 0x08;
    const X_SAME: u8 = 0x10;
    const Y_SAME: u8 = 0x20;
    if header == 10 {
        return Some(0);
    }
    let points = usize::from(be16(data, header - 2)?) + 1;
    let mut cursor = at;
    let (mut seen, mut x_bytes, mut y_bytes) = (0, 0, 0);
    while seen < points {
        let flags = *data.get(cursor)?;
        cursor += 1;
        let mut count = 1;
        if flags & REPEAT != 0 {
            count += usize::from(*data.get(cursor)?);
            cursor += 1;
        }
        let x = if flags & X_SHORT != 0 {
            1
        } else if flags & X_SAME != 0 {
            0
        } else {
            2
        };
        let y = if flags & Y_SHORT != 0 {
            1
        } else if flags & Y_SAME != 0 {
            0
        } else {
            2
        };
        x_bytes += x * count;
        y_bytes += y * count;
        seen += count;
    }
    Some(cursor - at + x_bytes + y_bytes)
}

/// A composite glyph with its trailing instructions (and the flag announcing them) removed.
fn composite_without_instructions(data: &[u8]) -> Option<Vec<u8>> {
    const ARGS_ARE_WORDS: u16 = 0x0001;
    const HAVE_SCALE: u16 = 0x0008;
    const MORE_COMPONENTS: u16 = 0x0020;
    const HAVE_XY_SCALE: u16 = 0x0040;
    const HAVE_2X2: u16 = 0x0080;
    const HAVE_INSTRUCTIONS: u16 = 0x0100;
    let mut out = data.get(..10)?.to_vec();
    let mut at = 10;
    loop {
        let flags = be16(data, at)?;
        let mut size = 4 + if flags & ARGS_ARE_WORDS != 0 { 4 } else { 2 };
        if flags & HAVE_SCALE != 0 {
            size += 2;
        } else if flags & HAVE_XY_SCALE != 0 {
            size += 4;
        } else if flags & HAVE_2X2 != 0 {
            size += 8;
        }
        let start = out.len();
        out.extend_from_slice(data.get(at..at + size)?);
        let cleared = flags & !HAVE_INSTRUCTIONS;
        out.get_mut(start..start + 2)?
            .copy_from_slice(&cleared.to_be_bytes());
        at += size;
        if flags & MORE_COMPONENTS == 0 {
            return Some(out);
        }
    }
}

/// Six capital letters, the same for the same font in the same document.
fn subset_tag(seed: &[u8], font: &[u8]) -> String {
    let digest = Sha256::new()
        .chain_update(seed)
        .chain_update(font)
        .finalize();
    digest
        .iter()
        .take(6)
        .map(|b| char::from(b'A' + b % 26))
        .collect()
}

fn retag(name: &[u8], seed: &[u8]) -> Option<Vec<u8>> {
    let plus = name.iter().position(|&b| b == b'+')?;
    let (prefix, rest) = name.split_at(plus);
    let mut out = subset_tag(seed, prefix).into_bytes();
    out.extend_from_slice(rest);
    Some(out)
}

/// Gives a font dictionary's or descriptor's subset names their six-letter tag.
fn retag_names(dict: &mut lopdf::Dictionary, seed: &[u8]) {
    for key in [&b"BaseFont"[..], &b"FontName"[..]] {
        let renamed = match dict.get(key) {
            Ok(Object::Name(name)) => retag(name, seed),
            _ => None,
        };
        if let Some(name) = renamed {
            dict.set(key, Object::Name(name));
        }
    }
}

/// Strips every embedded TrueType program and gives every subset a proper tag.
pub fn slim_fonts(pdf: &mut lopdf::Document, seed: &[u8]) {
    let mut programs: Vec<ObjectId> = Vec::new();
    for object in pdf.objects.values_mut() {
        let Ok(dict) = object.as_dict_mut() else {
            continue;
        };
        retag_names(dict, seed);
        // printpdf writes the CIDFont inline in the Type0 font's DescendantFonts: its
        // /BaseFont must get the same tag as the FontDescriptor's /FontName (PDF 32000-1,
        // 9.7.4.1: they shall be the same).
        if let Ok(Object::Array(descendants)) = dict.get_mut(b"DescendantFonts") {
            for descendant in descendants.iter_mut() {
                if let Object::Dictionary(cid_font) = descendant {
                    retag_names(cid_font, seed);
                }
            }
        }
        if let Ok(Object::Reference(id)) = dict.get(b"FontFile2") {
            programs.push(*id);
        }
    }
    for id in programs {
        let Some(Object::Stream(stream)) = pdf.objects.get_mut(&id) else {
            continue;
        };
        let content = stream
            .decompressed_content()
            .unwrap_or_else(|_| stream.content.clone());
        if let Some(slim) = strip_truetype(&content) {
            stream
                .dict
                .set("Length1", Object::Integer(slim.len() as i64));
            stream.dict.remove(b"Filter");
            stream.set_plain_content(slim);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stripped_font_still_parses_and_keeps_its_glyphs() {
        let fonts = crate::fonts::FontSet::embedded().expect("fonts");
        let original = fonts.face(crate::fonts::Style::Regular).data;
        let slim = strip_truetype(original).expect("a TrueType font");
        assert!(slim.len() < original.len());
        let face = ttf_parser::Face::parse(&slim, 0).expect("parses");
        let glyph = face.glyph_index('Ж').expect("Cyrillic kept");
        assert!(face.outline_glyph(glyph, &mut NoPen).is_some());
        assert_eq!(
            face.glyph_hor_advance(glyph),
            ttf_parser::Face::parse(original, 0)
                .expect("parses")
                .glyph_hor_advance(glyph)
        );
    }

    struct NoPen;
    impl ttf_parser::OutlineBuilder for NoPen {
        fn move_to(&mut self, _: f32, _: f32) {}
        fn line_to(&mut self, _: f32, _: f32) {}
        fn quad_to(&mut self, _: f32, _: f32, _: f32, _: f32) {}
        fn curve_to(&mut self, _: f32, _: f32, _: f32, _: f32, _: f32, _: f32) {}
        fn close(&mut self) {}
    }

    #[test]
    fn the_inline_cid_font_is_named_as_its_descriptor() {
        use lopdf::{dictionary, Document};
        let mut pdf = Document::with_version("1.7");
        let descriptor = pdf.add_object(dictionary! {
            "Type" => "FontDescriptor",
            "FontName" => Object::Name(b"F1+SourceSans3-Regular".to_vec()),
        });
        let font = pdf.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "Type0",
            "BaseFont" => Object::Name(b"F1+SourceSans3-Regular".to_vec()),
            "DescendantFonts" => vec![Object::Dictionary(dictionary! {
                "Type" => "Font",
                "Subtype" => "CIDFontType2",
                "BaseFont" => Object::Name(b"F1+SourceSans3-Regular".to_vec()),
                "FontDescriptor" => descriptor,
            })],
        });
        slim_fonts(&mut pdf, b"seed");
        let name = |dict: &lopdf::Dictionary, key: &[u8]| {
            dict.get(key)
                .and_then(Object::as_name)
                .map(<[u8]>::to_vec)
                .expect("a name")
        };
        let font = pdf.get_dictionary(font).expect("font");
        let cid_font = match font.get(b"DescendantFonts") {
            Ok(Object::Array(fonts)) => fonts[0].as_dict().expect("inline CIDFont").clone(),
            other => panic!("{other:?}"),
        };
        let font_name = name(
            pdf.get_dictionary(descriptor).expect("descriptor"),
            b"FontName",
        );
        assert_eq!(name(&cid_font, b"BaseFont"), font_name);
        assert_eq!(name(font, b"BaseFont"), font_name);
        assert!(!font_name.starts_with(b"F1+"));
    }

    #[test]
    fn subset_tags_are_six_capitals() {
        let name = retag(b"F1+SourceSans3-Regular", b"seed").expect("has a tag");
        let name = String::from_utf8(name).expect("ascii");
        let (tag, rest) = name.split_once('+').expect("plus");
        assert_eq!(tag.len(), 6);
        assert!(tag.chars().all(|c| c.is_ascii_uppercase()));
        assert_eq!(rest, "SourceSans3-Regular");
    }
}
