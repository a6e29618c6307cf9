// blockstackd's REST API against the real blockstack.js v21 client: the client
// builds and broadcasts every operation it offers (namespace preorder, reveal and
// ready; name preorder, registration with a zone file, update, transfer, renewal,
// revocation) through LocalRegtest against our node and bcoin regtest, and after
// each step its own read calls must report what the chain says.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';

import { startBitcoindProxy } from './bitcoind_proxy.mjs';
import {
  BcoinNode, binDir, cliJson, freePort, hash160, loadBlockstackJs, opPayload, sendTx, startProcess, stopProcess, tempDir,
  waitFor,
} from './harness.mjs';

const require = createRequire(import.meta.url);
const bsk = loadBlockstackJs();

let btc;
let proxy;
let daemon;
let api;
let miner;
const keys = {};

const zonefile1Of = (name) => `$ORIGIN ${name}\n$TTL 3600\n_http._tcp URI 10 1 "https://example.org/${name}/1.json"\n`;
const zonefile2Of = (name) => `$ORIGIN ${name}\n$TTL 3600\n_http._tcp URI 10 1 "https://example.org/${name}/2.json"\n`;

async function getJson(route, init) {
  const res = await fetch(`${api}${route}`, init);
  return { status: res.status, body: await res.json() };
}

async function lastBlock() {
  return (await getJson('/v1/info')).body.last_block_processed;
}

// Mines a block and waits for our node to index it; returns its height and its ops.
async function mineAndIndex() {
  await btc.mine(1, miner.address.regtest);
  const height = await btc.rpc('getblockcount');
  await waitFor(async () => (await lastBlock()) === height, { what: `block ${height} indexed`, timeoutMs: 60000 });
  return { height, ops: (await getJson(`/v1/blockchains/bitcoin/operations/${height}`)).body };
}

async function broadcastAndIndex(txHex, opcode) {
  const txid = await bsk.config.network.broadcastTransaction(txHex);
  await btc.inMempool(txid);
  const { height, ops } = await mineAndIndex();
  assert.deepEqual(ops.map((o) => o.opcode), [opcode], `block ${height}: ${JSON.stringify(ops)}`);
  return height;
}

// Pays `outputs` outputs of 5 BTC to address from the next coinbase; returns them as UTXOs.
async function fund(address, outputs) {
  const block = await cliJson(['--bitcoind', btc.url, 'chain', 'block', String(keys.nextCoinbase++)]);
  const cb = block.tx[0];
  const vout = cb.outputs.findIndex((o) => o.type === 'p2pkh');
  const args = ['--network', 'regtest', '--bitcoind', btc.url, 'tx', 'build', '--broadcast', '--key', miner.wif.regtest,
    '--utxo', `${cb.txid}:${vout}:${cb.outputs[vout].value}`];
  for (let i = 0; i < outputs; i++) args.push('--output', `${address}:500000000`);
  const r = await cliJson(args);
  await btc.inMempool(r.txid);
  return Array.from({ length: outputs }, (_, vout) => ({ txid: r.txid, vout, value: 500000000 }));
}

// The parts of a name record that do not depend on which keys or name were used.
async function projection(name, roles, zonefiles) {
  const raw = (await getJson(`/v1/blockchains/bitcoin/names/${name}`)).body;
  const info = (await getJson(`/v1/names/${name}`)).body;
  return { op: raw.op, revoked: raw.revoked, owner: roles[raw.address] ?? raw.address,
    zonefile: raw.value_hash === null ? null : (zonefiles[raw.value_hash] ?? raw.value_hash), status: info.status };
}
const jsStates = [];

