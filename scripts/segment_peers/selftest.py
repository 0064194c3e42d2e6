#!/usr/bin/env python3
"""Checks both peers on a hand-made lake without GridDesk: the lake of the Rust unit test
`inputs_of_a_period_by_hand` (crates/griddesk-lake/src/segment.rs): duplicated records in a
second file, a bounced payment, a payment after the period, one outside the 36 months, curves
of another month. Exits 1 on a wrong figure.

    selftest.py
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
DEC = pa.decimal128(18, 2)
BILLS = pa.schema([("bill_no", pa.string()), ("customer_no", pa.string()),
                   ("consumption_kwh", DEC), ("amount", DEC), ("late_fee", DEC),
                   ("issued_on", pa.date32()), ("due_on", pa.date32())])
PAYMENTS = pa.schema([("payment_no", pa.string()), ("customer_no", pa.string()),
                      ("bill_no", pa.string()), ("paid_at", pa.timestamp("us", tz="UTC")),
                      ("amount", DEC), ("channel", pa.string()), ("bounced", pa.bool_())])
CURVES = pa.schema([("customer_no", pa.string()), ("curve_date", pa.date32()),
                    ("points_kw", pa.list_(pa.float32(), 96))])


def write(root: Path, table: str, stem: str, schema: pa.Schema, rows: list[dict], month) -> None:
    by: dict[str, list[dict]] = {}
    for r in rows:
        by.setdefault(month(r), []).append(r)
    for m, rs in by.items():
        d = root / table / f"month={m}"
        d.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(rs, schema=schema), d / f"{stem}.parquet")


def bill(c: str, p: str, kwh: int, yuan: int, late: int) -> dict:
    y, m = int(p[:4]), int(p[5:])
    return {"bill_no": f"B{c}{p.replace('-', '')}", "customer_no": c,
            "consumption_kwh": Decimal(kwh), "amount": Decimal(yuan), "late_fee": Decimal(late),
            # issued on the 1st and due on the 20th of the next month, as the Rust test's bills
            "issued_on": dt.date(y + m // 12, m % 12 + 1, 1),
            "due_on": dt.date(y + m // 12, m % 12 + 1, 20), "_p": p}


def pay(no: str, b: dict, at: str, yuan: int, bounced: bool) -> dict:
    return {"payment_no": no, "customer_no": b["customer_no"], "bill_no": b["bill_no"],
            "paid_at": dt.datetime.fromisoformat(at), "amount": Decimal(yuan),
            "channel": "wechat", "bounced": bounced}


def main() -> int:
    a, b, c = "1000000001", "1000000002", "1000000003"
    a_now, a_prev = bill(a, "2026-09", 1000, 600, 0), bill(a, "2026-08", 900, 550, 0)
    a_same, a_out = bill(a, "2025-09", 800, 500, 10), bill(a, "2023-08", 999, 999, 0)
    a_old = bill(a, "2023-10", 100, 50, 5)
    bills = [a_now, a_prev, a_same, bill(a, "2025-03", 300, 200, 0),
             a_old, a_out, bill(b, "2026-09", 3000, 1400, 0),
             bill(c, "2026-08", 50, 30, 0)]
    pays = [pay("P1", a_same, "2025-10-15T02:00:00+00:00", 510, False),
            pay("P2", a_prev, "2026-09-10T02:00:00+00:00", 550, False),
            pay("P3", a_now, "2026-09-28T02:00:00+00:00", 600, True),
            pay("P4", a_now, "2026-10-05T02:00:00+00:00", 600, False),
            pay("P5", a_out, "2023-09-10T02:00:00+00:00", 999, False),
            pay("P6", a_old, "2023-11-10T02:00:00+00:00", 55, False)]
    day1 = [10.0] * 96
    day1[40] = 40.0
    curves = [{"customer_no": a, "curve_date": dt.date(2026, 9, 1), "points_kw": day1},
              {"customer_no": a, "curve_date": dt.date(2026, 9, 2), "points_kw": [20.0] * 96},
              {"customer_no": a, "curve_date": dt.date(2026, 8, 31), "points_kw": [100.0] * 96}]
    bm = lambda r: r.pop("_p", None) or r["issued_on"].strftime("%Y-%m")  # noqa: E731
    pm = lambda r: r["paid_at"].strftime("%Y-%m")  # noqa: E731
    cm = lambda r: r["curve_date"].strftime("%Y-%m")  # noqa: E731
    expected = {  # by hand, as the Rust test's figures give them
        a: {"b11": 0.25, "b12": 0.3, "b21": 15.156 / 40, "b22": (0.9 - 0.8) / (0.95 - 0.8),
            "b31": 1115 / 1315, "b32": (0.5 - 15 / 1300) / 0.5, "b41": 1.0, "b42": 200 / 1e6,
            "purchase_amount": Decimal("1150.00")},
        b: {"b11": 0.75, "b12": 0.7, "b21": 0.0, "b31": 1.0, "b32": 1.0, "b41": 1.0,
            "b42": 3000 / 1e6, "purchase_amount": Decimal("1400.00")},
    }
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "lake"
        write(root, "bills", "demo-1", BILLS, [dict(x) for x in bills], bm)
        write(root, "payments", "demo-1", PAYMENTS, pays, pm)
        write(root, "load_curves", "demo-1", CURVES, curves, cm)
        # The same records again under another stem count once.
        write(root, "bills", "import-x", BILLS, [dict(a_prev)], bm)
        write(root, "payments", "import-x", PAYMENTS, pays[1:2], pm)
        write(root, "load_curves", "import-x", CURVES, curves[1:2], cm)
        for peer in ("duckdb_segment.py", "polars_segment.py"):
            out = Path(tmp) / (peer + ".parquet")
            subprocess.run([sys.executable, str(HERE / peer), str(root), "--period", "2026-09",
                            "--out", str(out), "--chunk", "1"], check=True)
            got = {r["customer_no"]: r for r in pq.read_table(out).to_pylist()}
            if sorted(got) != [a, b]:
                print(f"{peer}: population {sorted(got)}, expected {[a, b]}")
                failed += 1
                continue
            for cust, want in expected.items():
                for k, v in want.items():
                    x = got[cust][k]
                    ok = x == v if isinstance(v, Decimal) else abs(x - v) <= 1e-12
                    if not ok:
                        print(f"{peer}: {cust} {k} = {x!r}, expected {v!r}")
                        failed += 1
            # two customers: mid-rank scores 2 and 4, or 3 and 3 when tied
            if (got[a]["score_b11"], got[b]["score_b11"]) != (2, 4) or got[a]["score_b41"] != 3:
                print(f"{peer}: scores {got[a]} {got[b]}")
                failed += 1
    print("selftest:", "OK" if not failed else f"{failed} failures")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
