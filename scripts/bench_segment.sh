#!/usr/bin/env bash
# The segmentation benchmark of issue 6 for one size: GridDesk's full run (lake -> indicators ->
# scores -> values -> quadrants -> stored) against the same computation in DuckDB SQL and in
# Polars on the same Parquet files, each under /usr/bin/time (wall time, peak RSS), then every
# peer's result checked against GridDesk's export (scripts/segment_peers/compare.py).
#
#   scripts/bench_segment.sh N
#
# Needs a release build (cargo build --release -p griddesk-cli) and the peers' packages
# (pip install -r scripts/segment_peers/requirements.txt). Writes everything under
# ${BENCH_DIR:-/tmp/griddesk-bench}/segment-N; KEEP=1 reuses a demo company generated there
# before. PERIOD (default 2026-10, the demo's last month), PYTHON, BIN can be overridden;
# PEER_THREADS caps the peers' threads (default: every core, as GridDesk uses); PEER_CHUNK sets
# their customers per lake query (default 20,000, as GridDesk's).
set -euo pipefail
N=${1:?customers}
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${BIN:-${CARGO_TARGET_DIR:-$HOME/.cache/griddesk-target}/release/griddesk}
PYTHON=${PYTHON:-python3}
PERIOD=${PERIOD:-2026-10}
DIR=${BENCH_DIR:-/tmp/griddesk-bench}/segment-$N
PEERS="$HERE/segment_peers"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r)"
echo "griddesk: $($BIN --version)"
echo "peers: $("$PYTHON" -c 'import duckdb, polars, sys; print("python", sys.version.split()[0], "duckdb", duckdb.__version__, "polars", polars.__version__)')"

if [ "${KEEP:-0}" = 1 ] && [ -d "$DIR/lake/bills" ]; then
  echo "== reusing the demo company in $DIR"
else
  rm -rf "$DIR"; mkdir -p "$DIR"
  echo "== generation: griddesk demo-data --customers $N"
  /usr/bin/time -f 'griddesk demo-data: %e s elapsed, %M KiB peak RSS' \
    "$BIN" demo-data --customers "$N" --seed 1 --last-month 2026-10 --data-dir "$DIR" 2>&1 \
    | grep -v '^\s*$' | tail -n 3
fi
echo "lake: $(du -sh "$DIR/lake" | cut -f1)"

RESULTS=()
# run LABEL OUT CMD...: the tables a segmentation reads read once into the page cache (so no
# tool pays for a cold cache the others do not), then the command under /usr/bin/time.
run() {
  local label=$1 out=$2; shift 2
  for t in bills payments load_curves; do
    [ -d "$DIR/lake/$t" ] && find "$DIR/lake/$t" -name '*.parquet' -exec cat {} + >/dev/null
  done
  rm -f "$out"
  echo "== $label"
  /usr/bin/time -f '%e %M' -o "$DIR/time.txt" "$@" 2>&1 | grep -v '^\s*$' | tail -n 8
  read -r secs kib <"$DIR/time.txt"
  RESULTS+=("$label|$secs|$((kib / 1024))|$out")
}

run "griddesk segment" "$DIR/griddesk.parquet" \
  "$BIN" segment --period "$PERIOD" --data-dir "$DIR" --export-parquet "$DIR/griddesk.parquet"
run "duckdb" "$DIR/duckdb.parquet" \
  "$PYTHON" "$PEERS/duckdb_segment.py" "$DIR/lake" --period "$PERIOD" --out "$DIR/duckdb.parquet" \
  --chunk "${PEER_CHUNK:-20000}"
run "polars" "$DIR/polars.parquet" \
  "$PYTHON" "$PEERS/polars_segment.py" "$DIR/lake" --period "$PERIOD" --out "$DIR/polars.parquet" \
  --chunk "${PEER_CHUNK:-20000}"

declare -A CHECK
for peer in duckdb polars; do
  echo "== compare.py griddesk vs $peer"
  if "$PYTHON" "$PEERS/compare.py" "$DIR/griddesk.parquet" "$DIR/$peer.parquet" \
    >"$DIR/compare-$peer.txt" 2>&1; then CHECK[$peer]="same results"
  else CHECK[$peer]="MISMATCH (see $DIR/compare-$peer.txt)"; fi
  cat "$DIR/compare-$peer.txt"
done

echo
echo "== segmentation of $N customers, period $PERIOD ($(nproc) cores)"
printf '%-18s %10s %14s  %s\n' tool "wall s" "peak RSS MiB" "check vs griddesk"
for r in "${RESULTS[@]}"; do
  IFS='|' read -r label secs mib out <<<"$r"
  case $label in duckdb|polars) check=${CHECK[$label]} ;; *) check="(reference)" ;; esac
  printf '%-18s %10s %14s  %s\n' "$label" "$secs" "$mib" "$check"
done