before(async () => {
  btc = await new BcoinNode({ indexAddress: true }).start();
  miner = await cliJson(['keys', 'generate']);
  await btc.mine(110, miner.address.regtest);
  proxy = await startBitcoindProxy(btc);
  const port = await freePort();
  api = `http://127.0.0.1:${port}`;
  daemon = startProcess(path.join(binDir, 'blockstackd'), ['--network', 'regtest', '--bitcoind', btc.url,
    '--first-block', '100', '--data-dir', tempDir('api-node'), '--poll-seconds', '0.1', '--api', `127.0.0.1:${port}`]);
  await waitFor(async () => (await lastBlock()) === 110, { what: 'blockstackd to index block 110' });
  bsk.config.network = new bsk.network.LocalRegtest(api, api,
    new bsk.network.BitcoindAPI(proxy.url, { username: btc.user, password: btc.apiKey }));
  keys.nextCoinbase = 1;
  for (const who of ['creator', 'owner', 'newOwner', 'owner2', 'newOwner2']) {
    keys[who] = await cliJson(['keys', 'generate']);
    keys[who].utxos = await fund(keys[who].address.regtest, 4);
  }
  await mineAndIndex();
});

after(async () => {
  if (daemon) await stopProcess(daemon);
  if (proxy) await proxy.close();
  if (btc) await btc.stop();
});

