//! Validated value newtypes. Each has a `parse` that is the only way in, so a value of the type is
//! always valid (zero-to-production style).

use crate::ParseError;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Console and label language. Simplified Chinese is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    #[serde(rename = "zh-CN")]
    Zh,
    #[serde(rename = "en")]
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Lang {
        if s.trim().to_ascii_lowercase().starts_with("en") {
            Lang::En
        } else {
            Lang::Zh
        }
    }
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
}

macro_rules! string_newtype {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                $name::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

string_newtype!(
    /// Customer number (户号): exactly 10 digits, unique in the company.
    CustomerNo
);
string_newtype!(
    /// Phone number: a mainland mobile number (11 digits starting 1[3-9]) or a landline with area
    /// code (0 + 2-3 digits, then 7-8 digits). Stored without separators.
    PhoneNumber
);
string_newtype!(
    /// Resident identity card number (18 characters, ISO 7064 MOD 11-2 check digit).
    IdNumber
);
string_newtype!(
    /// Code of an organisation unit, substation, feeder, transformer area or meter:
    /// 1-32 characters of ASCII letters, digits, '-' and '_'.
    Code
);
string_newtype!(
    /// E-mail address (shape check only: local@domain.tld).
    Email
);

impl CustomerNo {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let t = s.trim();
        if t.len() != 10 || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ParseError::new(
                "customer_no",
                format!("{t:?} is not a customer number: expected exactly 10 digits"),
            ));
        }
        Ok(Self(t.to_owned()))
    }
}

impl PhoneNumber {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let digits: String = s
            .trim()
            .trim_start_matches("+86")
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
            .collect();
        let bad = || {
            ParseError::new(
                "phone",
                format!(
                    "{:?} is not a phone number: expected an 11-digit mobile number or a landline with area code",
                    s.trim()
                ),
            )
        };
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let b = digits.as_bytes();
        let mobile = b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]);
        let landline = (10..=12).contains(&b.len()) && b[0] == b'0' && b[1] != b'0';
        if mobile || landline {
            Ok(Self(digits))
        } else {
            Err(bad())
        }
    }
}

impl IdNumber {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let t = s.trim().to_ascii_uppercase();
        let b = t.as_bytes();
        let shape = b.len() == 18
            && b[..17].iter().all(u8::is_ascii_digit)
            && (b[17].is_ascii_digit() || b[17] == b'X');
        if !shape {
            return Err(ParseError::new(
                "id_number",
                "expected 18 characters: 17 digits and a check digit 0-9 or X",
            ));
        }
        if Self::check_digit(&b[..17]) != b[17] {
            return Err(ParseError::new("id_number", "check digit does not match"));
        }
        Ok(Self(t))
    }

    /// GB 11643 check digit over the first 17 digits.
    pub fn check_digit(first17: &[u8]) -> u8 {
        const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = first17
            .iter()
            .zip(W)
            .map(|(d, w)| u32::from(d - b'0') * w)
            .sum();
        b"10X98765432"[(sum % 11) as usize]
    }
}

impl Code {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        Self::parse_field("code", s)
    }

    /// Like `parse` but names the given field in the error (e.g. "area_code").
    pub fn parse_field(field: &'static str, s: &str) -> Result<Self, ParseError> {
        let t = s.trim();
        let ok = !t.is_empty()
            && t.len() <= 32
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(t.to_owned()))
        } else {
            Err(ParseError::new(
                field,
                format!("{t:?} is not a code: 1-32 ASCII letters, digits, '-' or '_'"),
            ))
        }
    }
}

impl Email {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let t = s.trim();
        let ok = match t.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !t.contains(char::is_whitespace)
                    && t.len() <= 254
            }
            None => false,
        };
        if ok {
            Ok(Self(t.to_owned()))
        } else {
            Err(ParseError::new(
                "email",
                format!("{t:?} is not an e-mail address"),
            ))
        }
    }
}

