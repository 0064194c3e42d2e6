"""What the DuckDB and Polars segmentation peers share: GridDesk's configuration, its weights,
the period windows, and reporting of wall time and peak memory.

The peers compute exactly what `griddesk segment --period P` computes (domain D4.1-D4.5 as
implemented in crates/griddesk-domain/src/segment/ over the raw figures of
crates/griddesk-lake/src/segment.rs), so every constant here comes from there:

- the configuration is GridDesk's own file, data/segmentation.toml (the seed defaults that
  `griddesk segment` embeds), or the file given with --config, merged over it key by key as
  serde's `#[serde(default)]` does;
- the weights are recomputed from its judgment matrices with the same floating-point
  operations in the same order as crates/griddesk-domain/src/segment/weights.rs, so they are
  bit-identical to GridDesk's (they must be: the values are sums of score x weight);
- the power factor every customer gets while the lake has none is
  griddesk_lake::segment::DEFAULT_POWER_FACTOR.

Inputs: everything comes from the Parquet lake (docs/lake.md); GridDesk reads nothing else
from the database for a segmentation run (the population is every customer billed for P).
"""

from __future__ import annotations

import copy
import functools
import operator
import os
import resource
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEFAULT_CONFIG = REPO / "data" / "segmentation.toml"

# crates/griddesk-lake/src/segment.rs: DEFAULT_POWER_FACTOR (the lake has no power factor).
DEFAULT_POWER_FACTOR = 0.90

INDICATORS = ["b11", "b12", "b21", "b22", "b31", "b32", "b41", "b42"]
CURRENT = INDICATORS[:6]  # groups B1-B3: current value, total weights
POTENTIAL = INDICATORS[6:]  # group B4: potential value, weights within the group
GROUPS = {"b1": ["b11", "b12"], "b2": ["b21", "b22"], "b3": ["b31", "b32"], "b4": ["b41", "b42"]}
QUADRANTS = ["vip", "growth", "maintain", "abandon"]
ABC = ["A", "B", "C", "D"]

# crates/griddesk-domain/src/segment/weights.rs
FUZZY_TOLERANCE = 1e-9
AHP_TOLERANCE = 1e-6
SAATY_RANDOM_INDEX = [0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49]
# crates/griddesk-domain/src/segment/grading.rs
SHARE_TOLERANCE = 1e-9


def fsum_seq(xs) -> float:
    """A left-to-right float sum, as Rust's `Iterator::sum::<f64>()` (not Python 3.12's
    compensated `sum`)."""
    return functools.reduce(operator.add, xs, 0.0)


def _merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict) and k != "origin":
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


def _cell(c) -> float:
    if isinstance(c, str):
        if "/" in c:
            p, q = c.split("/", 1)
            return float(p.strip()) / float(q.strip())
        return float(c.strip())
    return float(c)


def fuzzy_weights(r: list[list[float]]) -> list[float]:
    """w_i = 1/n - 1/(2a) + (sum_j r_ij)/(n a), a = (n - 1)/2 (weights.rs `fuzzy_weights`)."""
    n = len(r)
    for i, row in enumerate(r):
        for j in range(i + 1, n):
            if abs(row[j] + r[j][i] - 1.0) > FUZZY_TOLERANCE:
                raise ValueError(f"fuzzy matrix not complementary at ({i + 1}, {j + 1})")
    nf = float(n)
    a = (nf - 1.0) / 2.0
    return [1.0 / nf - 1.0 / (2.0 * a) + fsum_seq(row) / (nf * a) for row in r]


def ahp_weights(m: list[list[float]]) -> list[float]:
    """Principal eigenvector by power iteration from the uniform vector (weights.rs `ahp`)."""
    n = len(m)
    for i, row in enumerate(m):
        for j in range(i + 1, n):
            if abs(row[j] * m[j][i] - 1.0) > AHP_TOLERANCE:
                raise ValueError(f"AHP matrix not reciprocal at ({i + 1}, {j + 1})")

    def times(w):
        return [fsum_seq(x * y for x, y in zip(row, w)) for row in m]

    w = [1.0 / n] * n
    for _ in range(10_000):
        nxt = times(w)
        s = fsum_seq(nxt)
        nxt = [x / s for x in nxt]
        delta = functools.reduce(max, (abs(x - y) for x, y in zip(nxt, w)), 0.0)
        w = nxt
        if delta < 1e-15:
            break
    aw = times(w)
    nf = float(n)
    lam = fsum_seq(x / y for x, y in zip(aw, w)) / nf
    ci = max((lam - nf) / (nf - 1.0), 0.0)
    ri = SAATY_RANDOM_INDEX[n - 1]
    cr = ci / ri if ri > 0.0 else 0.0
    if cr >= 0.1:
        raise ValueError(f"AHP matrix inconsistent: CR = {cr:.3f}")
    return w


