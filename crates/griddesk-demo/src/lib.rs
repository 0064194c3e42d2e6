//! A deterministic synthetic power supply company for demos, tests and benchmarks
//! (`griddesk demo-data --customers N --seed S`).
//!
//! The company: one city company (GridDesk示范供电公司) with its customer service centre, city
//! district branches and county companies, supply stations (供电所) and business halls, staff for
//! every role, substations (110/35 kV), 10 kV feeders and transformer areas (台区) sized like a
//! real city-and-county company. Customers follow a realistic mix of tariffs, voltage levels,
//! important and dual-supply customers and urban/rural/remote areas, with 36 months of bills and
//! payments (late payers, late fees, bounced payments, arrears), daily meter readings, load curves
//! for large customers, a handful of theft cases, and the load-limiting sequence of orderly power
//! use over its high-voltage industrial customers.
//!
//! Determinism: customer `i` and its history are pure functions of (seed, i) and the
//! configuration, so any chunking gives the same data. Scale: the topology costs memory per
//! transformer area; customers stream through [`run`] in chunks, so ten million customers need
//! no more memory than ten thousand.

mod customers;
mod history;
mod names;
mod orderly;
mod rng;
mod run;
mod theft;
mod topology;

#[cfg(test)]
mod tests;

pub use history::{History, HistoryCounts};
pub use run::{DemoError, DemoSummary, run};
pub use topology::Company;

use griddesk_domain::billing::Period;
use griddesk_domain::customer::Customer;
use griddesk_domain::values::CustomerNo;
use griddesk_lake::LakeWriter;
use jiff::civil::Date;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoConfig {
    pub customers: u64,
    pub seed: u64,
    /// Last billed month: the newest bill is for this month, issued on the 1st of the next.
    pub last_month: Period,
    /// Months of bills and payments, ending with `last_month` (default 36).
    pub months: u32,
    /// Days of daily register readings, ending on the last day of `last_month` (default 31).
    pub reading_days: u32,
    /// Days of 96-point load curves of HV customers, ending like the readings (default 31).
    pub curve_days: u32,
    /// Snapshot date: payments after it have not happened yet, unpaid bills due before it are
    /// overdue and carry late fees up to it. Default: the 28th of the month after `last_month`
    /// (the last bill is issued and due); set it to today when `last_month` is last month.
    pub as_of: Date,
}

impl DemoConfig {
    pub fn new(customers: u64, seed: u64, last_month: Period) -> Self {
        let next = last_month.next();
        Self {
            customers,
            seed,
            last_month,
            months: 36,
            reading_days: 31,
            curve_days: 31,
            as_of: Date::new(next.year(), next.month(), 28)
                .expect("the 28th exists in every month"),
        }
    }

    /// The oldest billed month.
    pub fn first_month(&self) -> Period {
        self.last_month.add_months(1 - self.months.max(1) as i32)
    }

    /// The stem of the lake files this configuration writes (`demo-<seed>`).
    pub fn lake_stem(&self) -> String {
        format!("demo-{}", self.seed)
    }

    /// Rejects configurations the generator cannot honour.
    pub fn check(&self) -> Result<(), DemoError> {
        let bad = |m: String| Err(DemoError::Config(m));
        if self.customers > customers::MAX_INDEX + 1 {
            return bad(format!(
                "at most {} customers fit in ten-digit customer numbers",
                customers::MAX_INDEX + 1
            ));
        }
        if !(1..=240).contains(&self.months) {
            return bad("months must be between 1 and 240".into());
        }
        if self.reading_days > 366 || self.curve_days > 366 {
            return bad("reading and curve days must be at most 366".into());
        }
        if self.first_month().year() < 1990 || self.last_month.year() > 2199 {
            return bad("billed months must lie between 1990 and 2199".into());
        }
        if self.as_of < self.last_month.first_day() {
            return bad("as_of must not be before the last billed month".into());
        }
        Ok(())
    }
}

/// The generator: the company and its topology are built once; customers and histories are
/// computed on demand.
pub struct Generator {
    cfg: DemoConfig,
    topo: topology::Topology,
    shapes: history::Shapes,
    theft_count: u64,
    as_of_days: i32,
}

impl Generator {
    pub fn new(cfg: DemoConfig) -> Generator {
        let topo = topology::Topology::build(cfg.seed, cfg.customers);
        Generator {
            theft_count: theft::theft_count(cfg.customers),
            as_of_days: griddesk_lake::schema::date_to_days(cfg.as_of),
            shapes: history::Shapes::new(),
            topo,
            cfg,
        }
    }

    pub fn config(&self) -> &DemoConfig {
        &self.cfg
    }

    /// Organisation units, staff, substations, feeders and transformer areas, in the order they
    /// must be stored.
    pub fn company(&self) -> Company {
        self.topo.company(self.cfg.seed)
    }

    /// Number of transformer areas (without building them).
    pub fn area_count(&self) -> u64 {
        self.topo.areas.len() as u64
    }

    /// How many theft cases the generated company has.
    pub fn theft_count(&self) -> u64 {
        self.theft_count
    }

    /// Customers with indices in `range` (clipped to the configured count), in index order.
    pub fn customers(&self, range: std::ops::Range<u64>) -> Vec<Customer> {
        let end = range.end.min(self.cfg.customers);
        (range.start..end.max(range.start))
            .map(|i| self.make_customer(i))
            .collect()
    }

    /// The customer number of index `i` (`3000000000 + i`).
    pub fn customer_no(index: u64) -> CustomerNo {
        customers::customer_no(index)
    }

    /// The index of a generated customer number (None for numbers the generator never makes).
    pub fn index_of(no: &CustomerNo) -> Option<u64> {
        no.as_str()
            .parse::<u64>()
            .ok()?
            .checked_sub(customers::BASE)
    }

    /// Whether customer `index` is one of the generated theft cases.
    pub fn is_theft_case(&self, index: u64) -> bool {
        self.is_thief(index)
    }

    /// The full history of `c`; deterministic from (seed, index) and the customer's record.
    /// Works for any customer: numbers the generator does not make get a history seeded by the
    /// number itself.
    pub fn history(&self, c: &Customer) -> History {
        let mut h = History::default();
        self.emit(
            c,
            self.history_index(c),
            &mut history::Scratch::default(),
            &mut h,
        )
        .map(|_| ())
        .expect("the in-memory history sink never fails");
        h
    }

    /// Writes the history of `c` straight into the lake's column buffers (no owned records).
    pub fn write_history(
        &self,
        c: &Customer,
        writer: &mut LakeWriter,
    ) -> Result<HistoryCounts, griddesk_lake::LakeError> {
        let mut scratch = history::Scratch::default();
        Ok(self
            .emit(c, self.history_index(c), &mut scratch, writer)?
            .counts)
    }

    fn history_index(&self, c: &Customer) -> u64 {
        Self::index_of(&c.customer_no).unwrap_or_else(|| {
            // Outside the generated range: never a theft case, still deterministic.
            rng::hash(
                self.cfg.seed,
                rng::Stream::History,
                c.customer_no.as_str().len() as u64,
            ) ^ rng::mix(
                c.customer_no
                    .as_str()
                    .bytes()
                    .fold(0u64, |a, b| a.rotate_left(7) ^ u64::from(b)),
            ) | (1 << 63)
        })
    }
}
