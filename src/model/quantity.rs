//! Kubernetes resource quantities (`500m`, `1Gi`, `1e3`), compared exactly.

use std::cmp::Ordering;

/// A quantity as `mantissa × 10^exponent`, with binary suffixes folded into
/// the mantissa, so that `1Gi` = `1024Mi` and `0.5` = `500m` compare equal.
#[derive(Clone, Copy, Debug)]
pub struct Quantity {
    mantissa: u128,
    exponent: i32,
}

impl Quantity {
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let text = text.strip_prefix('+').unwrap_or(text);
        let number_end = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(text.len());
        let (number, suffix) = text.split_at(number_end);
        if number.is_empty() || number == "." || number.matches('.').count() > 1 {
            return None;
        }
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        let digits = format!("{whole}{fraction}");
        let mut mantissa: u128 = digits.parse().ok()?;
        let mut exponent = -i32::try_from(fraction.len()).ok()?;
        let (binary, decimal): (u32, i32) = match suffix {
            "" => (0, 0),
            "Ki" => (10, 0),
            "Mi" => (20, 0),
            "Gi" => (30, 0),
            "Ti" => (40, 0),
            "Pi" => (50, 0),
            "Ei" => (60, 0),
            "n" => (0, -9),
            "u" => (0, -6),
            "m" => (0, -3),
            "k" => (0, 3),
            "M" => (0, 6),
            "G" => (0, 9),
            "T" => (0, 12),
            "P" => (0, 15),
            "E" => (0, 18),
            _ => {
                let power = suffix.strip_prefix(['e', 'E'])?;
                (0, power.parse().ok()?)
            }
        };
        mantissa = mantissa.checked_mul(1u128.checked_shl(binary)?)?;
        exponent = exponent.checked_add(decimal)?;
        Some(Quantity { mantissa, exponent })
    }
}

impl Quantity {
    /// The digits, binary suffixes folded in: the value is
    /// `mantissa × 10^exponent`.
    pub fn mantissa(&self) -> u128 {
        self.mantissa
    }

    pub fn exponent(&self) -> i32 {
        self.exponent
    }
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Quantity {}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Quantity {
    fn cmp(&self, other: &Self) -> Ordering {
        if self.mantissa == 0 || other.mantissa == 0 {
            return self.mantissa.cmp(&other.mantissa);
        }
        // Bring both to the smaller exponent; a scale that overflows means
        // that side is larger than anything the other can hold.
        let (low, high, flipped) = if self.exponent <= other.exponent {
            (self, other, false)
        } else {
            (other, self, true)
        };
        let scale =
            u32::try_from(i64::from(high.exponent) - i64::from(low.exponent)).unwrap_or(u32::MAX);
        let ordering = match 10u128
            .checked_pow(scale)
            .and_then(|s| high.mantissa.checked_mul(s))
        {
            Some(scaled) => low.mantissa.cmp(&scaled),
            None => Ordering::Less,
        };
        if flipped {
            ordering.reverse()
        } else {
            ordering
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Quantity;

    fn q(text: &str) -> Quantity {
        Quantity::parse(text).unwrap_or_else(|| panic!("{text} should parse"))
    }

    #[test]
    fn equal_forms_compare_equal() {
        assert_eq!(q("500m"), q("0.5"));
        assert_eq!(q("1Gi"), q("1024Mi"));
        assert_eq!(q("1e3"), q("1k"));
        assert_eq!(q("1E3"), q("1000"));
        assert_eq!(q("0.1"), q("100m"));
    }

    #[test]
    fn orders_exactly() {
        assert!(q("1G") < q("1Gi"));
        assert!(q("501m") > q("0.5"));
        assert!(q("2") > q("1999m"));
        assert!(q("1Ei") > q("1n"));
    }

    #[test]
    fn rejects_invalid() {
        for bad in ["", "1GB", "lots", "1.2.3", "Gi", "1Q"] {
            assert!(Quantity::parse(bad).is_none(), "{bad}");
        }
    }
}
