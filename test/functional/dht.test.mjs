// Records in the DHT: eight blockstackd nodes on loopback run OpenDHT nodes joined
// through a bootstrap chain. 100 records (some large enough to be chunked) are
// stored through random nodes and every node reads all of them back; three nodes,
// writers among them, are killed and the rest still read everything; a mirror that
// serves altered bytes is ignored in favour of the DHT copy.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';

import { BcoinNode, binDir, hash160, startProcess, stopProcess, tempDir, waitFor } from './harness.mjs';

let btc;
const nodes = [];
const records = [];

async function startNode(extra = []) {
  const prev = nodes.filter((n) => n.alive).at(-1);
  const args = ['--network', 'regtest', '--bitcoind', btc.url, '--first-block', '1', '--poll-seconds', '0.5',
    '--data-dir', tempDir('dht-node'), '--api', '127.0.0.1:0', '--no-atlas', '--dht', '127.0.0.1:0', ...extra];
  if (prev) args.push('--dht-bootstrap', `127.0.0.1:${prev.dhtPort}`);
  const child = startProcess(path.join(binDir, 'blockstackd'), args);
  const node = await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`blockstackd exited: ${child.output}`);
    const api = /REST API listening on (http:\/\/\S+)/.exec(child.output)?.[1];
    const dht = /DHT node on UDP port (\d+)/.exec(child.output)?.[1];
    return api && dht ? { child, api, dhtPort: Number(dht), alive: true } : null;
  }, { what: 'a node to start' });
  nodes.push(node);
  return node;
}

async function put(node, body) {
  const res = await fetch(`${node.api}/v1/dht/records`, { method: 'POST', body });
  const j = await res.json();
  assert.equal(res.status, 200, JSON.stringify(j));
  return j.hash;
}

async function get(node, hash) {
  const res = await fetch(`${node.api}/v1/dht/records/${hash}`);
  return { status: res.status, source: res.headers.get('x-record-source'), body: Buffer.from(await res.arrayBuffer()) };
}

before(async () => {
  btc = await new BcoinNode().start();
  for (let i = 0; i < 8; i++) await startNode();
});

after(async () => {
  for (const n of nodes) if (n.alive) await stopProcess(n.child);
  if (btc) await btc.stop();
});

test('100 records stored through random nodes are read back by every node', async () => {
  for (let i = 0; i < 100; i++) {
    // Mostly zone-file sized; every tenth larger than one DHT value (chunked).
    const size = i % 10 === 9 ? 70000 + i : 200 + (i * 37) % 4000;
    const data = randomBytes(size);
    const writer = Math.floor(Math.random() * nodes.length);
    const hash = await put(nodes[writer], data);
    assert.equal(hash, hash160(data));
    records.push({ hash, data, writer });
  }
  for (const node of nodes) {
    const got = await Promise.all(records.map((r) => get(node, r.hash)));
    got.forEach((g, i) => {
      assert.equal(g.status, 200, `record ${i} on ${node.api}`);
      assert.ok(g.body.equals(records[i].data), `record ${i} differs on ${node.api}`);
    });
  }
});

test('with three nodes killed, writers among them, every record is still there', async () => {
  const victims = [...new Set([records[0].writer, records[1].writer, 7])];
  for (let i = 0; victims.length < 3; i++) if (!victims.includes(i)) victims.push(i);
  for (const v of victims.slice(0, 3)) {
    await stopProcess(nodes[v].child);
    nodes[v].alive = false;
  }
  for (const node of nodes.filter((n) => n.alive)) {
    const got = await Promise.all(records.map((r) => get(node, r.hash)));
    got.forEach((g, i) => assert.ok(g.status === 200 && g.body.equals(records[i].data), `record ${i} on ${node.api}`));
  }
});

test('a mirror that serves altered bytes is ignored; the DHT copy is used', async () => {
  let asked = 0;
  const mirror = http.createServer((req, res) => {
    asked++;
    res.end('these are not the bytes you are looking for');
  }).listen(0, '127.0.0.1');
  await new Promise((r) => mirror.once('listening', r));
  try {
    const node = await startNode(['--mirror', `http://127.0.0.1:${mirror.address().port}/records/{hash}`]);
    await waitFor(async () => (await get(node, records[5].hash)).status === 200,
      { what: 'the new node to reach the DHT', timeoutMs: 30000, intervalMs: 500 });
    const g = await get(node, records[5].hash);
    assert.ok(g.body.equals(records[5].data));
    assert.equal(g.source, 'dht');
    assert.ok(asked > 0, 'the mirror was asked first');
    // bad requests get clear errors
    assert.equal((await fetch(`${node.api}/v1/dht/records`, { method: 'POST', body: '' })).status, 400);
    assert.equal((await get(node, 'not-a-hash')).status, 400);
    assert.equal((await get(node, 'A'.repeat(40))).status, 400);
    assert.equal((await get(node, hash160('never stored'))).status, 404);
  } finally {
    mirror.close();
  }
});
