// Atlas on loopback: five blockstackd nodes follow one bcoin regtest chain, each
// seeded with only the node started before it. 200 names are registered (preorder
// + register, built by our CLI) and each zone file is published to one random node;
// every node must end up with all of them. A sixth node started later syncs them
// all; a peer serving altered zone files is found out and nothing wrong is stored;
// with two nodes killed, the rest still replicate.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';

import {
  BcoinNode, binDir, cliJson, freePort, halfOpen, hash160, newWallet, opPayload, sendTx, servedShare, startProcess,
  stopProcess, tempDir, waitFor,
} from './harness.mjs';

const NAMES = 200;
let btc;
const nodes = [];
const wallets = {};

const zonefileOf = (name) => `$ORIGIN ${name}\n$TTL 3600\n_http._tcp\tIN\tURI\t10\t1\t"https://example.org/${name}.json"\n\n`;

async function getJson(url, init) {
  const res = await fetch(url, init);
  return { status: res.status, body: await res.json() };
}

// seed: a node, or { hostport: 'a:1,b:2' } for several seeds.
async function startNode(seed, extra = []) {
  const dataDir = tempDir('atlas-node');
  const args = ['--network', 'regtest', '--bitcoind', btc.url, '--first-block', String(wallets.first),
    '--data-dir', dataDir, '--poll-seconds', '0.1', '--api', '127.0.0.1:0'];
  if (seed) args.push('--atlas-peers', seed.hostport);
  args.push(...extra);
  const proc = startProcess(path.join(binDir, 'blockstackd'), args);
  const url = await waitFor(() => {
    if (proc.exitCode !== null) throw new Error(`blockstackd exited ${proc.exitCode}: ${proc.output}`);
    return proc.output.match(/REST API listening on (http:\/\/[0-9.:]+)/)?.[1];
  }, { what: 'blockstackd to listen' });
  const node = { proc, url, hostport: url.replace('http://', ''), dataDir };
  nodes.push(node);
  return node;
}

// A peer on loopback that answers info as `truth`, advertises every one of
// `slots` slots, knows no peers, and answers each zone-file request with
// zonefiles(res, hashes, accept).
async function fakePeer(truth, slots, zonefiles) {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      const reply = (obj) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(JSON.stringify(obj)); };
      if (req.url.startsWith('/v1/atlas/info')) return reply({ ...truth, status: true });
      if (req.url.startsWith('/v1/atlas/inventory')) {
        return reply({ status: true, inv: Buffer.alloc(Math.ceil(slots / 8), 0xff).toString('base64') });
      }
      if (req.url.startsWith('/v1/atlas/peers')) return reply({ status: true, peers: [] });
      if (req.url === '/v1/atlas/zonefiles') {
        return zonefiles(res, JSON.parse(body).zonefile_hashes, req.headers.accept);
      }
      res.writeHead(404);
      return res.end('{}');
    });
  });
  const port = await freePort();
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  return { server, hostport: `127.0.0.1:${port}` };
}

async function info(node) { return (await getJson(`${node.url}/v1/info`)).body; }

async function synced(list, height) {
  for (const n of list) {
    await waitFor(async () => (await info(n)).last_block_processed === height,
      { timeoutMs: 120000, intervalMs: 100, what: `${n.hostport} to index block ${height}` });
  }
}

async function wallet(name) {
  wallets[name] = await newWallet(name);
  return wallets[name];
}

// Chained from one wallet: only the last of a batch is waited for (sendAll).
const send = (w, opts) => sendTx(btc, w, { ...opts, wait: false });
const payload = opPayload;

async function mine(n = 1) {
  await btc.mine(n, wallets.miner.address);
  return btc.rpc('getblockcount');
}

async function consensus(node) { return (await info(node)).consensus; }

// Sends one transaction per item (chained from one wallet), mining a block every
// 20 so no unconfirmed chain grows past bcoin's ancestor limit.
async function sendAll(items, build) {
  for (let i = 0; i < items.length; i++) {
    const r = await build(items[i]);
    if ((i + 1) % 20 === 0 || i === items.length - 1) {
      await btc.inMempool(r.txid);
      await mine();
    }
  }
  return btc.rpc('getblockcount');
}

// Preorders and registers names, each with the hash of its zone file, to owners
// that each stay under the 25-names-per-address limit.
async function register(names, node) {
  const reg = wallets.registrant;
  const ch = await consensus(node);
  const owners = [];
  for (let i = 0; i < names.length; i += 20) owners.push((await cliJson(['keys', 'generate'])).address.regtest);
  const ownerOf = (i) => owners[Math.floor(i / 20)];
  await sendAll(names.map((n, i) => [n, i]), async ([name, i]) => send(reg, {
    data: await payload('name-preorder', name, '--key', reg.wif, '--owner', ownerOf(i), '--consensus-hash', ch),
    outputs: ['burn:1000000'], changeIndex: 1 }));
  return sendAll(names.map((n, i) => [n, i]), async ([name, i]) => send(reg, {
    data: await payload('name-register', name, '--zonefile-hash', hash160(Buffer.from(zonefileOf(name)))),
    outputs: [`${ownerOf(i)}:5500`] }));
}

