//! Arrow schemas of the four lake tables and the exact conversions between domain values and
//! their stored form (decimals as `Decimal128(18, 2)`, dates as `Date32`, instants as
//! microseconds since the epoch in UTC). docs/lake.md documents the same schemas for people.

use crate::{LakeError, Result};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use rust_decimal::Decimal;
use std::sync::{Arc, LazyLock};

/// Table (directory) names under the lake root.
pub const BILLS: &str = "bills";
pub const PAYMENTS: &str = "payments";
pub const READINGS: &str = "readings";
pub const LOAD_CURVES: &str = "load_curves";
/// Every table, in the order they are documented.
pub const TABLES: [&str; 4] = [BILLS, PAYMENTS, READINGS, LOAD_CURVES];

/// Name of the hive-style partition column (`month=YYYY-MM` directories). Not stored in files.
pub const MONTH: &str = "month";

/// Precision and scale of every stored decimal (money in yuan, energy in kWh).
pub const DECIMAL_PRECISION: u8 = 18;
pub const DECIMAL_SCALE: i8 = 2;

/// Points of a daily load curve (one per 15 minutes).
pub const CURVE_POINTS: i32 = 96;

/// Timezone tag of stored timestamps.
pub const UTC: &str = "UTC";

fn decimal() -> DataType {
    DataType::Decimal128(DECIMAL_PRECISION, DECIMAL_SCALE)
}

fn timestamp() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some(UTC.into()))
}

/// The item field of the load-curve list column.
pub fn curve_item_field() -> Arc<Field> {
    Arc::new(Field::new("item", DataType::Float32, false))
}

static BILLS_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(vec![
        Field::new("bill_no", DataType::Utf8, false),
        Field::new("customer_no", DataType::Utf8, false),
        Field::new("consumption_kwh", decimal(), false),
        Field::new("amount", decimal(), false),
        Field::new("late_fee", decimal(), false),
        Field::new("issued_on", DataType::Date32, false),
        Field::new("due_on", DataType::Date32, false),
    ]))
});

static PAYMENTS_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(vec![
        Field::new("payment_no", DataType::Utf8, false),
        Field::new("customer_no", DataType::Utf8, false),
        Field::new("bill_no", DataType::Utf8, false),
        Field::new("paid_at", timestamp(), false),
        Field::new("amount", decimal(), false),
        Field::new("channel", DataType::Utf8, false),
        Field::new("bounced", DataType::Boolean, false),
    ]))
});

static READINGS_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(vec![
        Field::new("customer_no", DataType::Utf8, false),
        Field::new("meter_no", DataType::Utf8, false),
        Field::new("reading_date", DataType::Date32, false),
        Field::new("register_kwh", decimal(), false),
    ]))
});

static LOAD_CURVES_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    Arc::new(Schema::new(vec![
        Field::new("customer_no", DataType::Utf8, false),
        Field::new("curve_date", DataType::Date32, false),
        Field::new(
            "points_kw",
            DataType::FixedSizeList(curve_item_field(), CURVE_POINTS),
            false,
        ),
    ]))
});

/// Schema of the files of `bills` (one row per monthly bill).
pub fn bills() -> SchemaRef {
    Arc::clone(&BILLS_SCHEMA)
}

/// Schema of the files of `payments` (one row per payment attempt, bounced ones included).
pub fn payments() -> SchemaRef {
    Arc::clone(&PAYMENTS_SCHEMA)
}

/// Schema of the files of `readings` (one row per meter and day).
pub fn readings() -> SchemaRef {
    Arc::clone(&READINGS_SCHEMA)
}

/// Schema of the files of `load_curves` (one row per customer and day, 96 points in kW).
pub fn load_curves() -> SchemaRef {
    Arc::clone(&LOAD_CURVES_SCHEMA)
}

/// File schema of a table by name.
pub fn of(table: &str) -> Option<SchemaRef> {
    match table {
        BILLS => Some(bills()),
        PAYMENTS => Some(payments()),
        READINGS => Some(readings()),
        LOAD_CURVES => Some(load_curves()),
        _ => None,
    }
}

const POW10: [i128; 29] = {
    let mut t = [1i128; 29];
    let mut i = 1;
    while i < 29 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

/// Largest absolute value a `Decimal128(18, 2)` holds, in hundredths.
const MAX_CENTI: i128 = POW10[18] - 1;

/// A decimal as an exact count of hundredths (fen or centi-kWh). Fails when the value has
/// non-zero digits below the hundredth or does not fit in 18 digits: the lake never rounds.
pub fn to_centi(field: &'static str, d: Decimal) -> Result<i128> {
    let m = d.mantissa();
    let scale = d.scale() as usize;
    let v = if scale <= 2 {
        m * POW10[2 - scale]
    } else {
        let div = POW10[scale - 2];
        if m % div != 0 {
            return Err(LakeError::Corrupt(format!(
                "{field} {d} has more than two decimals and cannot be stored exactly"
            )));
        }
        m / div
    };
    if v.abs() > MAX_CENTI {
        return Err(LakeError::Corrupt(format!(
            "{field} {d} does not fit in Decimal128(18, 2)"
        )));
    }
    Ok(v)
}

/// The decimal of a count of hundredths.
pub fn from_centi(field: &'static str, v: i128) -> Result<Decimal> {
    Decimal::try_from_i128_with_scale(v, 2)
        .map_err(|e| LakeError::Corrupt(format!("{field}: {v} hundredths: {e}")))
}

/// Days since 1970-01-01 (Arrow `Date32`) of a civil date; exact proleptic Gregorian arithmetic
/// (H. Hinnant's `days_from_civil`), much cheaper than going through spans on the write path.
pub fn date_to_days(d: jiff::civil::Date) -> i32 {
    days_from_civil(
        i32::from(d.year()),
        i32::from(d.month()),
        i32::from(d.day()),
    )
}

/// `days_from_civil` on plain numbers (month 1-12, day 1-31).
pub fn days_from_civil(year: i32, month: i32, day: i32) -> i32 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date `days` after 1970-01-01 (inverse of [`date_to_days`]).
pub fn days_to_date(days: i32) -> Result<jiff::civil::Date> {
    let z = i64::from(days) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let bad = || LakeError::Corrupt(format!("date32 value {days} is out of range"));
    let year = i16::try_from(year).map_err(|_| bad())?;
    jiff::civil::Date::new(year, month as i8, day as i8).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn civil_days_round_trip() {
        assert_eq!(date_to_days(date(1970, 1, 1)), 0);
        assert_eq!(date_to_days(date(2000, 3, 1)), 11_017);
        assert_eq!(date_to_days(date(1969, 12, 31)), -1);
        let mut d = date(1899, 12, 25);
        while d < date(2101, 1, 10) {
            let n = date_to_days(d);
            assert_eq!(i64::from(n), i64::from((d - date(1970, 1, 1)).get_days()));
            assert_eq!(days_to_date(n).unwrap(), d);
            d = d.tomorrow().unwrap();
        }
    }

    #[test]
    fn centi_is_exact() {
        assert_eq!(to_centi("x", Decimal::new(12345, 2)).unwrap(), 12345);
        assert_eq!(to_centi("x", Decimal::new(5, 0)).unwrap(), 500);
        assert_eq!(to_centi("x", Decimal::new(-12_3400, 4)).unwrap(), -1234);
        assert!(to_centi("x", Decimal::new(12345, 3)).is_err());
        assert!(to_centi("x", Decimal::from(10_000_000_000_000_000i64)).is_err());
        assert_eq!(from_centi("x", 12345).unwrap().to_string(), "123.45");
    }
}
