#!/usr/bin/env python3
"""Peer of `griddesk segment --period P`, written with Polars lazy frames: the same Parquet
lake in, the same indicators, scores, values, quadrants, ABC classes and tiers out, as a
Parquet file with the columns of `griddesk segment --export-parquet`.

    polars_segment.py LAKE_DIR --period 2026-10 --out peer.parquet [--config seg.toml]

The raw figures follow crates/griddesk-lake/src/segment.rs (bills de-duplicated by bill_no,
payments by payment_no, the same windows and substitutes, customers in ranges like GridDesk's,
see --chunk); the maths after them follow crates/griddesk-domain/src/segment/. Amounts are
read as integer hundredths (exact, like GridDesk's decimals) and turned into doubles only where
GridDesk does (`to_f64`).
"""

from __future__ import annotations

import argparse
import os
from decimal import Decimal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

os.environ.setdefault("POLARS_MAX_THREADS", str(common.threads()))
import polars as pl  # noqa: E402

F = pl.Float64


def scan(lake: str, table: str, lo: str, hi: str, cols: list[str]) -> pl.LazyFrame | None:
    """One lake table over the partitions lo..=hi with its `month` column, or None."""
    root = Path(lake) / table
    frames = []
    for d in sorted(root.glob("month=*")):
        m = d.name[len("month="):]
        files = sorted(str(f) for f in d.glob("*.parquet"))
        if lo <= m <= hi and files:
            frames.append(pl.scan_parquet(files).select(cols).with_columns(month=pl.lit(m)))
    return pl.concat(frames, how="vertical") if frames else None


def centi(c: str) -> pl.Expr:
    """A Decimal(18, 2) column as exact integer hundredths."""
    return (pl.col(c) * 100).cast(pl.Int64)


def f64(e: pl.Expr) -> pl.Expr:
    """Hundredths as rust_decimal's `to_f64` of the amount: the correctly rounded quotient."""
    return e.cast(F) / pl.col(K + "100")


# Polars divides by a scalar as a multiplication by its reciprocal, which is 1 ulp off the
# IEEE quotient for about one value in eight (pola-rs/polars#1131, #23741), while GridDesk
# divides. Every divisor that is a constant is therefore a real column of the frame
# (`constants`): column by column, Polars divides exactly.
K = "__const_"


def constants(df: pl.DataFrame, **values: float) -> pl.DataFrame:
    return df.with_columns(pl.repeat(v, df.height, dtype=F, eager=True).alias(K + k)
                           for k, v in values.items())


def k(name: str) -> pl.Expr:
    return pl.col(K + name)


def common_date(month: str) -> pl.Expr:
    """The first day of a YYYY-MM month as a date literal."""
    import datetime as dt
    return pl.lit(dt.date(int(month[:4]), int(month[5:7]), 1))


