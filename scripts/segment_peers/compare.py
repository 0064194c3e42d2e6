#!/usr/bin/env python3
"""Compares a peer's segmentation with GridDesk's export of the same period.

    compare.py GRIDDESK.parquet PEER.parquet [--show 5]

GRIDDESK.parquet is `griddesk segment --period P --export-parquet FILE`; PEER.parquet the
output of duckdb_segment.py or polars_segment.py. The two must hold the same customers;
indicators and values must agree to 1e-9 relative, scores, quadrants, ABC classes, tiers and
purchase amounts exactly. Prints one line per column with its mismatches (and how many were
bit-identical), a few examples of each mismatch, and exits 1 if any.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

REL = 1e-9
FLOATS = common.INDICATORS + ["current_value", "potential_value"]
EXACT = ["score_" + i for i in common.INDICATORS] + ["quadrant", "purchase_amount", "abc", "tier"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("griddesk")
    ap.add_argument("peer")
    ap.add_argument("--show", type=int, default=5, help="examples per mismatching column")
    args = ap.parse_args()
    g = pl.read_parquet(args.griddesk)
    p = pl.read_parquet(args.peer)
    name = Path(args.peer).stem
    bad = 0
    periods = set(g["period"].unique()) | set(p["period"].unique())
    if len(periods) != 1:
        print(f"{name}: periods differ: {sorted(periods)}")
        bad += 1
    only_g = g.join(p, on="customer_no", how="anti")
    only_p = p.join(g, on="customer_no", how="anti")
    if only_g.height or only_p.height:
        print(f"{name}: customers only in GridDesk: {only_g.height} "
              f"{only_g['customer_no'].head(args.show).to_list()}; only in the peer: "
              f"{only_p.height} {only_p['customer_no'].head(args.show).to_list()}")
        bad += only_g.height + only_p.height
    j = g.join(p, on="customer_no", how="inner", suffix="_peer")
    print(f"{name}: {j.height} customers compared ({g.height} in GridDesk, {p.height} in peer)")
    for col in FLOATS + EXACT:
        a, b = pl.col(col), pl.col(col + "_peer")
        if col in FLOATS:
            ok = (a == b) | ((a - b).abs() <= REL * pl.max_horizontal(a.abs(), b.abs()))
        else:
            ok = a.cast(pl.String) == b.cast(pl.String)
        m = j.filter(~ok)
        same = j.filter(a == b).height if col in FLOATS else j.height - m.height
        note = f", {same} bit-identical" if col in FLOATS else ""
        print(f"  {col:<16} {m.height:>8} mismatches{note}")
        if m.height:
            bad += m.height
            ex = m.select("customer_no", col, col + "_peer").head(args.show)
            for row in ex.iter_rows():
                print(f"      {row[0]}: griddesk {row[1]!r}  peer {row[2]!r}")
    # How close GridDesk's customers come to the mean of its values (the default origin,
    # summed in customer order as GridDesk does): a quadrant mismatch at a distance of ulps
    # would be a float tie, not a different rule.
    if g.height:
        oc = common.fsum_seq(g["current_value"].to_list()) / g.height
        op = common.fsum_seq(g["potential_value"].to_list()) / g.height
        dc = (g["current_value"] - oc).abs().min()
        dp = (g["potential_value"] - op).abs().min()
        print(f"  mean of GridDesk's values: current {oc!r}, potential {op!r}; nearest customer "
              f"{dc:.3g} / {dp:.3g} away")
    print(f"{name}: {'OK' if bad == 0 else f'{bad} MISMATCHES'}")
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
