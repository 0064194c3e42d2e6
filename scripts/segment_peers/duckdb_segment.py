#!/usr/bin/env python3
"""Peer of `griddesk segment --period P`, written in DuckDB SQL: the same Parquet lake in, the
same indicators, scores, values, quadrants, ABC classes and tiers out, as a Parquet file with
the columns of `griddesk segment --export-parquet`.

    duckdb_segment.py LAKE_DIR --period 2026-10 --out peer.parquet [--config seg.toml]

The raw figures follow crates/griddesk-lake/src/segment.rs query for query (bills de-duplicated
by bill_no, payments by payment_no, the same windows and substitutes, customers in ranges like
GridDesk's, see --chunk); the maths after them follow crates/griddesk-domain/src/segment/ (see
the comments at each step). Everything is SQL; Python only builds the statements and reads
the configuration (common.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402


def lit(x: float) -> str:
    """A double literal that parses to exactly `x` (a bare 0.256... would be a DECIMAL)."""
    return f"'{x!r}'::DOUBLE"


def cents(expr: str) -> str:
    """A DECIMAL(.., 2) amount as the double rust_decimal's `to_f64` gives: the correctly
    rounded value of its hundredths (as_f64 is exact to that for amounts below 2^50 fen)."""
    return f"(CAST(({expr}) * 100 AS BIGINT)::DOUBLE / 100.0)"


def source(con, lake: str, table: str, lo: str, hi: str) -> str:
    """A scan of one lake table over the partitions lo..=hi, or an empty relation."""
    files = common.month_files(lake, table, lo, hi)
    if not files:
        return ""
    lst = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
    return (f"read_parquet([{lst}], hive_partitioning = true, "
            f"hive_types = {{'month': VARCHAR}})")


def raw_figures(con, lake: str, cfg: common.Config, chunk: int) -> None:
    """Table `raw`: one row per customer billed for P with the D4.1 figures (segment.rs)."""
    w = cfg.months()
    p, from36, from24, from12, same = w["p"], w["from36"], w["from24"], w["from12"], w["same"]
    from37 = w["from37"]
    # Bills that fell due in the 36 months ending with P (P's own bill is not yet due).
    fell_due = (f"due_on >= DATE '{from36}-01' AND due_on < DATE '{w['after_p']}-01'")
    bills = source(con, lake, "bills", from37, p)
    payments = source(con, lake, "payments", from37, p)
    curves = source(con, lake, "load_curves", p, p)
    con.execute("CREATE TEMP TABLE fig (customer_no VARCHAR, kwh DECIMAL(38,2), "
                "fees DECIMAL(38,2), due DECIMAL(38,2), late_fees DECIMAL(38,2), "
                "receivables DECIMAL(38,2), last_year DECIMAL(38,2), year_before DECIMAL(38,2), "
                "same_last DECIMAL(38,2), purchase DECIMAL(38,2), paid DECIMAL(38,2))")
    if not bills:
        return
    # The population's boundaries: ranges of `chunk` customers in customer order, as GridDesk's
    # CUSTOMERS_PER_QUERY, so the de-duplicating aggregations hold one range's bills.
    bounds = con.execute(f"""
        WITH pop AS (SELECT DISTINCT customer_no FROM {bills} WHERE month = '{p}'),
             r AS (SELECT customer_no, row_number() OVER (ORDER BY customer_no) - 1 AS i,
                          count(*) OVER () AS n FROM pop)
        SELECT min(customer_no), max(customer_no) FROM r GROUP BY i // {chunk} ORDER BY 1
    """).fetchall()
    # One writer's files hold each record once: no de-duplication, as segment.rs.
    bills_unique = common.one_writer(lake, "bills", from37, p)
    payments_unique = common.one_writer(lake, "payments", from37, p)
    for lo, hi in bounds:
        rng = f"AND customer_no >= '{lo}' AND customer_no <= '{hi}'"
        window = f"FROM {bills} WHERE month >= '{from37}' AND month <= '{p}' {rng}"
        b_cte = (f"SELECT bill_no, customer_no, month, consumption_kwh AS kwh, amount, late_fee, "
                 f"due_on {window}" if bills_unique else
                 f"SELECT bill_no, max(customer_no) AS customer_no, max(month) AS month, "
                 f"max(consumption_kwh) AS kwh, max(amount) AS amount, "
                 f"max(late_fee) AS late_fee, max(due_on) AS due_on {window} GROUP BY bill_no")
        if payments:
            p_cte = (f"SELECT payment_no, bill_no, amount FROM {payments} WHERE NOT bounced {rng}"
                     if payments_unique else
                     f"SELECT payment_no, max(bill_no) AS bill_no, max(amount) AS amount "
                     f"FROM {payments} WHERE NOT bounced {rng} GROUP BY payment_no")
            paid = f"""
              p AS ({p_cte}),
              paid AS (SELECT b.customer_no, sum(p.amount) AS paid
                       FROM p JOIN b ON p.bill_no = b.bill_no WHERE b.{fell_due}
                       GROUP BY b.customer_no)"""
        else:
            paid = ("paid AS (SELECT customer_no, CAST(0 AS DECIMAL(38,2)) AS paid "
                    "FROM b WHERE false)")
        con.execute(f"""
            INSERT INTO fig
            WITH b AS ({b_cte}),
            {paid},
            per AS (SELECT customer_no,
                 sum(CASE WHEN month = '{p}' THEN kwh ELSE 0 END) AS kwh,
                 sum(CASE WHEN month = '{p}' THEN amount ELSE 0 END) AS fees,
                 sum(CASE WHEN {fell_due} THEN amount + late_fee ELSE 0 END) AS due,
                 sum(CASE WHEN {fell_due} THEN late_fee ELSE 0 END) AS late_fees,
                 sum(CASE WHEN {fell_due} THEN amount ELSE 0 END) AS receivables,
                 sum(CASE WHEN month >= '{from12}' THEN kwh ELSE 0 END) AS last_year,
                 sum(CASE WHEN month >= '{from24}' AND month < '{from12}' THEN kwh ELSE 0 END)
                   AS year_before,
                 sum(CASE WHEN month = '{same}' THEN kwh ELSE 0 END) AS same_last,
                 sum(CASE WHEN month >= '{from12}' THEN amount ELSE 0 END) AS purchase,
                 max(CASE WHEN month = '{p}' THEN 1 ELSE 0 END) AS active
               FROM b GROUP BY customer_no)
            SELECT per.customer_no, kwh, fees, due, late_fees, receivables, last_year,
                   year_before, same_last, purchase, coalesce(paid.paid, 0)
            FROM per LEFT JOIN paid ON per.customer_no = paid.customer_no
            WHERE active = 1
        """)
    # Loads of P's curves: each day's mean and largest point, then their mean and maximum,
    # rounded to the watt as segment.rs `kw` does (rust_decimal round_dp: half to even).
    if curves:
        con.execute(f"""
            CREATE TEMP TABLE loads AS
            WITH d AS (SELECT customer_no, curve_date,
                         avg(list_avg(CAST(points_kw AS DOUBLE[]))) AS a,
                         max(list_max(points_kw))::DOUBLE AS m
                       FROM {curves} WHERE month = '{p}' GROUP BY customer_no, curve_date)
            SELECT customer_no,
                   round_even(greatest(avg(a), 0) * 1000, 0) AS avg_milli,
                   round_even(greatest(max(m), 0) * 1000, 0) AS max_milli
            FROM d GROUP BY customer_no
        """)
    else:
        con.execute("CREATE TEMP TABLE loads (customer_no VARCHAR, avg_milli DOUBLE, "
                    "max_milli DOUBLE)")


def segment(con, cfg: common.Config) -> None:
    """Table `result`: indicators.rs, scoring.rs, matrix.rs, grading.rs, service.rs in SQL."""
    n = con.execute("SELECT count(*) FROM fig").fetchone()[0]
    if n == 0:
        raise SystemExit(f"no customer is billed for {cfg.period}")
    wt = {k: lit(v) for k, v in cfg.weight.items()}
    a, r, m = lit(cfg.a), lit(cfg.r), lit(cfg.m)

    def growth(x: str, cap: str) -> str:
        # indicators.rs growth_score: 0 if x <= 0; x/cap if 0 < x < cap; 1 if x >= cap
        return (f"CASE WHEN ({x}) <= 0 THEN 0.0::DOUBLE WHEN ({x}) >= {cap} THEN 1.0::DOUBLE "
                f"ELSE ({x}) / {cap} END")

    con.execute(f"""
        CREATE TEMP TABLE ind AS
        WITH tot AS (SELECT sum(kwh) AS supply, sum(fees) AS all_fees FROM fig)
        SELECT f.customer_no,
          -- B11, B12: shares of the company's totals, 0 when the total is 0
          CASE WHEN tot.supply = 0 THEN 0.0::DOUBLE
               ELSE {cents('f.kwh')} / {cents('tot.supply')} END AS b11,
          CASE WHEN tot.all_fees = 0 THEN 0.0::DOUBLE
               ELSE {cents('f.fees')} / {cents('tot.all_fees')} END AS b12,
          -- B21: average / maximum load, 0 without a maximum (no curves)
          CASE WHEN coalesce(l.max_milli, 0) = 0 THEN 0.0::DOUBLE
               ELSE (l.avg_milli / 1000.0) / (l.max_milli / 1000.0) END AS b21,
          -- B22: the lake's fixed power factor through p1, p2
          {lit(cfg.b22)} AS b22,
          -- B31: paid / due capped at 1; nothing due is fully recovered
          CASE WHEN f.due = 0 THEN 1.0::DOUBLE
               ELSE least({cents('f.paid')} / {cents('f.due')}, 1.0::DOUBLE) END AS b31,
          -- B32: (a - x)/a for x = late fees / receivables below a; without receivables 1 if
          -- no late fees else 0
          CASE WHEN f.receivables <> 0 THEN
                 CASE WHEN {cents('f.late_fees')} / {cents('f.receivables')} < {a}
                      THEN ({a} - {cents('f.late_fees')} / {cents('f.receivables')}) / {a}
                      ELSE 0.0::DOUBLE END
               WHEN f.late_fees = 0 THEN 1.0::DOUBLE ELSE 0.0::DOUBLE END AS b32,
          -- B41: growth rate capped at r; from nothing: 1 if something was bought, else 0
          CASE WHEN f.year_before <> 0 THEN
                 {growth(f"{cents('f.last_year - f.year_before')} / {cents('f.year_before')}", r)}
               WHEN f.last_year = 0 THEN 0.0::DOUBLE ELSE 1.0::DOUBLE END AS b41,
          -- B42: growth against the same period last year capped at M
          {growth(cents('f.kwh - f.same_last'), m)} AS b42,
          f.purchase
        FROM fig f CROSS JOIN tot LEFT JOIN loads l ON l.customer_no = f.customer_no
    """)
    # scoring.rs rank_score: ceil(5 (2 below + equal) / 2n) in integers, where
    # 2 below + equal = (rank - 1) + (rows <= x); ties share a score.
    score_cols = ",\n".join(
        f"CAST(((5 * ((rank() OVER (ORDER BY {i}) - 1) + count(*) OVER (ORDER BY {i})))"
        f" + {2 * n - 1}) // {2 * n} AS UTINYINT) AS score_{i}"
        for i in common.INDICATORS)
    # scoring.rs value_of: left-to-right sums of score x weight in indicator order
    cur = "0.0::DOUBLE" + "".join(f" + score_{i}::DOUBLE * {wt[i]}" for i in common.CURRENT)
    pot = "0.0::DOUBLE" + "".join(f" + score_{i}::DOUBLE * {wt[i]}" for i in common.POTENTIAL)
    cuts = cfg.abc_cuts(n)
    if cfg.fixed_origin:
        origin = f"SELECT {lit(cfg.fixed_origin[0])} AS oc, {lit(cfg.fixed_origin[1])} AS op"
    else:
        origin = "SELECT avg(current_value) AS oc, avg(potential_value) AS op FROM v"
    tier = " ".join(
        f"WHEN quadrant = '{q}' AND abc = '{c}' THEN {cfg.tier(q, c)}"
        for q in common.QUADRANTS for c in common.ABC)
    con.execute(f"""
        CREATE TEMP TABLE result AS
        WITH s AS (SELECT *, {score_cols},
                     -- grading.rs bands_by_rank: customers strictly above, highest first
                     rank() OVER (ORDER BY purchase DESC) - 1 AS above
                   FROM ind),
        v AS (SELECT *, {cur} AS current_value, {pot} AS potential_value FROM s),
        o AS ({origin}),
        q AS (SELECT v.*,
                -- matrix.rs Quadrant::of: on a line counts as high
                CASE WHEN current_value >= oc AND potential_value >= op THEN 'vip'
                     WHEN potential_value >= op THEN 'growth'
                     WHEN current_value >= oc THEN 'maintain' ELSE 'abandon' END AS quadrant,
                CASE WHEN above < {lit(cuts[0])} THEN 'A' WHEN above < {lit(cuts[1])} THEN 'B'
                     WHEN above < {lit(cuts[2])} THEN 'C' ELSE 'D' END AS abc
              FROM v CROSS JOIN o)
        SELECT customer_no, '{cfg.period}' AS period,
               {", ".join(common.INDICATORS)},
               {", ".join("score_" + i for i in common.INDICATORS)},
               current_value, potential_value, quadrant,
               CAST(purchase AS DECIMAL(18,2)) AS purchase_amount, abc,
               CAST(CASE {tier} END AS UTINYINT) AS tier
        FROM q ORDER BY customer_no
    """)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("lake", help="the lake directory (<data-dir>/lake)")
    ap.add_argument("--period", required=True, help="YYYY-MM")
    ap.add_argument("--out", required=True, help="result Parquet file")
    ap.add_argument("--config", help="segmentation TOML (default: data/segmentation.toml)")
    # GridDesk's CUSTOMERS_PER_QUERY: at 100k customers 20,000 gave both peers a quarter of
    # the peak memory of one range for the whole population, in no more time.
    ap.add_argument("--chunk", type=int, default=20_000,
                    help="customers per raw-figure query (default 20,000, as GridDesk)")
    ap.add_argument("--memory-limit", default=None, help="DuckDB memory_limit, e.g. 8GB")
    args = ap.parse_args()
    rep = common.Report("duckdb " + duckdb.__version__)
    cfg = common.load_config(args.period, args.config)
    con = duckdb.connect()
    con.execute(f"SET threads = {common.threads()}")
    con.execute("SET preserve_insertion_order = false")
    # one range query after another reads the same footers: keep them parsed
    con.execute("SET parquet_metadata_cache = true")
    if args.memory_limit:
        con.execute(f"SET memory_limit = '{args.memory_limit}'")
    raw_figures(con, args.lake, cfg, args.chunk)
    rep.step("read the lake")
    segment(con, cfg)
    rep.step("segment")
    out = args.out.replace("'", "''")
    con.execute(f"COPY (SELECT * FROM result ORDER BY customer_no) TO '{out}' "
                "(FORMAT parquet, COMPRESSION snappy)")
    n = con.execute("SELECT count(*) FROM result").fetchone()[0]
    rep.step("write")
    rep.done(n)


if __name__ == "__main__":
    main()
