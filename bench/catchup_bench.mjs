// Catch-up through a Bitcoin node's JSON-RPC on mainnet-shaped blocks: what a node
// on mainnet does for the 290,000 blocks from 373,601 on. A stand-in for bitcoind
// (a child process, answers from memory) serves BLOCKS blocks of about 1.2 MB
// (2,000-3,000 transactions, half of them segwit) over getblockhash/getblock in
// batches, as bitcoind does. In the same run:
//   floor: a plain HTTP client fetches the same batches and discards the bytes;
//   ours:  blockstackd --exit-at-tip indexes the chain through the same server.
// It prints both rates, their ratio, and the time for 290,000 such blocks.
//
//   node bench/catchup_bench.mjs [BLOCKS]      (default 1000; BLOCKSTACKD=path)
//
// The blocks carry no BNS operation: reading and checking them (hex, parse,
// txids, merkle root) is the work a mainnet catch-up is made of; the operations
// are a few hundred thousand over all those blocks (bench/index_bench.sh).
import { createHash, randomBytes } from 'node:crypto';
import { fork, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..');
const REGTEST_GENESIS = '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206';
const BODIES = 16;                // distinct block bodies; each height gets its own header
const BLOCK_BYTES = 1_200_000;
const V1_BLOCKS = 290_000;        // 373,601 to the end of the v1 history

const sha256d = (b) => createHash('sha256').update(createHash('sha256').update(b).digest()).digest();

function varint(n) {
  if (n < 0xfd) return Buffer.from([n]);
  if (n <= 0xffff) { const b = Buffer.alloc(3); b[0] = 0xfd; b.writeUInt16LE(n, 1); return b; }
  const b = Buffer.alloc(5); b[0] = 0xfe; b.writeUInt32LE(n, 1); return b;
}

// One payment: 1-3 inputs, 2 outputs; legacy p2pkh or segwit p2wpkh spends.
function makeTx(segwit) {
  const nIn = 1 + Math.floor(Math.random() * 3);
  const ins = [];
  for (let i = 0; i < nIn; i++) {
    ins.push(randomBytes(36));                                   // prevout
    if (segwit) ins.push(Buffer.from([0]));                      // empty scriptSig
    else ins.push(Buffer.concat([Buffer.from([0x6b, 0x48]), randomBytes(72), Buffer.from([0x21]), randomBytes(33)]));
    ins.push(Buffer.from([0xff, 0xff, 0xff, 0xfe]));
  }
  const outs = [];
  for (let o = 0; o < 2; o++) {
    const value = Buffer.alloc(8);
    value.writeUInt32LE(Math.floor(Math.random() * 1e9), 0);
    outs.push(value, segwit ? Buffer.concat([Buffer.from([22, 0x00, 0x14]), randomBytes(20)])
      : Buffer.concat([Buffer.from([25, 0x76, 0xa9, 0x14]), randomBytes(20), Buffer.from([0x88, 0xac])]));
  }
  const version = Buffer.from([2, 0, 0, 0]);
  const locktime = Buffer.alloc(4);
  const body = [varint(nIn), ...ins, varint(2), ...outs];
  const stripped = Buffer.concat([version, ...body, locktime]);
  if (!segwit) return { full: stripped, txid: sha256d(stripped) };
  const witness = [];
  for (let i = 0; i < nIn; i++) witness.push(Buffer.from([2, 72]), randomBytes(72), Buffer.from([33]), randomBytes(33));
  const full = Buffer.concat([version, Buffer.from([0, 1]), ...body, ...witness, locktime]);
  return { full, txid: sha256d(stripped) };
}

function coinbase(tag) {
  const script = Buffer.concat([Buffer.from([4]), Buffer.from(Uint32Array.of(tag).buffer)]);
  const tx = Buffer.concat([Buffer.from([1, 0, 0, 0, 1]), Buffer.alloc(32), Buffer.from([0xff, 0xff, 0xff, 0xff]),
    varint(script.length), script, Buffer.from([0xff, 0xff, 0xff, 0xff, 1]),
    Buffer.from([0x00, 0xf2, 0x05, 0x2a, 0x01, 0, 0, 0]),
    Buffer.concat([Buffer.from([25, 0x76, 0xa9, 0x14]), randomBytes(20), Buffer.from([0x88, 0xac])]), Buffer.alloc(4)]);
  return { full: tx, txid: sha256d(tx) };
}

function merkleRoot(txids) {
  let level = txids;
  while (level.length > 1) {
    const next = [];
    for (let i = 0; i < level.length; i += 2) next.push(sha256d(Buffer.concat([level[i], level[i + 1] ?? level[i]])));
    level = next;
  }
  return level[0];
}

function makeBody(tag) {
  const txs = [coinbase(tag)];
  let size = txs[0].full.length;
  while (size < BLOCK_BYTES) {
    const tx = makeTx(txs.length % 2 === 0);
    txs.push(tx);
    size += tx.full.length;
  }
  return {
    bytes: Buffer.concat([varint(txs.length), ...txs.map((t) => t.full)]),
    merkle: merkleRoot(txs.map((t) => t.txid)),
    txCount: txs.length,
    coinbase: txs[0],
  };
}

// --- the stand-in bitcoind (child process) --------------------------------------------

function serve(blocks) {
  const bodies = Array.from({ length: BODIES }, (_, i) => makeBody(i));
  const bodyHex = bodies.map((b) => b.bytes.toString('hex'));
  const hashes = [REGTEST_GENESIS];
  const headerHex = [''];
  const byHash = new Map();
  let prev = Buffer.from(REGTEST_GENESIS, 'hex').reverse();
  for (let h = 1; h <= blocks; h++) {
    const body = bodies[h % BODIES];
    const header = Buffer.alloc(80);
    header.writeUInt32LE(0x20000000, 0);
    prev.copy(header, 4);
    body.merkle.copy(header, 36);
    header.writeUInt32LE(1600000000 + h * 600, 68);
    header.writeUInt32LE(0x207fffff, 72);
    header.writeUInt32LE(h, 76);
    prev = sha256d(header);
    const hash = Buffer.from(prev).reverse().toString('hex');
    hashes.push(hash);
    headerHex.push(header.toString('hex'));
    byHash.set(hash, h);
  }
  const coinbases = new Map(bodies.map((b) => [Buffer.from(b.coinbase.txid).reverse().toString('hex'),
    b.coinbase.full.toString('hex')]));
  // Answers are lists of buffers written as they are: a block's hex is built once
  // per body, so the server copies bytes and builds no large string.
  const bodyHexBuf = bodyHex.map((h) => Buffer.from(h, 'latin1'));
  const text = (t) => [Buffer.from(t)];
  const answer = (call) => {
    const [a, b] = call.params ?? [];
    switch (call.method) {
      case 'getblockcount': return text(JSON.stringify(blocks));
      case 'getbestblockhash': return text(JSON.stringify(hashes[blocks]));
      case 'getblockhash': return a >= 0 && a <= blocks ? text(JSON.stringify(hashes[a])) : null;
      case 'getblock': {
        const h = byHash.get(a);
        if (h === undefined) return null;
        if (b === false || b === 0) return [Buffer.from(`"${headerHex[h]}`), bodyHexBuf[h % BODIES], Buffer.from('"')];
        return text(JSON.stringify({ hash: a, height: h, confirmations: blocks - h + 1 }));
      }
      case 'getblockheader': {
        const h = byHash.get(a);
        return h === undefined ? null : text(JSON.stringify({ hash: a, height: h, confirmations: blocks - h + 1 }));
      }
      case 'getrawtransaction': return coinbases.has(a) ? text(JSON.stringify(coinbases.get(a))) : null;
      default: return null;
    }
  };
  const reply = (call) => {
    const result = answer(call);
    const id = JSON.stringify(call.id ?? null);
    if (result === null) {
      return text(`{"result":null,"error":{"code":-5,"message":"not found: ${call.method}"},"id":${id}}`);
    }
    return [Buffer.from('{"result":'), ...result, Buffer.from(`,"error":null,"id":${id}}`)];
  };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString());
      let parts;
      if (Array.isArray(body)) {
        parts = [Buffer.from('[')];
        body.forEach((call, i) => parts.push(...(i ? [Buffer.from(',')] : []), ...reply(call)));
        parts.push(Buffer.from(']'));
      } else {
        parts = reply(body);
      }
      const length = parts.reduce((n, p) => n + p.length, 0);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': length });
      res.cork();
      for (const p of parts) res.write(p);
      res.uncork();
      res.end();
    });
  });
  server.keepAliveTimeout = 60000;
  server.listen(0, '127.0.0.1', () => {
    const blockBytes = bodies.reduce((n, b) => n + b.bytes.length + 80, 0) / BODIES;
    const txs = bodies.reduce((n, b) => n + b.txCount, 0) / BODIES;
    process.send({ port: server.address().port, blockBytes, txs });
  });
}

