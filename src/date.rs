//! Calendar arithmetic for the dates written into outputs.
//!
//! Outputs never read the clock: a date comes from `SOURCE_DATE_EPOCH` or from the source's
//! `<revised>` date, so two builds of the same input give the same bytes.

use crate::model::Summary;

/// The `SOURCE_DATE_EPOCH` values outputs can carry: from 1980-01-01T00:00:00Z (ZIP dates,
/// in DOCX and EPUB, start there) to 9999-12-31T23:59:59Z (EPUB, OOXML and PDF dates have
/// four-digit years).
pub const SOURCE_DATE_EPOCH_RANGE: std::ops::RangeInclusive<i64> = 315_532_800..=253_402_300_799;

/// Seconds since 1970-01-01T00:00:00Z, as `SOURCE_DATE_EPOCH` counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// The timestamp a document's outputs carry: `SOURCE_DATE_EPOCH` when given, otherwise
    /// midnight UTC of the source's revision date.
    pub fn for_document(doc: &Summary, source_date_epoch: Option<i64>) -> Timestamp {
        source_date_epoch
            .map(Timestamp)
            .or_else(|| parse_ymd(&doc.meta.revised).map(|(y, m, d)| Timestamp::from_ymd(y, m, d)))
            .unwrap_or(Timestamp(0))
    }

    pub fn from_ymd(year: i64, month: u32, day: u32) -> Timestamp {
        Timestamp(days_from_civil(year, month, day) * 86_400)
    }

    /// (year, month, day, hour, minute, second) in UTC.
    pub fn civil(self) -> (i64, u32, u32, u32, u32, u32) {
        let days = self.0.div_euclid(86_400);
        let secs = self.0.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        (
            y,
            m,
            d,
            (secs / 3600) as u32,
            (secs / 60 % 60) as u32,
            (secs % 60) as u32,
        )
    }

    /// `CCYY-MM-DDThh:mm:ssZ`, the form EPUB, OOXML core properties and XMP use.
    pub fn iso8601(self) -> String {
        let (y, mo, d, h, mi, s) = self.civil();
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    }

    /// The date for ZIP entries (DOCX, EPUB) as MS-DOS packs it: `(date, time)`. ZIP dates
    /// run from 1980 to 2107 in local time without a zone, to two seconds; the UTC date is
    /// written, clamped into that range.
    pub fn dos_date_time(self) -> (u16, u16) {
        let (year, month, day, hour, minute, second) = self.civil();
        let (year, month, day, hour, minute, second) = if (1980..=2107).contains(&year) {
            (year, month, day, hour, minute, second)
        } else {
            (year.clamp(1980, 2107), 1, 1, 0, 0, 0)
        };
        let date = ((year - 1980) as u16) << 9 | (month as u16) << 5 | day as u16;
        let time = (hour as u16) << 11 | (minute as u16) << 5 | (second / 2) as u16;
        (date, time)
    }

    /// `D:YYYYMMDDHHmmSSZ`, the PDF date form.
    pub fn pdf_date(self) -> String {
        let (y, mo, d, h, mi, s) = self.civil();
        format!("D:{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}Z")
    }
}

/// Parses `YYYY-MM-DD`, checking that the day exists.
pub fn parse_ymd(s: &str) -> Option<(i64, u32, u32)> {
    let mut parts = s.trim().splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (y, m, d): (i64, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    Some((y, m, d))
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's days_from_civil / civil_from_days.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    #[test]
    fn dos_dates_are_the_ones_the_zip_crate_computes() {
        for epoch in [
            0,
            315_532_800,
            1_700_000_001,
            1_735_689_599,
            4_354_819_200,
            9_999_999_999,
        ] {
            let (date, time) = Timestamp(epoch).dos_date_time();
            let (y, mo, d, h, mi, s) = Timestamp(epoch).civil();
            let exact = (1980..=2107).contains(&y);
            let reference = zip::DateTime::from_date_and_time(
                y.clamp(1980, 2107) as u16,
                if exact { mo as u8 } else { 1 },
                if exact { d as u8 } else { 1 },
                if exact { h as u8 } else { 0 },
                if exact { mi as u8 } else { 0 },
                if exact { s as u8 } else { 0 },
            )
            .expect("a ZIP date");
            assert_eq!(
                (date, time),
                (reference.datepart(), reference.timepart()),
                "{epoch}"
            );
        }
    }

    use super::*;

    #[test]
    fn the_accepted_range_is_1980_to_9999() {
        assert_eq!(
            Timestamp(*SOURCE_DATE_EPOCH_RANGE.start()).iso8601(),
            "1980-01-01T00:00:00Z"
        );
        assert_eq!(
            Timestamp(*SOURCE_DATE_EPOCH_RANGE.end()).iso8601(),
            "9999-12-31T23:59:59Z"
        );
    }

    #[test]
    fn round_trips_dates() {
        assert_eq!(
            Timestamp::from_ymd(2026, 11, 21).iso8601(),
            "2026-11-21T00:00:00Z"
        );
        assert_eq!(Timestamp(1_700_000_000).iso8601(), "2023-11-14T22:13:20Z");
        assert_eq!(Timestamp(0).pdf_date(), "D:19700101000000Z");
        assert_eq!(parse_ymd("2024-02-30"), None);
        assert_eq!(parse_ymd("2024-02-29"), Some((2024, 2, 29)));
    }
}