/// Parses a decimal, rejecting floats' exponent notation and naming the field on failure.
pub fn parse_decimal(field: &'static str, s: &str) -> Result<Decimal, ParseError> {
    s.trim()
        .replace(',', "")
        .parse::<Decimal>()
        .map_err(|_| ParseError::new(field, format!("{:?} is not a decimal number", s.trim())))
}

/// Nominal voltage level of a supply point, in kV. Only the standard Chinese levels exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(transparent)]
#[schema(value_type = String, example = "10")]
pub struct VoltageKv(Decimal);

impl VoltageKv {
    /// GB/T 156 standard levels used in distribution and transmission, kV.
    pub const LEVELS: [&'static str; 10] = [
        "0.22", "0.38", "10", "20", "35", "66", "110", "220", "330", "500",
    ];

    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let t = s.trim().trim_end_matches(['k', 'K', 'v', 'V']).trim();
        let d = parse_decimal("voltage_kv", t)?.normalize();
        if Self::LEVELS
            .iter()
            .any(|l| l.parse::<Decimal>().ok() == Some(d))
        {
            Ok(Self(d))
        } else {
            Err(ParseError::new(
                "voltage_kv",
                format!(
                    "{t:?} kV is not a standard voltage level ({})",
                    Self::LEVELS.join(", ")
                ),
            ))
        }
    }
    pub fn kv(self) -> Decimal {
        self.0
    }
    /// High voltage means 10 kV and above (D1, D5).
    pub fn is_high_voltage(self) -> bool {
        self.0 >= Decimal::TEN
    }
}

impl fmt::Display for VoltageKv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Reads a JSON string or number as text, so decimal newtypes accept both "10" and 10.
fn text_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    })
}

impl<'de> Deserialize<'de> for VoltageKv {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        VoltageKv::parse(&text_or_number(d)?).map_err(serde::de::Error::custom)
    }
}

impl<'de> Deserialize<'de> for CapacityKva {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        CapacityKva::parse(&text_or_number(d)?).map_err(serde::de::Error::custom)
    }
}

/// Contracted capacity in kVA: positive, at most 2,000,000 kVA, two decimals at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(transparent)]
#[schema(value_type = String, example = "630")]
pub struct CapacityKva(Decimal);

impl CapacityKva {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let d = parse_decimal("capacity_kva", s)?;
        Self::new(d)
    }
    pub fn new(d: Decimal) -> Result<Self, ParseError> {
        if d <= Decimal::ZERO || d > Decimal::from(2_000_000) || d.scale() > 2 {
            return Err(ParseError::new(
                "capacity_kva",
                format!(
                    "{d} is not a capacity: expected 0 < kVA <= 2000000 with at most 2 decimals"
                ),
            ));
        }
        Ok(Self(d.normalize()))
    }
    pub fn kva(self) -> Decimal {
        self.0
    }
}

impl fmt::Display for CapacityKva {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An amount of money in yuan (CNY), exact to the fen. Never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, utoipa::ToSchema)]
#[schema(value_type = String, example = "123.45")]
pub struct Money(Decimal);

/// Always two decimals ("0.00", "12.30"), as on a bill.
impl Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Money::parse("amount", &text_or_number(d)?).map_err(serde::de::Error::custom)
    }
}

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// Parses an amount with at most two decimals (fen). Negative amounts are allowed (refunds,
    /// adjustments); callers that need a positive amount check `is_positive`.
    pub fn parse(field: &'static str, s: &str) -> Result<Self, ParseError> {
        let d = parse_decimal(field, s.trim().trim_start_matches('¥'))?;
        Self::new(field, d)
    }
    pub fn new(field: &'static str, d: Decimal) -> Result<Self, ParseError> {
        if d.normalize().scale() > 2 {
            return Err(ParseError::new(
                field,
                format!("{d} has more than two decimals (fen)"),
            ));
        }
        if d.abs() > Decimal::from(1_000_000_000_000i64) {
            return Err(ParseError::new(field, format!("{d} is out of range")));
        }
        Ok(Self(d.round_dp(2)))
    }
    /// From fen (1/100 yuan); infallible for the ranges the generator uses.
    pub fn from_fen(fen: i64) -> Self {
        Self(Decimal::new(fen, 2))
    }
    pub fn yuan(self) -> Decimal {
        self.0
    }
    pub fn is_positive(self) -> bool {
        self.0 > Decimal::ZERO
    }
}

