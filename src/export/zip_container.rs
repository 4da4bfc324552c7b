//! The ZIP container of DOCX and EPUB, written around data we deflate ourselves.
//!
//! The `zip` crate (v8) creates a fresh deflate encoder for every entry and offers no way to
//! reuse one or to add data that is already deflated (only `raw_copy_file`, which needs a
//! `ZipArchive` to copy from). With zlib-rs each new encoder allocates and zeroes about
//! 380 KB of window and hash tables, which cost more than compressing our small parts. Here
//! one `Deflater` (libdeflate, see `super::deflate`) serves a whole package, with the header
//! fields the `zip` crate wrote. Drop this module once `zip` can reuse an encoder or take
//! data deflated elsewhere.
//!
//! What is written: local headers without extra fields (EPUB's `mimetype` must start at byte
//! 38), no data descriptors, a central directory with Unix permissions 0644, no ZIP64 (the
//! packages are far below 4 GiB and 65,535 entries; larger ones are refused).

use super::deflate::Deflater;

use crate::date::Timestamp;

/// How an entry is put into the container.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// As it is: `mimetype`, and data that is compressed already (PNG).
    Stored,
    /// Deflated at zlib's default level (6).
    Deflated,
}

const LOCAL_HEADER_SIGNATURE: u32 = 0x0403_4b50;
const CENTRAL_HEADER_SIGNATURE: u32 = 0x0201_4b50;
const END_OF_CENTRAL_DIRECTORY_SIGNATURE: u32 = 0x0605_4b50;
/// "Made by" a Unix system (high byte), so readers apply the permissions below; the low
/// byte repeats the version needed, as the `zip` crate writes it.
const MADE_ON_UNIX: u16 = 3 << 8;
/// A regular file with permissions 0644, in the high half as Unix tools read it.
const EXTERNAL_ATTRIBUTES: u32 = 0o100_644 << 16;
/// General purpose flag bit 11: the name is UTF-8.
const UTF8_NAME_FLAG: u16 = 1 << 11;

struct CentralRecord {
    name: String,
    method: Method,
    crc32: u32,
    compressed_size: u32,
    uncompressed_size: u32,
    local_header_offset: u32,
}

/// Writes a ZIP package entry by entry; `finish` adds the central directory.
pub struct ZipContainer {
    bytes: Vec<u8>,
    records: Vec<CentralRecord>,
    dos_time: u16,
    dos_date: u16,
    /// Created with the first deflated entry, used for every further one.
    deflater: Option<Deflater>,
}

impl ZipContainer {
    pub fn new(timestamp: Timestamp) -> ZipContainer {
        let (dos_date, dos_time) = timestamp.dos_date_time();
        ZipContainer {
            bytes: Vec::new(),
            records: Vec::new(),
            dos_time,
            dos_date,
            deflater: None,
        }
    }

    /// Adds one entry; `name` is its path inside the package.
    pub fn add(&mut self, name: &str, data: &[u8], method: Method) -> Result<(), String> {
        let too_large = || format!("{name} is too large for a ZIP without ZIP64");
        let local_header_offset = u32::try_from(self.bytes.len()).map_err(|_| too_large())?;
        let uncompressed_size = u32::try_from(data.len()).map_err(|_| too_large())?;
        let name_length =
            u16::try_from(name.len()).map_err(|_| format!("{name}: name too long"))?;
        let crc32 = crc32fast::hash(data);

        let header_start = self.bytes.len();
        self.put_local_header(name, name_length, method);
        let data_start = self.bytes.len();
        match method {
            Method::Stored => self.bytes.extend_from_slice(data),
            Method::Deflated => self
                .deflate(data)
                .map_err(|e| format!("cannot deflate {name}: {e}"))?,
        }
        let compressed_size =
            u32::try_from(self.bytes.len() - data_start).map_err(|_| too_large())?;
        // CRC and sizes are known only now; they sit at bytes 14..26 of the local header.
        let sizes = &mut self.bytes[header_start + 14..header_start + 26];
        sizes[0..4].copy_from_slice(&crc32.to_le_bytes());
        sizes[4..8].copy_from_slice(&compressed_size.to_le_bytes());
        sizes[8..12].copy_from_slice(&uncompressed_size.to_le_bytes());

        self.records.push(CentralRecord {
            name: name.to_owned(),
            method,
            crc32,
            compressed_size,
            uncompressed_size,
            local_header_offset,
        });
        Ok(())
    }

