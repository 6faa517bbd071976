//! File sizes as users write them (`64MiB`, `100 MB`, `1048576`) and as
//! podlint prints them.

use std::fmt;
use std::str::FromStr;

/// A number of bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ByteSize(pub u64);

const KIB: u64 = 1024;
const MIB: u64 = 1024 * KIB;
const GIB: u64 = 1024 * MIB;

/// Units by name, compared without case: binary (KiB) and decimal (KB).
const UNITS: &[(&str, u64)] = &[
    ("b", 1),
    ("kib", KIB),
    ("mib", MIB),
    ("gib", GIB),
    ("kb", 1000),
    ("mb", 1000 * 1000),
    ("gb", 1000 * 1000 * 1000),
];

impl FromStr for ByteSize {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let digits = text
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len());
        let (number, unit) = text.split_at(digits);
        let unit = unit.trim().to_ascii_lowercase();
        let invalid = || {
            format!(
                "`{text}` is not a size: write a whole number of bytes, or one with a unit: KiB, MiB, GiB (binary) or KB, MB, GB (decimal), e.g. 128MiB"
            )
        };
        let number: u64 = number.parse().map_err(|_| invalid())?;
        let multiplier = if unit.is_empty() {
            1
        } else {
            UNITS
                .iter()
                .find(|(name, _)| *name == unit)
                .map(|&(_, m)| m)
                .ok_or_else(invalid)?
        };
        match number.checked_mul(multiplier) {
            Some(0) => Err(format!("`{text}`: the size must be more than 0")),
            Some(bytes) => Ok(ByteSize(bytes)),
            None => Err(format!("`{text}` is too large")),
        }
    }
}

impl fmt::Display for ByteSize {
    /// Whole units as written (`64 MiB`), other sizes to a tenth (`70.3 MiB`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = self.0;
        let (unit, size) = [("GiB", GIB), ("MiB", MIB), ("KiB", KIB)]
            .into_iter()
            .find(|&(_, size)| bytes >= size)
            .unwrap_or(("bytes", 1));
        if bytes % size == 0 {
            write!(f, "{} {unit}", bytes / size)
        } else {
            write!(f, "{:.1} {unit}", bytes as f64 / size as f64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ByteSize;

    #[test]
    fn reads_bytes_binary_and_decimal_units() {
        let parse = |text: &str| text.parse::<ByteSize>().map(|s| s.0);
        assert_eq!(parse("1048576"), Ok(1_048_576));
        assert_eq!(parse("64MiB"), Ok(64 * 1024 * 1024));
        assert_eq!(parse("64 mib"), Ok(64 * 1024 * 1024));
        assert_eq!(parse("100MB"), Ok(100_000_000));
        assert_eq!(parse("2 GiB"), Ok(2 * 1024 * 1024 * 1024));
        assert_eq!(parse("512KiB"), Ok(512 * 1024));
        assert!(parse("64M").unwrap_err().contains("not a size"));
        assert!(parse("MiB").unwrap_err().contains("not a size"));
        assert!(parse("-1").unwrap_err().contains("not a size"));
        assert!(parse("0").unwrap_err().contains("more than 0"));
        assert!(parse("99999999999GiB").unwrap_err().contains("too large"));
    }

    #[test]
    fn prints_whole_units_plainly_and_others_to_a_tenth() {
        assert_eq!(ByteSize(64 * 1024 * 1024).to_string(), "64 MiB");
        assert_eq!(ByteSize(1024 * 1024 * 1024).to_string(), "1 GiB");
        assert_eq!(ByteSize(73_700_000).to_string(), "70.3 MiB");
        assert_eq!(ByteSize(1000).to_string(), "1000 bytes");
        assert_eq!(ByteSize(1536).to_string(), "1.5 KiB");
    }
}