impl std::ops::Add for Money {
    type Output = Money;
    fn add(self, o: Money) -> Money {
        Money(self.0 + o.0)
    }
}
impl std::ops::Sub for Money {
    type Output = Money;
    fn sub(self, o: Money) -> Money {
        Money(self.0 - o.0)
    }
}
impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + b)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.2}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customer_no_is_ten_digits() {
        assert!(CustomerNo::parse("0100000001").is_ok());
        assert_eq!(
            CustomerNo::parse(" 0100000001 ").unwrap().as_str(),
            "0100000001"
        );
        for bad in ["", "123", "01000000011", "01000000a1"] {
            let e = CustomerNo::parse(bad).unwrap_err();
            assert_eq!(e.field, "customer_no");
        }
    }

    #[test]
    fn phone_accepts_mobile_and_landline() {
        assert_eq!(
            PhoneNumber::parse("138-0013-8000").unwrap().as_str(),
            "13800138000"
        );
        assert_eq!(
            PhoneNumber::parse("+86 13800138000").unwrap().as_str(),
            "13800138000"
        );
        assert_eq!(
            PhoneNumber::parse("010-62345678").unwrap().as_str(),
            "01062345678"
        );
        for bad in ["12800138000", "1380013800", "abc", "95598", "00062345678"] {
            assert!(PhoneNumber::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn id_number_checks_digit() {
        // 11010519491231002X is the standard GB 11643 example.
        assert!(IdNumber::parse("11010519491231002x").is_ok());
        assert!(IdNumber::parse("110105194912310021").is_err());
        assert!(IdNumber::parse("1101051949123100").is_err());
    }

    #[test]
    fn voltage_only_standard_levels() {
        assert_eq!(VoltageKv::parse("10kV").unwrap().to_string(), "10");
        assert_eq!(VoltageKv::parse("0.380").unwrap().to_string(), "0.38");
        assert!(VoltageKv::parse("10").unwrap().is_high_voltage());
        assert!(VoltageKv::parse("0.4").is_err());
        assert!(!VoltageKv::parse("0.22").unwrap().is_high_voltage());
    }

    #[test]
    fn capacity_and_money_bounds() {
        assert!(CapacityKva::parse("630").is_ok());
        assert!(CapacityKva::parse("0").is_err());
        assert!(CapacityKva::parse("-5").is_err());
        assert!(CapacityKva::parse("1.234").is_err());
        assert_eq!(
            Money::parse("amount", "¥1,234.5").unwrap().to_string(),
            "1234.50"
        );
        assert!(Money::parse("amount", "1.234").is_err());
        assert_eq!(Money::parse("amount", "x").unwrap_err().field, "amount");
        assert_eq!(Money::from_fen(12345).to_string(), "123.45");
        assert_eq!(serde_json::to_string(&Money::ZERO).unwrap(), "\"0.00\"");
        assert_eq!(
            serde_json::from_str::<Money>("\"1.5\"").unwrap(),
            Money::from_fen(150)
        );
        assert!(serde_json::from_str::<Money>("\"1.555\"").is_err());
    }

    #[test]
    fn codes_and_emails() {
        assert!(Code::parse("SUB-001").is_ok());
        assert!(Code::parse("a b").is_err());
        assert_eq!(
            Code::parse_field("area_code", "").unwrap_err().field,
            "area_code"
        );
        assert!(Email::parse("a@b.cn").is_ok());
        assert!(Email::parse("a@b").is_err());
    }
}