async function publish(node, name) {
  const r = await getJson(`${node.url}/v1/zonefile`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ zonefile: zonefileOf(name) }) });
  assert.equal(r.status, 200, `POST /v1/zonefile for ${name} to ${node.hostport}: ${JSON.stringify(r.body)}`);
}

async function allHave(list, count, what) {
  await waitFor(async () => {
    for (const n of list) {
      const i = await info(n);
      if (i.zonefiles_present !== count || i.zonefiles_missing !== 0) return false;
    }
    return true;
  }, { timeoutMs: 120000, intervalMs: 250, what });
}

before(async () => {
  btc = await new BcoinNode().start();
  const miner = await wallet('miner');
  await wallet('creator');
  await wallet('registrant');
  await btc.mine(102, miner.address);
  for (let h = 1; h <= 2; h++) {
    const block = await cliJson(['--bitcoind', btc.url, 'chain', 'block', String(h)]);
    const cb = block.tx[0];
    const vout = cb.outputs.findIndex((o) => o.type === 'p2pkh');
    miner.utxos.push({ txid: cb.txid, vout, value: cb.outputs[vout].value });
  }
  for (const n of ['creator', 'registrant']) {
    const r = await send(miner, { outputs: [`${wallets[n].address}:4000000000`] });
    wallets[n].utxos.push({ txid: r.txid, vout: 0, value: 4000000000 });
    await btc.inMempool(r.txid);
  }
  wallets.first = await mine();
});

after(async () => {
  for (const n of nodes) await stopProcess(n.proc);
  await btc?.stop();
});

test('zone files replicate across five nodes, a late sixth, a liar and two failures', { timeout: 900000 }, async () => {
  // Five nodes in a chain of seeds: node i knows only node i-1.
  for (let i = 0; i < 5; i++) await startNode(nodes[i - 1]);
  await synced(nodes, wallets.first);

  // The namespace, then 200 names registered with zone-file hashes.
  const { creator } = wallets;
  await send(creator, { data: await payload('namespace-preorder', 'atlas', '--key', creator.wif, '--consensus-hash',
    await consensus(nodes[0])), outputs: ['burn:400000000'], changeIndex: 1 });
  await mine();
  await send(creator, { data: await payload('namespace-reveal', 'atlas', '--lifetime', '1000', '--coeff', '1',
    '--base', '2', '--buckets', '1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1', '--nonalpha-discount', '1',
    '--no-vowel-discount', '1'), outputs: [`${creator.address}:5500`] });
  await mine();
  const ready = await send(creator, { data: await payload('namespace-ready', 'atlas') });
  await btc.inMempool(ready.txid);
  let height = await mine();
  await synced(nodes, height);
  const names = Array.from({ length: NAMES }, (_, i) => `n${String(i).padStart(3, '0')}.atlas`);
  height = await register(names, nodes[0]);
  await synced(nodes, height);
  for (const n of nodes) {
    const i = await info(n);
    assert.equal(i.zonefiles_missing, NAMES, `${n.hostport} knows the ${NAMES} announced hashes`);
  }

  // Each zone file goes to one random node only.
  for (const name of names) await publish(nodes[Math.floor(Math.random() * nodes.length)], name);
  await allHave(nodes, NAMES, `all ${NAMES} zone files on all five nodes`);
  for (const n of nodes) {
    for (const name of names.filter((_, i) => i % 10 === 0)) {
      const r = await getJson(`${n.url}/v1/names/${name}`);
      assert.equal(r.body.zonefile, zonefileOf(name), `${name} on ${n.hostport}`);
    }
  }
  // Discovery: every node found more than its one seed.
  for (const n of nodes) {
    await waitFor(async () => (await getJson(`${n.url}/v1/atlas/neighbors`)).body.peers.length >= 3,
      { timeoutMs: 30000, intervalMs: 250, what: `${n.hostport} to discover peers beyond its seed` });
  }

  // A sixth node, started now, syncs everything from one seed.
  const late = await startNode(nodes[4]);
  await synced([late], height);
  await allHave([late], NAMES, 'the late node to sync every zone file');

  // A liar: advertises every slot and serves altered zone files.
  const more = Array.from({ length: 10 }, (_, i) => `liar${i}.atlas`);
  height = await register(more, nodes[0]);
  await synced(nodes, height);
  const victim = nodes[2];
  const truth = (await getJson(`${victim.url}/v1/atlas/info`)).body;
  let servedLies = 0;
  const { server: liar, hostport: liarHost } = await fakePeer(truth, NAMES + more.length, (res, hashes, accept) => {
    res.writeHead(200, { 'content-type': accept });
    // Frames of hash, length and bytes (doc/atlas.md), every one a lie.
    const frames = [];
    for (const h of hashes) {
      const lie = Buffer.from(`$ORIGIN evil.atlas\n; pretending to be ${h}\n`);
      const len = Buffer.alloc(4);
      len.writeUInt32BE(lie.length);
      frames.push(Buffer.from(h, 'hex'), len, lie);
      servedLies++;
    }
    res.end(Buffer.concat(frames));
  });
  try {
    await getJson(`${victim.url}/v1/atlas/peers`, { method: 'POST', body: JSON.stringify({ my_hostport: liarHost }) });
    await waitFor(async () => {
      const nb = (await getJson(`${victim.url}/v1/atlas/neighbors`)).body;
      return servedLies > 0 && nb.banned.includes(liarHost) && !nb.peers.some((p) => p.hostport === liarHost);
    }, { timeoutMs: 60000, intervalMs: 250, what: 'the victim to drop the lying peer' });
  } finally {
    liar.close();
  }
  for (const n of nodes) {
    const i = await info(n);
    assert.equal(i.zonefiles_present, NAMES, `${n.hostport} stored nothing from the liar`);
    const h = hash160(Buffer.from(zonefileOf(more[0])));
    assert.equal((await getJson(`${n.url}/v1/zonefiles/${h}`)).status, 404);
  }
  for (const name of more) await publish(nodes[3], name);
  await allHave(nodes, NAMES + more.length, 'the real zone files to replace nothing and spread everywhere');

  // Two nodes die (the middle of the seed chain); the rest still replicate.
  await stopProcess(nodes[1].proc);
  await stopProcess(nodes[2].proc);
  const alive = [nodes[0], nodes[3], nodes[4], late];
  const after2 = Array.from({ length: 10 }, (_, i) => `after${i}.atlas`);
  height = await register(after2, nodes[0]);
  await synced(alive, height);
  for (const name of after2) await publish(alive[Math.floor(Math.random() * alive.length)], name);
  await allHave(alive, NAMES + more.length + after2.length, 'replication among the survivors');
});

