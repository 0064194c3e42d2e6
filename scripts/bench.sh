#!/usr/bin/env bash
# Reproduces the figures in BENCHMARKS.md for one size: demo-data generation (rate, peak memory)
# with a peer bulk load run on the same machine in the same run, search latency against a peer
# primary-key lookup, and server idle memory.
#
#   scripts/bench.sh N [sqlite|postgres]
#
# Needs a release build (cargo build --release -p griddesk-cli) and, for postgres, the local
# server at 127.0.0.1:5432. Writes everything under ${BENCH_DIR:-/tmp/griddesk-bench}.
# KEEP=1 reuses the demo company of an earlier run (skips generation and its peer); SAMPLES sets
# the searches per kind, OUTAGE_SAMPLES and CALLS_PER_SECOND the outage benchmark.
set -euo pipefail
N=${1:?customers}
BACKEND=${2:-sqlite}
BIN=${BIN:-${CARGO_TARGET_DIR:-$HOME/.cache/griddesk-target}/release/griddesk}
DIR=${BENCH_DIR:-/tmp/griddesk-bench}/$BACKEND-$N
KEEP=${KEEP:-0}
[ "$KEEP" = 1 ] && [ -d "$DIR/lake" ] || { KEEP=0; rm -rf "$DIR"; mkdir -p "$DIR"; }
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -r)"
echo "griddesk: $($BIN --version)"

if [ "$BACKEND" = postgres ]; then
  DB=gd_bench_$N
  [ "$KEEP" = 1 ] || psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
  URL=postgres://postgres@127.0.0.1:5432/$DB
else
  URL=$DIR/griddesk.db
fi

if [ "$KEEP" = 1 ]; then
  echo "== reusing the demo company in $DIR"
else
  echo "== generation: griddesk demo-data --customers $N"
  /usr/bin/time -f 'griddesk demo-data: %e s elapsed, %M KiB peak RSS' \
    "$BIN" demo-data --customers "$N" --seed 1 --last-month 2026-10 \
    --database "$URL" --data-dir "$DIR" 2>&1 | grep -v '^\s*$' | tail -n 4

  echo "== peer: bulk load of $N rows (customer_no, name, address) with the database's own tool"
  if [ "$BACKEND" = postgres ]; then
    PDB=gd_bench_peer
    psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $PDB" -c "CREATE DATABASE $PDB"
    /usr/bin/time -f 'peer psql insert-select: %e s elapsed, %M KiB peak RSS' \
      psql -q -h 127.0.0.1 -U postgres -d $PDB -c \
      "CREATE TABLE c(id bigint primary key, customer_no text unique, name text, address text);
       INSERT INTO c SELECT i, lpad(i::text,10,'0'), md5(i::text), md5((i*7)::text) FROM generate_series(1,$N) i;"
  else
    /usr/bin/time -f 'peer sqlite3 insert-select: %e s elapsed, %M KiB peak RSS' \
      sqlite3 "$DIR/peer.db" "PRAGMA journal_mode=WAL; CREATE TABLE c(id INTEGER PRIMARY KEY, customer_no TEXT UNIQUE, name TEXT, address TEXT);
       WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM s WHERE i < $N)
       INSERT INTO c SELECT i, printf('%010d', i), hex(randomblob(8)), hex(randomblob(16)) FROM s;" >/dev/null
  fi
fi

echo "== search latency"
"$BIN" bench search --database "$URL" --customers "$N" --seed 1 --samples "${SAMPLES:-500}"

echo "== server idle memory"
"$BIN" serve --addr 127.0.0.1:0 --database "$URL" --data-dir "$DIR" >"$DIR/serve.log" 2>&1 &
PID=$!
for _ in $(seq 1 60); do grep -q 'running at' "$DIR/serve.log" && break; sleep 1; done
ADDR=$(grep -o 'http://[0-9.:]*' "$DIR/serve.log" | head -n1)
curl -fsS "$ADDR/healthz" >/dev/null
sleep 5
echo "griddesk serve idle RSS: $(awk '/VmRSS/{print $2, $3}' /proc/$PID/status)"
kill -TERM $PID; wait $PID || true
echo "disk: $(du -sh "$DIR" | cut -f1) (database + lake)"

echo "== outages (writes outages and work orders into the benchmark database)"
"$BIN" bench outages --database "$URL" --data-dir "$DIR" --customers "$N" --seed 1 \
  --samples "${OUTAGE_SAMPLES:-20}" --calls-per-second "${CALLS_PER_SECOND:-1000}"