def raw_figures(lake: str, cfg: common.Config, chunk: int) -> pl.DataFrame:
    """One row per customer billed for P with the D4.1 figures (segment.rs), in hundredths."""
    w = cfg.months()
    p, from36, from24, from12, same = w["p"], w["from36"], w["from24"], w["from12"], w["same"]
    from37 = w["from37"]
    bills = scan(lake, "bills", from37, p,
                 ["bill_no", "customer_no", "consumption_kwh", "amount", "late_fee", "due_on"])
    payments = scan(lake, "payments", from37, p,
                    ["payment_no", "customer_no", "bill_no", "amount", "bounced"])
    if bills is None:
        raise SystemExit(f"no customer is billed for {p}")
    keys = (bills.filter(pl.col("month") == p).select("customer_no").unique()
            .sort("customer_no").collect(engine="streaming")["customer_no"])
    # One writer's files hold each record once: no de-duplication, as segment.rs.
    bills_unique = common.one_writer(lake, "bills", from37, p)
    payments_unique = common.one_writer(lake, "payments", from37, p)
    parts = []
    for start in range(0, len(keys), chunk):
        lo, hi = keys[start], keys[min(start + chunk, len(keys)) - 1]
        in_range = pl.col("customer_no").is_between(pl.lit(lo), pl.lit(hi))
        if bills_unique:
            b = bills.filter(in_range).select(
                "bill_no", "customer_no", "month", centi("consumption_kwh").alias("kwh"),
                centi("amount").alias("amount"), centi("late_fee").alias("late_fee"), "due_on")
        else:
            b = (bills.filter(in_range)
                 .group_by("bill_no")
                 .agg(pl.col("customer_no").max(), pl.col("month").max(),
                      centi("consumption_kwh").max().alias("kwh"),
                      centi("amount").max().alias("amount"),
                      centi("late_fee").max().alias("late_fee"),
                      pl.col("due_on").max()))
        m = pl.col("month")
        # Bills that fell due in the 36 months ending with P (P's own bill is not yet due).
        due = pl.col("due_on").is_between(common_date(from36), common_date(w["after_p"]),
                                          closed="left")
        per = b.group_by("customer_no").agg(
            pl.col("kwh").filter(m == p).sum().alias("kwh"),
            pl.col("amount").filter(m == p).sum().alias("fees"),
            (pl.col("amount") + pl.col("late_fee")).filter(due).sum().alias("due"),
            pl.col("late_fee").filter(due).sum().alias("late_fees"),
            pl.col("amount").filter(due).sum().alias("receivables"),
            pl.col("kwh").filter(m >= from12).sum().alias("last_year"),
            pl.col("kwh").filter((m >= from24) & (m < from12)).sum().alias("year_before"),
            pl.col("kwh").filter(m == same).sum().alias("same_last"),
            pl.col("amount").filter(m >= from12).sum().alias("purchase"),
            (m == p).any().alias("active"),
        ).filter("active").drop("active")
        if payments is not None:
            live = payments.filter(in_range & ~pl.col("bounced"))
            pay = (live.select("payment_no", "bill_no", centi("amount").alias("amount"))
                   if payments_unique else
                   live.group_by("payment_no")
                   .agg(pl.col("bill_no").max(), centi("amount").max().alias("amount")))
            paid = (pay.join(b.filter(due).select("bill_no", "customer_no"), on="bill_no")
                    .group_by("customer_no").agg(pl.col("amount").sum().alias("paid")))
            per = (per.join(paid, on="customer_no", how="left")
                   .with_columns(pl.col("paid").fill_null(0)))
        else:
            per = per.with_columns(paid=pl.lit(0, pl.Int64))
        parts.append(per.collect(engine="streaming"))
    fig = pl.concat(parts)
    # Loads of P's curves: each day's mean over its points and largest point, then their mean
    # and maximum, rounded to the watt as segment.rs `kw` does (round_dp: half to even).
    curves = scan(lake, "load_curves", p, p, ["customer_no", "curve_date", "points_kw"])
    if curves is not None:
        # Means as sum / count, column by column (see `constants`), as DataFusion's avg.
        days = (curves.filter(pl.col("month") == p)
                .group_by("customer_no", "curve_date")
                .agg(pl.col("points_kw").cast(pl.Array(F, 96)).arr.sum().sum().alias("s"),
                     (pl.len() * 96).cast(F).alias("n"),
                     pl.col("points_kw").arr.max().max().cast(F).alias("m"))
                .with_columns(a=pl.col("s") / pl.col("n")))
        loads = (days.group_by("customer_no")
                 .agg(pl.col("a").sum(), pl.len().cast(F).alias("days"), pl.col("m").max())
                 .with_columns(avg_milli=((pl.col("a") / pl.col("days")).clip(0.0) * 1000)
                               .round(0, mode="half_to_even"),
                               max_milli=(pl.col("m").clip(0.0) * 1000)
                               .round(0, mode="half_to_even"))
                 .select("customer_no", "avg_milli", "max_milli")
                 .collect(engine="streaming"))
        fig = fig.join(loads, on="customer_no", how="left")
    else:
        fig = fig.with_columns(avg_milli=pl.lit(None, F), max_milli=pl.lit(None, F))
    return fig


def growth(x: pl.Expr, cap: str) -> pl.Expr:
    """indicators.rs growth_score: 0 if x <= 0; x/cap if 0 < x < cap; 1 if x >= cap."""
    return pl.when(x <= 0).then(0.0).when(x >= k(cap)).then(1.0).otherwise(x / k(cap))