    /// Writes the central directory and returns the whole package.
    pub fn finish(mut self) -> Result<Vec<u8>, String> {
        let too_large = || "the package is too large for a ZIP without ZIP64".to_owned();
        let entry_count = u16::try_from(self.records.len()).map_err(|_| too_large())?;
        let directory_offset = u32::try_from(self.bytes.len()).map_err(|_| too_large())?;
        let records = std::mem::take(&mut self.records);
        for record in &records {
            let out = &mut self.bytes;
            put_u32(out, CENTRAL_HEADER_SIGNATURE);
            put_u16(out, MADE_ON_UNIX | version_needed(record.method));
            put_u16(out, version_needed(record.method));
            put_u16(out, name_flags(&record.name));
            put_u16(out, method_code(record.method));
            put_u16(out, self.dos_time);
            put_u16(out, self.dos_date);
            put_u32(out, record.crc32);
            put_u32(out, record.compressed_size);
            put_u32(out, record.uncompressed_size);
            // The length was checked when the entry was added.
            put_u16(out, record.name.len() as u16);
            put_u16(out, 0); // extra field length
            put_u16(out, 0); // comment length
            put_u16(out, 0); // disk number
            put_u16(out, 0); // internal attributes
            put_u32(out, EXTERNAL_ATTRIBUTES);
            put_u32(out, record.local_header_offset);
            out.extend_from_slice(record.name.as_bytes());
        }
        let directory_size =
            u32::try_from(self.bytes.len()).map_err(|_| too_large())? - directory_offset;
        let out = &mut self.bytes;
        put_u32(out, END_OF_CENTRAL_DIRECTORY_SIGNATURE);
        put_u16(out, 0); // this disk
        put_u16(out, 0); // disk with the central directory
        put_u16(out, entry_count);
        put_u16(out, entry_count);
        put_u32(out, directory_size);
        put_u32(out, directory_offset);
        put_u16(out, 0); // comment length
        Ok(self.bytes)
    }

    fn put_local_header(&mut self, name: &str, name_length: u16, method: Method) {
        let out = &mut self.bytes;
        put_u32(out, LOCAL_HEADER_SIGNATURE);
        put_u16(out, version_needed(method));
        put_u16(out, name_flags(name));
        put_u16(out, method_code(method));
        put_u16(out, self.dos_time);
        put_u16(out, self.dos_date);
        // CRC-32, compressed and uncompressed size: filled in by `add`.
        out.extend_from_slice(&[0; 12]);
        put_u16(out, name_length);
        put_u16(out, 0); // extra field length
        out.extend_from_slice(name.as_bytes());
    }

    /// Appends `data` as one raw deflate stream (no zlib header, as ZIP wants).
    fn deflate(&mut self, data: &[u8]) -> Result<(), String> {
        self.deflater
            .get_or_insert_with(Deflater::default)
            .raw(data, &mut self.bytes)
    }
}

fn version_needed(method: Method) -> u16 {
    match method {
        Method::Stored => 10,
        Method::Deflated => 20,
    }
}

fn method_code(method: Method) -> u16 {
    match method {
        Method::Stored => 0,
        Method::Deflated => 8,
    }
}

fn name_flags(name: &str) -> u16 {
    if name.is_ascii() {
        0
    } else {
        UTF8_NAME_FLAG
    }
}

fn put_u16(out: &mut Vec<u8>, value: u16) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn put_u32(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Read};

    fn read_back(package: Vec<u8>) -> Vec<(String, zip::CompressionMethod, Vec<u8>)> {
        let mut archive = zip::ZipArchive::new(Cursor::new(package)).expect("a readable ZIP");
        (0..archive.len())
            .map(|i| {
                let mut file = archive.by_index(i).expect("an entry");
                let mut data = Vec::new();
                file.read_to_end(&mut data).expect("data matching its CRC");
                (file.name().to_owned(), file.compression(), data)
            })
            .collect()
    }

    #[test]
    fn entries_read_back_in_order_with_their_methods() {
        let text = "Programme — Ünnepi nyitóbeszéd. ".repeat(2000);
        let mut zip = ZipContainer::new(Timestamp(1_700_000_000));
        zip.add("mimetype", b"application/epub+zip", Method::Stored)
            .unwrap();
        zip.add("EPUB/text.xhtml", text.as_bytes(), Method::Deflated)
            .unwrap();
        zip.add("EPUB/empty.css", b"", Method::Deflated).unwrap();
        zip.add("EPUB/képek/ábra.txt", b"short", Method::Deflated)
            .unwrap();
        let package = zip.finish().unwrap();

        assert_eq!(
            &package[30..38],
            b"mimetype",
            "mimetype right after the first header"
        );
        let entries = read_back(package);
        let names: Vec<&str> = entries.iter().map(|(name, _, _)| name.as_str()).collect();
        assert_eq!(
            names,
            [
                "mimetype",
                "EPUB/text.xhtml",
                "EPUB/empty.css",
                "EPUB/képek/ábra.txt"
            ]
        );
        assert_eq!(entries[0].1, zip::CompressionMethod::Stored);
        assert_eq!(entries[0].2, b"application/epub+zip");
        assert_eq!(entries[1].1, zip::CompressionMethod::Deflated);
        assert_eq!(entries[1].2, text.as_bytes());
        assert!(entries[2].2.is_empty());
        assert_eq!(entries[3].2, b"short");
    }

    #[test]
    fn same_input_gives_same_bytes() {
        let build = || {
            let mut zip = ZipContainer::new(Timestamp(1_700_000_000));
            zip.add("a.xml", b"<a/>", Method::Deflated).unwrap();
            zip.add("b.xml", &[7u8; 100_000], Method::Deflated).unwrap();
            zip.finish().unwrap()
        };
        assert_eq!(build(), build());
    }
}