@dataclass
class Config:
    period: str
    # p1, p2, a, r, M
    p1: float
    p2: float
    a: float
    r: float
    m: float
    power_factor: float
    # weight of each indicator in its value: total weights for B1-B3, within-group for B4
    weight: dict[str, float]
    # None: the population mean; else (current, potential)
    fixed_origin: tuple[float, float] | None
    # rank cut-offs of the ABC classes A, B, C for n customers: class k while above < cut[k]
    abc_shares: tuple[float, float, float]
    tier_basis: str
    tier_abc: dict[str, int]
    tier_quadrant: dict[str, int]

    @property
    def b22(self) -> float:
        """B22 of the lake's fixed power factor (indicators.rs `power_factor_score`)."""
        x, p1, p2 = self.power_factor, self.p1, self.p2
        if x <= p1:
            return 0.0
        if x >= p2:
            return 1.0
        return (x - p1) / (p2 - p1)

    def abc_cuts(self, n: int) -> list[float]:
        """grading.rs `bands_by_rank`: cumulative share x n - tolerance, summed left to right."""
        cuts, s, nf = [], 0.0, float(n)
        for share in self.abc_shares:
            s += share
            cuts.append(s * nf - SHARE_TOLERANCE)
        return cuts

    def tier(self, quadrant: str, abc: str) -> int:
        """service.rs `TierTable::tier_of` (the tier number only)."""
        a, q = self.tier_abc[abc], self.tier_quadrant[quadrant]
        if self.tier_basis == "abc":
            return a
        if self.tier_basis == "quadrant":
            return q
        return min(a, q)  # "best": the better (lower) tier

    def months(self) -> dict[str, str]:
        """The windows of crates/griddesk-lake/src/segment.rs for period P."""
        p = self.period
        return {
            "p": p,
            "from36": add_months(p, -35),
            # Bills fall due after their month: the ones due in the 36 months ending with P
            # are read from one month earlier (segment.rs `from37`, `fell_due`).
            "from37": add_months(p, -36),
            "after_p": add_months(p, 1),
            "from24": add_months(p, -23),
            "from12": add_months(p, -11),
            "same": add_months(p, -12),
        }


def add_months(period: str, k: int) -> str:
    y, m = int(period[:4]), int(period[5:7])
    i = y * 12 + (m - 1) + k
    return f"{i // 12:04d}-{i % 12 + 1:02d}"


def load_config(period: str, path: str | None = None) -> Config:
    if len(period) != 7 or period[4] != "-" or not (period[:4] + period[5:]).isdigit():
        raise SystemExit(f"--period {period!r} is not YYYY-MM")
    with open(DEFAULT_CONFIG, "rb") as f:
        cfg = tomllib.load(f)
    if path:
        with open(path, "rb") as f:
            cfg = _merge(cfg, tomllib.load(f))
    ind = cfg["indicators"]
    w = cfg["weights"]
    method = w.get("method", "fuzzy")
    of = fuzzy_weights if method == "fuzzy" else ahp_weights
    mat = lambda key: [[_cell(c) for c in row] for row in w[key]]  # noqa: E731
    level1 = of(mat("level1"))
    weight = {}
    for gi, (g, members) in enumerate(GROUPS.items()):
        within = of(mat(g))
        for k, ind_code in enumerate(members):
            # weights.rs: total = group weight x weight within the group
            weight[ind_code] = within[k] if g == "b4" else level1[gi] * within[k]
    origin = cfg.get("origin", "mean")
    fixed = None
    if isinstance(origin, dict):
        f = origin["fixed"]
        fixed = (float(f["current"]), float(f["potential"]))
    abc = cfg["abc"]
    tiers = cfg["tiers"]
    return Config(
        period=period,
        p1=float(ind["power_factor_low"]),
        p2=float(ind["power_factor_high"]),
        a=float(ind["late_fee_ratio_cap"]),
        r=float(ind["growth_rate_cap"]),
        m=float(ind["growth_amount_cap_kwh"]),
        power_factor=DEFAULT_POWER_FACTOR,
        weight=weight,
        fixed_origin=fixed,
        abc_shares=(float(abc["a"]), float(abc["b"]), float(abc["c"])),
        tier_basis=tiers.get("basis", "abc"),
        tier_abc={k.upper(): int(v["tier"]) for k, v in tiers["abc"].items()},
        tier_quadrant={k: int(v["tier"]) for k, v in tiers["quadrant"].items()},
    )


def lake_tables(lake: str) -> dict[str, bool]:
    """Which lake tables exist (a missing table directory is an empty table, as in GridDesk)."""
    root = Path(lake)
    return {t: (root / t).is_dir() and any((root / t).glob("month=*/*.parquet"))
            for t in ("bills", "payments", "load_curves")}


def month_files(lake: str, table: str, lo: str, hi: str) -> list[str]:
    """The Parquet files of `table` in the partitions lo..=hi (partition pruning by listing,
    which is what GridDesk's `month >= .. AND month <= ..` does)."""
    root = Path(lake) / table
    out = []
    for d in sorted(root.glob("month=*")):
        m = d.name[len("month="):]
        if lo <= m <= hi:
            out.extend(str(f) for f in sorted(d.glob("*.parquet")))
    return out


def one_writer(lake: str, table: str, lo: str, hi: str) -> bool:
    """Whether every file of `table` in lo..=hi has one stem (one writer), so no record is in
    two files and de-duplication can be skipped, as GridDesk's segment.rs `one_writer`."""
    return len({Path(f).stem for f in month_files(lake, table, lo, hi)}) <= 1


class Report:
    """Wall time and peak RSS of the whole process, printed in one line for the driver."""

    def __init__(self, name: str):
        self.name = name
        self.t0 = time.perf_counter()
        self.steps: list[tuple[str, float]] = []
        self._last = self.t0

    def step(self, label: str) -> None:
        now = time.perf_counter()
        self.steps.append((label, now - self._last))
        self._last = now

    def done(self, customers: int) -> None:
        wall = time.perf_counter() - self.t0
        peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
        steps = ", ".join(f"{k} {v:.2f} s" for k, v in self.steps)
        print(f"{self.name}: segmented {customers} customers in {wall:.2f} s wall ({steps}); "
              f"peak RSS {peak_kib} KiB", file=sys.stderr)


def threads() -> int:
    return int(os.environ.get("PEER_THREADS", os.cpu_count() or 1))