test('blockstack.js v21 runs the whole life cycle against our node', async () => {
  const net0 = bsk.config.network;
  const { creator, owner, newOwner } = keys;
  const creatorAddr = creator.address.regtest;

  // Namespace: preorder, reveal, ready.
  const nsPrice = await net0.getNamespacePrice('hello');
  assert.equal(nsPrice.units, 'BTC');
  const nsPriceOurs = (await getJson('/v2/prices/namespaces/hello')).body;
  assert.equal(nsPrice.amount.toString(), nsPriceOurs.amount);
  assert.equal(await net0.getConsensusHash(), (await getJson('/v1/blockchains/bitcoin/consensus')).body.consensus_hash);
  await broadcastAndIndex(await bsk.transactions.makeNamespacePreorder('hello', creatorAddr, creator.private_key),
    'NAMESPACE_PREORDER');
  const { BlockstackNamespace } = require('blockstack/lib/operations/skeletons');
  const ns = new BlockstackNamespace('hello');
  ns.setVersion(1);
  ns.setLifetime(52595);
  ns.setCoeff(4);
  ns.setBase(4);
  ns.setBuckets([6, 5, 4, 3, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  ns.setNonalphaDiscount(10);
  ns.setNoVowelDiscount(10);
  const revealHeight = await broadcastAndIndex(
    await bsk.transactions.makeNamespaceReveal(ns, creatorAddr, creator.private_key), 'NAMESPACE_REVEAL');
  let info = await net0.getNamespaceInfo('hello');
  assert.equal(info.reveal_block, revealHeight);
  assert.equal(info.ready, false);
  assert.equal(info.recipient_address, creatorAddr);
  await broadcastAndIndex(await bsk.transactions.makeNamespaceReady('hello', creator.private_key), 'NAMESPACE_READY');
  info = await net0.getNamespaceInfo('hello');
  assert.equal(info.ready, true);
  assert.deepEqual(info.buckets, [6, 5, 4, 3, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual((await getJson('/v1/namespaces')).body, ['hello']);

  // Name: preorder and registration with a zone file, which the client then publishes.
  const name = 'alice.hello';
  const price = await net0.getNamePrice(name);
  assert.equal(price.units, 'BTC');
  assert.ok(price.amount.toNumber() >= 5500);
  const zonefile1 = zonefile1Of(name);
  await broadcastAndIndex(await bsk.transactions.makePreorder(name, owner.address.regtest, creator.private_key),
    'NAME_PREORDER');
  await broadcastAndIndex(await bsk.transactions.makeRegister(name, owner.address.regtest, creator.private_key,
    zonefile1), 'NAME_REGISTRATION');
  const roles = { [owner.address.regtest]: 'owner', [newOwner.address.regtest]: 'new owner' };
  const zonefiles = { [hash160(zonefile1)]: 'first', [hash160(zonefile2Of(name))]: 'second' };
  const record = async () => jsStates.push(await projection(name, roles, zonefiles));
  await record();
  const published = await net0.broadcastZoneFile(zonefile1);
  assert.ok(published);
  let rec = await net0.getNameInfo(name);
  assert.equal(rec.address, owner.address.regtest);
  assert.equal(rec.zonefile_hash, hash160(zonefile1));
  assert.equal(rec.zonefile, zonefile1);
  assert.equal(rec.status, 'registered');
  assert.equal(await net0.getZonefile(hash160(zonefile1)), zonefile1);
  assert.deepEqual(await net0.getNamesOwned(owner.address.regtest), [name]);

  // Update to a new zone file.
  const zonefile2 = zonefile2Of(name);
  await broadcastAndIndex(await bsk.transactions.makeUpdate(name, owner.private_key, creator.private_key, zonefile2),
    'NAME_UPDATE');
  await record();
  await net0.broadcastZoneFile(zonefile2);
  rec = await net0.getNameInfo(name);
  assert.equal(rec.zonefile_hash, hash160(zonefile2));
  assert.equal(rec.zonefile, zonefile2);
  // The first zone file stays retrievable by its hash.
  assert.equal(await net0.getZonefile(hash160(zonefile1)), zonefile1);

  // Transfer, keeping the zone file.
  await broadcastAndIndex(await bsk.transactions.makeTransfer(name, newOwner.address.regtest, owner.private_key,
    creator.private_key, true), 'NAME_TRANSFER');
  await record();
  rec = await net0.getNameInfo(name);
  assert.equal(rec.address, newOwner.address.regtest);
  assert.equal(rec.zonefile_hash, hash160(zonefile2));
  assert.deepEqual(await net0.getNamesOwned(newOwner.address.regtest), [name]);
  assert.deepEqual(await net0.getNamesOwned(owner.address.regtest), []);

  // Renewal by the new owner.
  const renewHeight = await broadcastAndIndex(await bsk.transactions.makeRenewal(name, newOwner.address.regtest,
    newOwner.private_key, creator.private_key), 'NAME_RENEWAL');
  await record();
  const raw = (await getJson(`/v1/blockchains/bitcoin/names/${name}`)).body;
  assert.equal(raw.last_renewed, renewHeight);

  // Revocation.
  await broadcastAndIndex(await bsk.transactions.makeRevoke(name, newOwner.private_key, creator.private_key),
    'NAME_REVOKE');
  await record();
  rec = await net0.getNameInfo(name);
  assert.equal(rec.status, 'revoked');
  assert.equal(await net0.getConsensusHash(), (await getJson('/v1/blockchains/bitcoin/consensus')).body.consensus_hash);
});

test('our client library, doing the same steps, leaves the same database states', async () => {
  const { owner2, newOwner2 } = keys;
  const name = 'bob.hello';
  const payload = opPayload;
  const ch = async () => (await getJson('/v1/blockchains/bitcoin/consensus')).body.consensus_hash;
  const send = (w, data, outputs = [], changeIndex) =>
    sendTx(btc, { wif: w.wif.regtest, utxos: w.utxos }, { data, outputs, changeIndex });
  const step = async (opcode) => {
    const { height, ops } = await mineAndIndex();
    assert.deepEqual(ops.map((o) => o.opcode), [opcode], `block ${height}`);
  };
  const roles = { [owner2.address.regtest]: 'owner', [newOwner2.address.regtest]: 'new owner' };
  const zonefiles = { [hash160(zonefile1Of(name))]: 'first', [hash160(zonefile2Of(name))]: 'second' };
  const states = [];
  const record = async () => states.push(await projection(name, roles, zonefiles));
  const price = (await getJson(`/v1/prices/names/${name}`)).body.name_price.satoshis;
  const burn = Math.max(price, 5500);

  await send(owner2, await payload('name-preorder', name, '--key', owner2.wif.regtest, '--consensus-hash', await ch()),
    [`burn:${burn}`], 1);
  await step('NAME_PREORDER');
  await send(owner2, await payload('name-register', name, '--zonefile-hash', hash160(zonefile1Of(name))),
    [`${owner2.address.regtest}:5500`]);
  await step('NAME_REGISTRATION');
  await record();
  await send(owner2, await payload('name-update', name, '--consensus-hash', await ch(),
    '--zonefile-hash', hash160(zonefile2Of(name))));
  await step('NAME_UPDATE');
  await record();
  await send(owner2, await payload('name-transfer', name, '--consensus-hash', await ch()),
    [`${newOwner2.address.regtest}:5500`]);
  await step('NAME_TRANSFER');
  await record();
  await send(newOwner2, await payload('name-renew', name),
    [`${newOwner2.address.regtest}:5500`, `${newOwner2.address.regtest}:5500`, `burn:${burn}`]);
  await step('NAME_RENEWAL');
  await record();
  await send(newOwner2, await payload('name-revoke', name));
  await step('NAME_REVOKE');
  await record();
  assert.equal(jsStates.length, 5);
  assert.deepEqual(states, jsStates);
});

test('hostile requests get errors and the node keeps serving', async () => {
  assert.equal((await getJson('/v1/names/Bad!')).status, 400);
  assert.equal((await getJson(`/v1/names/${'a'.repeat(3000)}.hello`)).status, 400);
  assert.equal((await getJson('/v1/names?page=abc')).status, 400);
  const long = await fetch(`${api}/v1/${'x'.repeat(20000)}`);
  assert.ok([404, 414, 431].includes(long.status), String(long.status));
  const badJson = await fetch(`${api}/v1/zonefile`, { method: 'POST', body: '{nope',
    headers: { 'Content-Type': 'application/json' } });
  assert.equal(badJson.status, 400);
  const huge = await fetch(`${api}/v1/zonefile`, { method: 'POST', body: 'x'.repeat(200000),
    headers: { 'Content-Type': 'application/json' } });
  assert.equal(huge.status, 413);
  assert.match((await huge.json()).error, /a zone file may be at most 40960 bytes/);
  const oversized = await getJson('/v1/zonefile', { method: 'POST',
    body: JSON.stringify({ zonefile: `$ORIGIN big.hello\n${'; x\n'.repeat(11000)}` }),
    headers: { 'Content-Type': 'application/json' } });
  assert.equal(oversized.status, 400);
  assert.match(oversized.body.error, /^Zone file too large: \d+ bytes, the limit is 40960$/);
  // Idle connections and one that sends a byte a second do not block others.
  const port = Number(new URL(api).port);
  const sockets = [];
  for (let i = 0; i < 50; i++) {
    sockets.push(await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(s));
      s.on('error', () => {});
    }));
  }
  const drip = setInterval(() => sockets[0].write('G'), 1000);
  try {
    assert.equal((await getJson('/v1/node/ping')).body.status, 'alive');
  } finally {
    clearInterval(drip);
    for (const s of sockets) s.destroy();
  }
  const metrics = await (await fetch(`${api}/metrics`)).text();
  assert.match(metrics, /blockstack_ops_total\{opcode="NAME_REGISTRATION",result="accepted"\} 2/);
  assert.match(metrics, /api_requests_total\{route="name",status="200"\}/);
  // What an operator alerts on: how far behind the tip, Atlas, the build.
  assert.match(metrics, /^blockstack_blocks_behind 0$/m);
  assert.match(metrics, /^blockstack_bitcoin_tip \d+$/m);
  assert.match(metrics, /^blockstack_build_info\{version="[^"]+"\} 1$/m);
  assert.match(metrics, /^atlas_zonefiles_missing \d+$/m);
  assert.match(metrics, /^atlas_peer_count \d+$/m);
});
