//! Deflate for every file polypress writes: ZIP entries (DOCX, EPUB, raw deflate) and PDF
//! streams (zlib format).
//!
//! libdeflate compresses whole buffers, which is all we ever have, and at its default level
//! took a third of the time zlib-rs (flate2's backend) took at zlib's default level on our
//! parts (fonts, XML, content streams), for slightly smaller output. One compressor serves a
//! whole file: making one allocates its match-finder tables.

use libdeflater::{CompressionLvl, Compressor};

/// Deflates whole buffers, one after another.
pub struct Deflater {
    compressor: Compressor,
}

impl Default for Deflater {
    fn default() -> Self {
        Deflater {
            compressor: Compressor::new(CompressionLvl::default()),
        }
    }
}

impl Deflater {
    /// Appends `data` to `out` as one raw deflate stream (no header), as ZIP stores it.
    pub fn raw(&mut self, data: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
        let start = out.len();
        out.resize(
            start + self.compressor.deflate_compress_bound(data.len()),
            0,
        );
        match self.compressor.deflate_compress(data, &mut out[start..]) {
            Ok(written) => {
                out.truncate(start + written);
                Ok(())
            }
            Err(e) => {
                out.truncate(start);
                Err(format!("libdeflate: {e:?}"))
            }
        }
    }

    /// `data` as one zlib stream (header and Adler-32), as a PDF `FlateDecode` stream holds it.
    pub fn zlib(&mut self, data: &[u8]) -> Result<Vec<u8>, String> {
        let mut out = vec![0; self.compressor.zlib_compress_bound(data.len())];
        let written = self
            .compressor
            .zlib_compress(data, &mut out)
            .map_err(|e| format!("libdeflate: {e:?}"))?;
        out.truncate(written);
        // The buffer was sized for the worst case, about the input's size: a long
        // document's compressed pages would keep that room until the file is written.
        out.shrink_to_fit();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn streams_inflate_back_to_the_input() {
        let text = "Közös európai adatbázis — общ европейски регистър. ".repeat(200);
        let mut deflater = Deflater::default();
        for data in [text.as_bytes(), b"", &[0u8; 70_000][..]] {
            let mut raw = b"prefix".to_vec();
            deflater.raw(data, &mut raw).expect("deflates");
            assert_eq!(&raw[..6], b"prefix", "appends");
            let mut back = Vec::new();
            flate2::read::DeflateDecoder::new(&raw[6..])
                .read_to_end(&mut back)
                .expect("inflates");
            assert_eq!(back, data);

            let zlib = deflater.zlib(data).expect("deflates");
            let mut back = Vec::new();
            flate2::read::ZlibDecoder::new(&zlib[..])
                .read_to_end(&mut back)
                .expect("inflates");
            assert_eq!(back, data);
        }
        let mut small = Vec::new();
        deflater.raw(text.as_bytes(), &mut small).expect("deflates");
        assert!(small.len() * 10 < text.len(), "repeated text compresses");
    }
}
