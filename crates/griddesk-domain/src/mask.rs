//! Masking of customer personal information (D12). Everything a response or page shows of a
//! phone, identity number, exact address or bank account goes through these functions unless the
//! reader has explicitly unmasked it (access-control issue).

use crate::values::{IdNumber, PhoneNumber};

/// 13812341234 -> 138****1234; landline 01062345678 -> 010****5678.
pub fn phone(p: &PhoneNumber) -> String {
    let s = p.as_str();
    let head = if s.starts_with('0') && s.len() >= 11 {
        4
    } else {
        3
    };
    let head = if s.starts_with("01") || s.starts_with("02") {
        3
    } else {
        head
    };
    format!("{}****{}", &s[..head], &s[s.len() - 4..])
}

/// wang.li@example.com -> w***@example.com; anything that is not an address -> ***.
pub fn email(e: &str) -> String {
    match e.split_once('@') {
        Some((user, domain)) if !user.is_empty() => {
            let first: String = user.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        _ => "***".to_owned(),
    }
}

/// A phone number or e-mail address, whichever it is.
pub fn recipient(r: &str) -> String {
    match PhoneNumber::parse(r) {
        Ok(p) => phone(&p),
        Err(_) => email(r),
    }
}

/// 11010519491231002X -> 110***********002X
pub fn id_number(id: &IdNumber) -> String {
    let s = id.as_str();
    format!(
        "{}{}{}",
        &s[..3],
        "*".repeat(s.len() - 7),
        &s[s.len() - 4..]
    )
}

/// Keeps the address up to the first digit (district, road, village) and hides house, building
/// and room numbers: "朝阳区建国路12号3栋" -> "朝阳区建国路****". Without digits, keeps the first
/// two thirds, at least two characters.
pub fn address(a: &str) -> String {
    let chars: Vec<char> = a.trim().chars().collect();
    let keep = match chars.iter().position(|c| c.is_ascii_digit()) {
        Some(i) => i,
        None => (chars.len() * 2 / 3).max(2).min(chars.len()),
    };
    let mut out: String = chars[..keep].iter().collect();
    if keep < chars.len() {
        out.push_str("****");
    }
    out
}

/// Bank account: only the last four digits.
pub fn bank_account(acct: &str) -> String {
    let digits: Vec<char> = acct.chars().filter(char::is_ascii_digit).collect();
    let tail: String = digits[digits.len().saturating_sub(4)..].iter().collect();
    format!("**** **** **** {tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipients_are_masked_as_phone_or_address() {
        assert_eq!(recipient("13812341234"), "138****1234");
        assert_eq!(recipient("wang.li@example.com"), "w***@example.com");
        assert_eq!(recipient("@x"), "***");
    }

    #[test]
    fn masks() {
        assert_eq!(
            phone(&PhoneNumber::parse("13812341234").unwrap()),
            "138****1234"
        );
        assert_eq!(
            phone(&PhoneNumber::parse("01062345678").unwrap()),
            "010****5678"
        );
        assert_eq!(
            phone(&PhoneNumber::parse("057187654321").unwrap()),
            "0571****4321"
        );
        assert_eq!(
            id_number(&IdNumber::parse("11010519491231002X").unwrap()),
            "110***********002X"
        );
        assert_eq!(address("朝阳区建国路12号3栋"), "朝阳区建国路****");
        assert_eq!(address("城关镇东村"), "城关镇****");
        assert_eq!(bank_account("6222 0212 3456 7890"), "**** **** **** 7890");
    }
}