// --- the run --------------------------------------------------------------------------

function post(agent, port, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/', agent,
      headers: { 'Content-Type': 'application/json' } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks)));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

// The floor: the batches blockstackd asks (10 hashes, then their 10 blocks), the
// bytes read and dropped.
async function floor(port, blocks) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const start = process.hrtime.bigint();
  let bytes = 0;
  for (let h = 1; h <= blocks; h += 10) {
    const heights = Array.from({ length: Math.min(10, blocks - h + 1) }, (_, i) => h + i);
    const hashes = JSON.parse(await post(agent, port, heights.map((x) => ({ method: 'getblockhash', params: [x], id: x }))));
    const raw = await post(agent, port, hashes.map((r) => ({ method: 'getblock', params: [r.result, false], id: r.id })));
    bytes += raw.length;
  }
  agent.destroy();
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, bytes };
}

function ours(port, blockstackd) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'catchup-'));
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(blockstackd, ['--network', 'regtest', '--bitcoind', `http://u:p@127.0.0.1:${port}`,
      '--first-block', '1', '--data-dir', dir, '--api', 'off', '--no-atlas', '--exit-at-tip', '--log-level', 'warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    // Peak RSS (VmHWM), read while it runs.
    let peakKb = 0;
    const poll = setInterval(() => {
      try {
        const m = readFileSync(`/proc/${child.pid}/status`, 'utf8').match(/^VmHWM:\s+(\d+) kB/m);
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch { /* exited */ }
    }, 100);
    child.on('close', (code) => {
      clearInterval(poll);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      rmSync(dir, { recursive: true, force: true });
      if (code !== 0) reject(new Error(`blockstackd exited ${code}:\n${output}`));
      else resolve({ seconds, peakMb: peakKb / 1024 });
    });
  });
}

