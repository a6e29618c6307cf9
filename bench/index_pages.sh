#!/usr/bin/env bash
# Pages written per block while indexing, by B-tree: indexes the 2,500-block bench
# chain (see index_bench.sh), stops blockstackd with SIGKILL once block
# INDEX_PAGES_STOP (default 1900) is committed, so the write-ahead log keeps its
# frames, and maps each frame of the last 50 commits to the table or index that
# owns its page (SQLite's dbstat). The figure behind doc/performance.md's
# pages-per-block table; it does not depend on the machine's speed.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/release
stop="${INDEX_PAGES_STOP:-1900}"
chain="${TMPDIR:-/tmp}/blockstack-bench-chain-2500x40.blk"
if [[ ! -s "$chain" ]]; then
  INDEX_BENCH_BLOCKS=2500 INDEX_BENCH_OPS=40 bench/index_bench.sh > /dev/null
fi
data=$(mktemp -d)
copy=$(mktemp -d)
pid=
cleanup() {
  if [[ -n "$pid" ]]; then kill -9 "$pid" 2> /dev/null || true; fi
  rm -rf "$data" "$copy"
}
trap cleanup EXIT
"$bin/apps/blockstackd" --network regtest --blocks-file "$chain" --first-block 100 --data-dir "$data" \
  --exit-at-tip --log-level warn --api off &
pid=$!
python3 - "$data/blockstack.db" "$stop" "$pid" << 'PY'
import os, sqlite3, sys, time
path, stop, pid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
deadline = time.time() + 600
while time.time() < deadline:
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        last = con.execute("SELECT MAX(block_id) FROM snapshots").fetchone()[0]
        con.close()
        if last is not None and last >= stop:
            os.kill(pid, 9)
            sys.exit(0)
    except sqlite3.Error:
        pass
    time.sleep(0.05)
sys.exit("index_pages: block %d was not reached" % stop)
PY
wait "$pid" 2> /dev/null || true
pid=
cp "$data/blockstack.db" "$data/blockstack.db-wal" "$copy/"
python3 - "$data/blockstack.db-wal" "$copy/blockstack.db" << 'PY'
import collections, sqlite3, struct, sys
wal = open(sys.argv[1], "rb").read()
page_size = struct.unpack(">I", wal[8:12])[0]
salt = wal[16:24]
commits, frames, off = [], [], 32
while off + 24 + page_size <= len(wal) and wal[off + 8:off + 16] == salt:
    page, db_size = struct.unpack(">II", wal[off:off + 8])
    frames.append(page)
    off += 24 + page_size
    if db_size:  # a commit frame ends the block's transaction
        commits.append(frames)
        frames = []
con = sqlite3.connect(sys.argv[2])  # recovers the log into the copy
owner = {page: name for name, page in con.execute("SELECT name, pageno FROM dbstat")}
last = commits[-50:]
if not last:
    sys.exit("index_pages: the log had just started over when the indexer was stopped, so it holds no "
             "commit to count; run again, or with another INDEX_PAGES_STOP")
per_tree = collections.Counter(owner.get(p, "?") for c in last for p in set(c))
block = con.execute("SELECT MAX(block_id) FROM snapshots").fetchone()[0]
print(f"index_pages: last {len(last)} commits up to block {block}: "
      f"{sum(len(c) for c in last) / len(last):.1f} pages per block")
for name, n in per_tree.most_common():
    print(f"  {n / len(last):6.1f}  {name}")
print("  rerun: bench/index_pages.sh (INDEX_PAGES_STOP sets the block)")
PY
