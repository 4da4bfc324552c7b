//! The pdf writer (not written yet).

use super::{ExportContext, ExportError, Format};
use crate::model::Summary;

pub fn write(_doc: &Summary, _ctx: &ExportContext) -> Result<Vec<u8>, ExportError> {
    Err(ExportError::NotAvailable(Format::Pdf))
}