async function main() {
  const blocks = Number(process.argv[2] ?? 1000);
  const release = path.join(repoRoot, 'build', 'release', 'apps', 'blockstackd');
  const blockstackd = process.env.BLOCKSTACKD
    ?? (existsSync(release) ? release : path.join(repoRoot, 'build', 'dev', 'apps', 'blockstackd'));
  const server = fork(fileURLToPath(import.meta.url), ['serve', String(blocks)], { stdio: 'inherit' });
  const info = await new Promise((resolve) => server.once('message', resolve));
  try {
    const f = await floor(info.port, blocks);
    const o = await ours(info.port, blockstackd);
    const f2 = await floor(info.port, blocks);
    const fl = f.seconds < f2.seconds ? f : f2;
    const mb = (blocks * info.blockBytes) / 1e6;
    const rate = (s) => `${(blocks / s).toFixed(1)} blocks/s, ${(mb / s).toFixed(1)} MB/s (${s.toFixed(2)} s)`;
    console.log(`catch-up over JSON-RPC: ${blocks} blocks of ${(info.blockBytes / 1e6).toFixed(2)} MB, ` +
      `${Math.round(info.txs)} transactions each (half segwit), served from memory by a stand-in bitcoind`);
    console.log(`  floor (plain HTTP client, bytes read and dropped; best of two): ${rate(fl.seconds)}`);
    console.log(`  ours (blockstackd --exit-at-tip, ${path.relative(repoRoot, blockstackd)}): ${rate(o.seconds)}, ` +
      `peak RSS ${o.peakMb.toFixed(0)} MB`);
    console.log(`  ratio ours / floor: ${(fl.seconds / o.seconds).toFixed(2)}`);
    const hours = (s) => ((s / blocks) * V1_BLOCKS / 3600).toFixed(2);
    console.log(`  290,000 such blocks (the v1 history from 373,601): ours ${hours(o.seconds)} h, floor ` +
      `${hours(fl.seconds)} h on this machine, plus bitcoind's own time to read them from its disk`);
    console.log('  rerun: node bench/catchup_bench.mjs [BLOCKS]');
  } finally {
    server.kill();
  }
}

if (process.argv[2] === 'serve') serve(Number(process.argv[3]));
else await main();
