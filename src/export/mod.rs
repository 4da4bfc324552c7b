//! Writers: one module per output format, each a function of the document model.
//!
//! A writer returns the file's bytes; it never writes files (the pipeline does, atomically)
//! and never knows the other writers exist.

pub mod deflate;
pub mod docx;
pub mod epub;
pub mod pdf;
pub mod zip_container;

use std::fmt;

use crate::date::Timestamp;
use crate::fonts::FontSet;
use crate::model::Summary;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, clap::ValueEnum)]
pub enum Format {
    Pdf,
    Docx,
    Epub,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Pdf, Format::Docx, Format::Epub];

    pub fn extension(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Docx => "docx",
            Format::Epub => "epub",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.extension())
    }
}

/// What every writer may use besides the document: shared, read-only, the same for all jobs.
pub struct ExportContext<'a> {
    pub fonts: &'a FontSet,
    /// The date written into the file (`SOURCE_DATE_EPOCH` or the source's revision date).
    pub timestamp: Timestamp,
    /// The faces every DOCX of the run embeds, cut once per run; `None` for a document
    /// written on its own, whose DOCX then embeds faces cut for it.
    pub docx_faces: Option<&'a docx::SharedFaces>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("the {0} writer is not available yet")]
    NotAvailable(Format),
    /// The content cannot be rendered as it is (e.g. a character no font has).
    #[error("{0}")]
    Content(String),
    /// A library failed to produce the file.
    #[error("{format} writer: {message}")]
    Writer { format: Format, message: String },
}

/// Renders one document in one format.
pub fn export(format: Format, doc: &Summary, ctx: &ExportContext) -> Result<Vec<u8>, ExportError> {
    match format {
        Format::Pdf => pdf::write(doc, ctx),
        Format::Docx => docx::write(doc, ctx),
        Format::Epub => epub::write(doc, ctx),
    }
}