def segment(fig: pl.DataFrame, cfg: common.Config) -> pl.DataFrame:
    """indicators.rs, scoring.rs, matrix.rs, grading.rs and service.rs as Polars expressions."""
    n = fig.height
    if n == 0:
        raise SystemExit(f"no customer is billed for {cfg.period}")
    supply, fees = fig["kwh"].sum(), fig["fees"].sum()
    fig = constants(fig, **{"100": 100.0, "1000": 1000.0, "supply": supply / 100.0,
                            "fees": fees / 100.0, "a": cfg.a, "r": cfg.r, "m": cfg.m})
    c = pl.col
    late_ratio = f64(c("late_fees")) / f64(c("receivables"))
    ind = fig.lazy().select(
        "customer_no",
        # B11, B12: shares of the company's totals, 0 when the total is 0
        (pl.lit(0.0) if supply == 0 else f64(c("kwh")) / k("supply")).alias("b11"),
        (pl.lit(0.0) if fees == 0 else f64(c("fees")) / k("fees")).alias("b12"),
        # B21: average / maximum load, 0 without a maximum (no curves)
        pl.when(c("max_milli").fill_null(0) == 0).then(0.0)
        .otherwise((c("avg_milli") / k("1000")) / (c("max_milli") / k("1000"))).alias("b21"),
        # B22: the lake's fixed power factor through p1, p2
        pl.lit(cfg.b22, F).alias("b22"),
        # B31: paid / due capped at 1; nothing due is fully recovered
        pl.when(c("due") == 0).then(1.0)
        .otherwise(pl.min_horizontal(f64(c("paid")) / f64(c("due")), pl.lit(1.0)))
        .alias("b31"),
        # B32: (a - x)/a for x = late fees / receivables below a; without receivables 1 if no
        # late fees else 0
        pl.when(c("receivables") != 0)
        .then(pl.when(late_ratio < cfg.a).then((cfg.a - late_ratio) / k("a")).otherwise(0.0))
        .when(c("late_fees") == 0).then(1.0).otherwise(0.0).alias("b32"),
        # B41: growth rate capped at r; from nothing: 1 if something was bought, else 0
        pl.when(c("year_before") != 0)
        .then(growth(f64(c("last_year") - c("year_before")) / f64(c("year_before")), "r"))
        .when(c("last_year") == 0).then(0.0).otherwise(1.0).alias("b41"),
        # B42: growth against the same period last year capped at M
        growth(f64(c("kwh") - c("same_last")), "m").alias("b42"),
        "purchase",
    )
    # scoring.rs rank_score: ceil(5 (2 below + equal) / 2n) in integers, where
    # 2 below + equal = (min rank - 1) + max rank; ties share a score.
    scores = [
        ((5 * (c(i).rank("min").cast(pl.Int64) - 1 + c(i).rank("max").cast(pl.Int64))
          + (2 * n - 1)) // (2 * n)).cast(pl.UInt8).alias("score_" + i)
        for i in common.INDICATORS
    ]
    # scoring.rs value_of: left-to-right sums of score x weight in indicator order
    cur, pot = pl.lit(0.0), pl.lit(0.0)
    for i in common.CURRENT:
        cur = cur + c("score_" + i).cast(F) * cfg.weight[i]
    for i in common.POTENTIAL:
        pot = pot + c("score_" + i).cast(F) * cfg.weight[i]
    v = (ind.with_columns(*scores,
                          # grading.rs bands_by_rank: customers strictly above, highest first
                          above=c("purchase").rank("min", descending=True).cast(pl.Int64) - 1)
         .with_columns(current_value=cur, potential_value=pot))
    if cfg.fixed_origin:
        oc, op = pl.lit(cfg.fixed_origin[0]), pl.lit(cfg.fixed_origin[1])
    else:
        oc, op = c("current_value").mean(), c("potential_value").mean()
    hc, hp = c("current_value") >= oc, c("potential_value") >= op
    cuts = cfg.abc_cuts(n)
    above = c("above").cast(F)
    v = v.with_columns(
        # matrix.rs Quadrant::of: on a line counts as high
        quadrant=pl.when(hc & hp).then(pl.lit("vip")).when(hp).then(pl.lit("growth"))
        .when(hc).then(pl.lit("maintain")).otherwise(pl.lit("abandon")),
        abc=pl.when(above < cuts[0]).then(pl.lit("A")).when(above < cuts[1]).then(pl.lit("B"))
        .when(above < cuts[2]).then(pl.lit("C")).otherwise(pl.lit("D")),
    )
    tier = pl.lit(3)
    for q in common.QUADRANTS:
        for a in common.ABC:
            tier = pl.when((c("quadrant") == q) & (c("abc") == a)).then(cfg.tier(q, a)) \
                .otherwise(tier)
    return (v.with_columns(tier=tier.cast(pl.UInt8), period=pl.lit(cfg.period),
                           purchase_amount=(c("purchase").cast(pl.Decimal(38, 0))
                                            * pl.lit(Decimal("0.01"), pl.Decimal(18, 2)))
                           .cast(pl.Decimal(18, 2)))
            .select("customer_no", "period", *common.INDICATORS,
                    *("score_" + i for i in common.INDICATORS),
                    "current_value", "potential_value", "quadrant", "purchase_amount", "abc",
                    "tier")
            .sort("customer_no")
            .collect())


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
    args = ap.parse_args()
    rep = common.Report("polars " + pl.__version__)
    cfg = common.load_config(args.period, args.config)
    fig = raw_figures(args.lake, cfg, args.chunk)
    rep.step("read the lake")
    res = segment(fig, cfg)
    rep.step("segment")
    res.write_parquet(args.out, compression="snappy")
    rep.step("write")
    rep.done(res.height)


if __name__ == "__main__":
    main()