test('hostile peers get errors, not a stalled node', async () => {
  const n = nodes.find((x) => x.proc.exitCode === null);
  const post = (p, body, headers = { 'content-type': 'application/json' }) =>
    fetch(`${n.url}${p}`, { method: 'POST', headers, body });
  assert.equal((await post('/v1/atlas/zonefiles', 'garbage')).status, 400);
  assert.equal((await post('/v1/atlas/zonefiles', JSON.stringify({ zonefile_hashes: Array(101).fill('00'.repeat(20)) }))).status, 400);
  assert.equal((await post('/v1/atlas/zonefiles', JSON.stringify({ zonefile_hashes: ['../../etc/passwd'] }))).status, 400);
  assert.equal((await post('/v1/atlas/zonefiles/put', JSON.stringify({ zonefile_datas: Array(6).fill('AA==') }))).status, 400);
  const unknown = await post('/v1/atlas/zonefiles/put', JSON.stringify({ zonefile_datas: [Buffer.from('not announced').toString('base64')] }));
  assert.deepEqual((await unknown.json()).saved, [0]);
  const big = await post('/v1/atlas/zonefiles/put', JSON.stringify({ zonefile_datas: [Buffer.alloc(40961, 65).toString('base64')] }));
  assert.equal(big.status, 400);
  // Over the body limit: a 413, or the connection closed while still sending.
  const huge = await post('/v1/atlas/peers', 'x'.repeat(600 * 1024)).then((r) => r.status, () => 'closed');
  assert.ok([413, 'closed'].includes(huge), `oversized body: ${huge}`);
  assert.equal((await fetch(`${n.url}/v1/atlas/inventory?offset=0&length=999999999`)).status, 400);
  assert.equal((await fetch(`${n.url}/v1/atlas/inventory?offset=-1`)).status, 400);
  const past = await (await fetch(`${n.url}/v1/atlas/inventory?offset=99999999&length=10`)).json();
  assert.equal(past.inv, '');
  assert.equal((await post('/v1/atlas/peers', JSON.stringify({ my_hostport: 'no-port' }))).status, 400);
  // A large body with fields the server does not use is ignored (the cap on peer
  // lists a peer sends back is tested in test/unit/atlas/peer_client_test.cpp).
  const many = Array.from({ length: 5000 }, (_, i) => `10.${i >> 8}.${i & 255}.1:6270`);
  assert.equal((await post('/v1/atlas/peers', JSON.stringify({ my_hostport: '127.0.0.1:19', peers: many }))).status, 200);
  assert.equal((await fetch(`${n.url}/v1/info`)).status, 200);
});

