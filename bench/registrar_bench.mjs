// The registrar benchmark: bns-registrar (release build) in front of bcoin regtest
// and blockstackd, its queue durable (SQLite WAL, synchronous=FULL).
//   1. requests accepted per second: wrk POSTs /register with fresh labels for
//      REGISTRAR_BENCH_SECONDS (default 10) over 32 connections;
//   2. request to resolvable: one client POSTs then GETs the subdomain from the
//      node (which redirects to the registrar) until it answers, 300 times;
//   3. request to anchored: a batch of 100, the interval, one block, the node's
//      verdict and the zone file given out.
// The original registrar is not packaged (npm or Debian), so its design is the
// peer: one durable SQLite commit per request, measured on the same disk with
// Python's sqlite3 in the same run; the ratio is ours to that floor.
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

process.env.BLOCKSTACK_BIN_DIR ||= path.resolve('build/release/apps');
const h = await import('../test/functional/harness.mjs');

const seconds = Number(process.env.REGISTRAR_BENCH_SECONDS || 10);
const dir = h.tempDir('registrar-bench');
const stack = await h.startStack(dir, ['owner', 'user']);
let registrar;
const pct = (xs, p) => xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
try {
  await h.createNamespace(stack, 'bench', 'owner');
  const port = await h.freePort();
  const url = `http://127.0.0.1:${port}`;
  writeFileSync(path.join(dir, 'domain.zone'), `$ORIGIN reg.bench\n$TTL 3600\n_resolver\tIN\tURI\t10\t1\t"${url}"\n`);
  await stack.mined(['name', 'register', 'reg.bench', '--key', stack.keys.owner.wif.regtest, '--zonefile',
    path.join(dir, 'domain.zone'), '--quiet']);
  writeFileSync(path.join(dir, 'owner.key'), `${stack.keys.owner.wif.regtest}\n`);
  const start = (interval, db, batchSize) => {
    const p = h.startProcess(path.join(h.binDir, 'bns-registrar'), ['--domain', 'reg.bench', '--key-file',
      path.join(dir, 'owner.key'), '--network', 'regtest', '--bitcoind', stack.bcoin.url, '--wallet-rpc',
      stack.bcoin.walletUrl, '--node', stack.api, '--db', path.join(dir, db), '--listen',
      `127.0.0.1:${port}`, '--batch-interval', String(interval), '--batch-size', String(batchSize), '--owner-limit', '0',
      '--log-level', 'warn']);
    return h.waitFor(() => {
      if (p.exitCode !== null) throw new Error(`bns-registrar exited: ${p.output}`);
      return /listening on/.test(p.output);
    }, { what: 'bns-registrar' }).then(() => p);
  };
  const owner = stack.keys.user.address.regtest;

  // 1. Throughput, on a queue of its own. No batch is cut meanwhile (a long
  // interval, no size limit); the batcher reads at most one batch of the queue.
  registrar = await start(3600, 'flood.db', 1000000);
  writeFileSync(path.join(dir, 'register.lua'), `
next_id = 0
function setup(thread) thread:set("id", next_id); next_id = next_id + 1 end
function init(args) n = 0; headers = {["Content-Type"] = "application/json"} end
function request()
  n = n + 1
  return wrk.format("POST", "/register", headers,
    '{"name":"t' .. id .. 'x' .. n .. '","owner_address":"${owner}","zonefile":"$ORIGIN t' .. id .. 'x' .. n .. '\\\\n$TTL 3600\\\\n"}')
end
function done(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %.3f %.3f\\n", summary.requests, summary.errors.status,
    summary.duration, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end`);
  const wrk = execFileSync('wrk', ['-t2', '-c32', `-d${seconds}s`, '-s', path.join(dir, 'register.lua'), url],
    { encoding: 'utf8' });
  const [, requests, non2xx, micros, p50, p99] = wrk.match(/RESULT (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+)/).map(Number);
  const held = Number(spawnSync('python3', ['-c', `import sqlite3; print(sqlite3.connect(${JSON.stringify(
    path.join(dir, 'flood.db'))}).execute("SELECT COUNT(*) FROM requests").fetchone()[0])`], { encoding: 'utf8' }).stdout);
  // (the requests still in flight when wrk stops counting are queued too)
  if (held < requests - non2xx || held > requests - non2xx + 32) throw new Error(`${requests - non2xx} accepted but ${held} in the queue: ${wrk}`);
  const rate = (requests - non2xx) / (micros / 1e6);
  // The floor of the original's design: one synchronous commit per request.
  const floor = Number(spawnSync('python3', ['-c', `
import sqlite3, time
c = sqlite3.connect(${JSON.stringify(path.join(dir, 'floor.db'))}, isolation_level=None)
c.execute("PRAGMA journal_mode=WAL"); c.execute("PRAGMA synchronous=FULL")
c.execute("CREATE TABLE q(name TEXT UNIQUE, owner TEXT, zonefile TEXT, status TEXT)")
n, t = 5000, time.perf_counter()
for i in range(n):
    c.execute("INSERT INTO q VALUES(?, ?, ?, 'received')", ("n%d" % i, ${JSON.stringify(owner)}, "$ORIGIN n%d" % i))
print(n / (time.perf_counter() - t))`], { encoding: 'utf8' }).stdout);
  await h.stopProcess(registrar);

  // 2. Request to resolvable, through the node's redirect.
  registrar = await start(2, 'registrar.db', 100);
  const resolvable = [];
  for (let i = 0; i < 300; i++) {
    const label = `lat${i}`;
    const t0 = performance.now();
    const r = await fetch(`${url}/register`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: label, owner_address: owner, zonefile: `$ORIGIN ${label}\n` }) });
    if (r.status !== 202) throw new Error(`register ${label}: ${r.status} ${await r.text()}`);
    for (;;) {
      const got = await fetch(`${stack.api}/v1/names/${label}.reg.bench`);
      if (got.status === 200 && (await got.json()).address === owner) break;
    }
    resolvable.push(performance.now() - t0);
  }

  // 3. Request to anchored: the next batch (interval 2 s), one block, the verdict;
  // the batches of (2) anchored first.
  const status = async (label) => (await (await fetch(`${url}/status/${label}`)).json()).status;
  await stack.bcoin.whileMining(h.waitFor(async () => (await status('lat299')) === 'Subdomain propagated',
    { timeoutMs: 120000, what: 'the batches of (2) anchored' }), stack.keys.owner.address.regtest);
  const t0 = performance.now();
  for (let i = 0; i < 100; i++) {
    await fetch(`${url}/register`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: `anc${i}`, owner_address: owner, zonefile: `$ORIGIN anc${i}\n` }) });
  }
  await h.waitFor(async () => /transaction/.test(await status('anc99')), { timeoutMs: 60000, what: 'the batch sent' });
  const sent = performance.now();
  await stack.bcoin.mine(1, stack.keys.owner.address.regtest);
  const mined = performance.now();
  await h.waitFor(async () => (await status('anc99')) === 'Subdomain propagated',
    { timeoutMs: 60000, intervalMs: 10, what: 'the batch anchored' });
  const anchored = performance.now();
  const rec = await (await fetch(`${stack.api}/v1/names/anc0.reg.bench`)).json();
  if (rec.status !== 'registered_subdomain') throw new Error(`anc0 not on chain: ${JSON.stringify(rec)}`);

  const f = (x) => x.toFixed(1);
  console.log(`registrar_bench: requests accepted per second (durable queue, wrk -t2 -c32 -d${seconds}s)`);
  console.log(`  bns-registrar                      ${f(rate)}/s  (${requests - non2xx} accepted, ${non2xx} refused, p50 ${p50} ms, p99 ${p99} ms)`);
  console.log(`  the original's design, its storage alone (one synchronous commit per request, no HTTP, no node):`);
  console.log(`    Python sqlite3 on the same disk   ${f(floor)}/s: a ceiling it cannot pass`);
  console.log(`  ratio bns-registrar / that ceiling ${(rate / floor).toFixed(2)}`);
  console.log(`registrar_bench: request to resolvable through the node's redirect, 300 requests`);
  console.log(`  p50 ${f(pct(resolvable, 0.5))} ms  p99 ${f(pct(resolvable, 0.99))} ms  max ${f(Math.max(...resolvable))} ms`);
  console.log('registrar_bench: request to anchored, a batch of 100 (interval 2 s, 1 confirmation)');
  console.log(`  to the batch transaction sent      ${f(sent - t0)} ms`);
  console.log(`  block mined to anchored (verdict, zone file given out) ${f(anchored - mined)} ms`);
  console.log(`  rerun: REGISTRAR_BENCH_SECONDS=${seconds} node bench/registrar_bench.mjs (after make bench, or in it)`);
} finally {
  if (registrar) await h.stopProcess(registrar);
  await stack.stop();
}
