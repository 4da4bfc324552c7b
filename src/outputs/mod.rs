//! The output folder: what an output is called, how it is written, and who may write there.
//!
//! Both the build (`pipeline`) and the manifest use this module; neither uses the other's
//! internals to name or write a file.

pub mod atomic;
pub mod lock;

pub use atomic::{remove_stale_temps, write_atomically, write_output};
pub use lock::{FolderLock, LockError};

use crate::export::Format;

/// The key of a job, which is also its output's path relative to the output folder:
/// `<lang>/<id>.<lang>.<ext>`, e.g. `bg/city-webinar-3.bg.pdf`. The language is in the file
/// name as well as in the folder, so that a file taken out of its folder (attached to a
/// mail, put on a shared drive beside the other translations) still says which one it is.
pub fn job_key(lang: &str, id: &str, format: Format) -> String {
    format!("{lang}/{id}.{lang}.{}", format.extension())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_names_the_language_in_the_folder_and_the_file() {
        assert_eq!(
            job_key("bg", "city-webinar-3", Format::Pdf),
            "bg/city-webinar-3.bg.pdf"
        );
        assert_eq!(job_key("pt-BR", "x", Format::Epub), "pt-BR/x.pt-BR.epub");
    }
}