// A fresh node seeded with `seeds` (CSV): ms from its start until it holds every
// zone file the seed has.
async function timeFreshSync(seeds, count, height, extra = []) {
  const t0 = Date.now();
  const node = await startNode({ hostport: seeds }, extra);
  await synced([node], height);
  await allHave([node], count, `a fresh node seeded with ${seeds} to sync ${count} zone files`);
  return { ms: Date.now() - t0, node };
}

test('a peer that drips its answers does not stall a fresh node, nor is it passed on', { timeout: 300000 }, async () => {
  const seed = nodes.find((x) => x.proc.exitCode === null && x.proc.signalCode === null);
  const truth = (await getJson(`${seed.url}/v1/atlas/info`)).body;
  const { zonefiles_present: count, last_block_processed: height } = await info(seed);
  // The good peer passes zone-file requests on to the seed and knows no other
  // peers: the fresh node's only sources are it (and the dripper), so the
  // dripper is sure to be asked for a share.
  const { server: good, hostport: goodHost } = await fakePeer(truth, count + 64, async (res, hashes, accept) => {
    const r = await fetch(`${seed.url}/v1/atlas/zonefiles`, { method: 'POST',
      headers: { 'content-type': 'application/json', accept }, body: JSON.stringify({ zonefile_hashes: hashes }) });
    res.writeHead(r.status, { 'content-type': r.headers.get('content-type') });
    res.end(Buffer.from(await r.arrayBuffer()));
  });
  const alone = await timeFreshSync(goodHost, count, height);

  // Advertises every zone file, then answers one byte every half second.
  let dripped = 0;
  const { server: dripper, hostport: dripHost } = await fakePeer(truth, count + 64, (res, hashes, accept) => {
    dripped++;
    res.writeHead(200, { 'content-type': accept, 'content-length': 1000000 });
    const timer = setInterval(() => res.write('x'), 500);
    res.on('close', () => clearInterval(timer));
  });
  try {
    const withDripper = await timeFreshSync(`${dripHost},${goodHost}`, count, height);
    console.log(`fresh-node sync of ${count} zone files: ${alone.ms} ms from one good seed, ${withDripper.ms} ms ` +
      `with a dripping peer as well (${dripped} answers dripped; ratio ${(withDripper.ms / alone.ms).toFixed(2)})`);
    assert.ok(dripped > 0, 'the dripping peer was asked');
    assert.ok(withDripper.ms <= 2 * alone.ms, `${withDripper.ms} ms with the dripper, ${alone.ms} ms without`);
    // Its undelivered promises count against it: unhealthy, and not passed on.
    const nb = (await getJson(`${withDripper.node.url}/v1/atlas/neighbors`)).body;
    const entry = nb.peers.find((p) => p.hostport === dripHost);
    assert.ok(!entry || entry.health < 0.5, `dripper health ${entry?.health}`);
    const exchange = await getJson(`${withDripper.node.url}/v1/atlas/peers`, { method: 'POST',
      body: JSON.stringify({ my_hostport: '127.0.0.1:19' }) });
    assert.ok(!exchange.body.peers.includes(dripHost), 'the dripper is not passed on');
  } finally {
    for (const server of [dripper, good]) {
      server.close();
      server.closeAllConnections();
    }
  }
});

test('1,100 half-open connections leave the API answering and Atlas replicating', { timeout: 300000 }, async () => {
  const seed = nodes.find((x) => x.proc.exitCode === null && x.proc.signalCode === null);
  const { zonefiles_present: count, last_block_processed: height } = await info(seed);
  const attack = halfOpen(Number(seed.hostport.split(':')[1]), 1100,
    Array.from({ length: 30 }, (_, i) => `127.0.0.${i + 2}`));
  try {
    await waitFor(() => attack.opened() >= 1100, { what: 'the attack connections' });
    const share = await servedShare(`${seed.url}/v1/info`, 100);
    console.log(`node API answered ${(share * 100).toFixed(0)}% of 100 requests during 1,100 half-open connections`);
    assert.ok(share >= 0.95, `answered ${share}`);
    const fresh = await timeFreshSync(seed.hostport, count, height);
    console.log(`a fresh node synced ${count} zone files from the attacked node in ${fresh.ms} ms`);
  } finally {
    attack.stop();
  }
});
