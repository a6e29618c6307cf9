// The BNS life cycle on a real bcoin regtest chain, every transaction built and
// signed by our CLI: namespace preorder -> reveal -> import -> ready -> name
// preorder -> register -> update -> transfer -> renew -> revoke -> expiry ->
// re-registration by someone else. A second node must report the same consensus
// hash at every height, and after a reorg the first node must match a node that
// indexed the new branch from scratch.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';

import {
  BcoinNode, binDir, cliJson, newWallet, opPayload, run, sendTx, startProcess, stopProcess, tempDir, waitFor,
} from './harness.mjs';

const BURN = 'burn';
let btc;
let first;
const daemons = [];
const wallets = {};

async function query(dataDir, ...args) {
  const r = await run('blockstackd', ['query', '--data-dir', dataDir, ...args]);
  if (r.code !== 0) return null;
  return JSON.parse(r.stdout);
}

function startDaemon() {
  const dataDir = tempDir('bns-node');
  const proc = startProcess(path.join(binDir, 'blockstackd'), [
    '--network', 'regtest', '--bitcoind', btc.url, '--first-block', String(first), '--data-dir', dataDir,
    '--poll-seconds', '0.1', '--api', '127.0.0.1:0']);
  const d = { proc, dataDir };
  daemons.push(d);
  return d;
}

async function synced(d, height) {
  await waitFor(async () => (await query(d.dataDir, 'consensus'))?.last_block === height,
    { timeoutMs: 120000, what: `node to index block ${height}`, intervalMs: 100 });
}

async function wallet(name) {
  wallets[name] = await newWallet(name);
  return wallets[name];
}

const send = (w, opts) => sendTx(btc, w, opts);

async function mine(n = 1) {
  await btc.mine(n, wallets.miner.address);
  return btc.rpc('getblockcount');
}

const payload = opPayload;

async function ch(d) { return (await query(d.dataDir, 'consensus')).consensus_hash; }

// Mines one block with the pending transactions and returns the node's verdicts on them.
async function step(d) {
  const h = await mine();
  await synced(d, h);
  return { height: h, ops: await query(d.dataDir, 'ops', String(h)) };
}

function accepted(result, what) {
  assert.equal(result.ops.length, 1, `${what}: one operation at ${result.height}`);
  assert.equal(result.ops[0].accepted, true, `${what}: ${result.ops[0].reason}`);
}

before(async () => {
  btc = await new BcoinNode().start();
  const miner = await wallet('miner');
  for (const n of ['creator', 'alice', 'bob', 'carol']) await wallet(n);
  await btc.mine(110, miner.address);
  // Coinbases 1..6 fund the wallets.
  for (let h = 1; h <= 6; h++) {
    const block = await cliJson(['--bitcoind', btc.url, 'chain', 'block', String(h)]);
    const cb = block.tx[0];
    const vout = cb.outputs.findIndex((o) => o.type === 'p2pkh');
    miner.utxos.push({ txid: cb.txid, vout, value: cb.outputs[vout].value });
  }
  for (const n of ['creator', 'alice', 'bob', 'carol']) {
    const r = await send(miner, { outputs: [`${wallets[n].address}:1000000000`] });
    wallets[n].utxos.push({ txid: r.txid, vout: 0, value: 1000000000 });
  }
  first = await mine();
});

after(async () => {
  for (const d of daemons) await stopProcess(d.proc);
  await btc?.stop();
});

test('name life cycle, two nodes agreeing, and a reorg', { timeout: 600000 }, async () => {
  const node = startDaemon();
  await synced(node, first);
  const { creator, alice, bob, carol } = wallets;

  // namespace "test": preorder, reveal (lifetime 5 blocks x 2), import, ready
  await send(creator, {
    data: await payload('namespace-preorder', 'test', '--key', creator.wif, '--consensus-hash', await ch(node)),
    outputs: [`${BURN}:40000000`], changeIndex: 1 });
  accepted(await step(node), 'namespace preorder');
  await send(creator, {
    data: await payload('namespace-reveal', 'test', '--lifetime', '5', '--coeff', '250', '--base', '4',
      '--buckets', '6,5,4,3,2,1,0,0,0,0,0,0,0,0,0,0', '--nonalpha-discount', '10', '--no-vowel-discount', '10'),
    outputs: [`${creator.address}:5500`] });
  accepted(await step(node), 'namespace reveal');
  const zoneHash = 'aa'.repeat(20);
  await send(creator, { data: await payload('name-import', 'imported.test'),
    outputs: [`${bob.address}:5500`, `p2pkh:${zoneHash}:5500`] });
  accepted(await step(node), 'name import');
  assert.equal((await query(node.dataDir, 'name', 'imported.test')).value_hash, zoneHash);
  await send(creator, { data: await payload('namespace-ready', 'test') });
  accepted(await step(node), 'namespace ready');
  assert.ok((await query(node.dataDir, 'namespace', 'test')).ready_block > 0);

  // alice: preorder + register with a zone-file hash
  await send(alice, {
    data: await payload('name-preorder', 'alice.test', '--key', alice.wif, '--consensus-hash', await ch(node)),
    outputs: [`${BURN}:100000`], changeIndex: 1 });
  accepted(await step(node), 'name preorder');
  await send(alice, { data: await payload('name-register', 'alice.test', '--zonefile-hash', '11'.repeat(20)),
    outputs: [`${alice.address}:5500`] });
  const reg = await step(node);
  accepted(reg, 'name registration');
  let rec = await query(node.dataDir, 'name', 'alice.test');
  assert.equal(rec.address, alice.address);
  assert.equal(rec.value_hash, '11'.repeat(20));

  // update, transfer to bob, renew by bob (new hash), revoke
  await send(alice, { data: await payload('name-update', 'alice.test', '--consensus-hash', await ch(node),
    '--zonefile-hash', '22'.repeat(20)) });
  accepted(await step(node), 'name update');
  assert.equal((await query(node.dataDir, 'name', 'alice.test')).value_hash, '22'.repeat(20));
  await send(alice, { data: await payload('name-transfer', 'alice.test', '--consensus-hash', await ch(node)),
    outputs: [`${bob.address}:5500`] });
  accepted(await step(node), 'name transfer');
  rec = await query(node.dataDir, 'name', 'alice.test');
  assert.equal(rec.address, bob.address);
  assert.equal(rec.op, '>>');
  assert.deepEqual(await query(node.dataDir, 'names-owned', bob.address), ['alice.test', 'imported.test']);
  assert.deepEqual(await query(node.dataDir, 'names-owned', alice.address), []);
  await send(bob, { data: await payload('name-renew', 'alice.test', '--zonefile-hash', '33'.repeat(20)),
    outputs: [`${bob.address}:5500`, `${bob.address}:5500`, `${BURN}:100000`] });
  const renew = await step(node);
  accepted(renew, 'name renewal');
  assert.equal(renew.ops[0].opcode, 'NAME_RENEWAL');
  assert.equal((await query(node.dataDir, 'name', 'alice.test')).last_renewed, renew.height);
  await send(bob, { data: await payload('name-revoke', 'alice.test') });
  accepted(await step(node), 'name revoke');
  assert.equal((await query(node.dataDir, 'name', 'alice.test')).revoked, true);

  // a revoked name refuses updates
  await send(bob, { data: await payload('name-update', 'alice.test', '--consensus-hash', await ch(node),
    '--zonefile-hash', '44'.repeat(20)) });
  const refused = await step(node);
  assert.equal(refused.ops[0].accepted, false);

  // expiry: 10 blocks of life and the 5000-block grace period, then carol registers it
  const h = await mine(5012);
  await synced(node, h);
  await send(carol, {
    data: await payload('name-preorder', 'alice.test', '--key', carol.wif, '--consensus-hash', await ch(node)),
    outputs: [`${BURN}:100000`], changeIndex: 1 });
  accepted(await step(node), 'preorder of the expired name');
  await send(carol, { data: await payload('name-register', 'alice.test'), outputs: [`${carol.address}:5500`] });
  const rereg = await step(node);
  accepted(rereg, 're-registration');
  rec = await query(node.dataDir, 'name', 'alice.test');
  assert.equal(rec.address, carol.address);
  assert.equal(rec.revoked, false);
  assert.equal(rec.first_registered, rereg.height);
  assert.equal((await query(node.dataDir, 'name-at', 'alice.test', String(reg.height))).address, alice.address);

  // a second node indexing the same chain agrees at every height
  const second = startDaemon();
  await synced(second, rereg.height);
  const mine1 = await query(node.dataDir, 'consensus-range', String(first), String(rereg.height));
  const theirs = await query(second.dataDir, 'consensus-range', String(first), String(rereg.height));
  assert.equal(mine1.length, rereg.height - first + 1);
  assert.deepEqual(mine1, theirs);
  assert.equal(new Set(mine1.map((r) => r.consensus_hash)).size, mine1.length, 'every block has its own hash');

  // reorg: drop the last 3 blocks, mine a different branch with other operations
  const tip = await btc.rpc('getblockcount');
  await btc.rpc('invalidateblock', [await btc.rpc('getblockhash', [tip - 2])]);
  // (bcoin does not return the dropped blocks' transactions to its mempool, so the
  // new branch spends an output confirmed below the fork: bob's)
  await send(bob, {
    data: await payload('name-preorder', 'branch.test', '--key', bob.wif, '--consensus-hash',
      (await query(node.dataDir, 'consensus', String(tip - 4))).consensus_hash),
    outputs: [`${BURN}:100000`], changeIndex: 1 });
  const newTip = await mine(4);
  assert.equal(newTip, tip + 1);
  await synced(node, newTip);
  const fresh = startDaemon();
  await synced(fresh, newTip);
  const after = await query(node.dataDir, 'consensus-range', String(first), String(newTip));
  assert.deepEqual(after, await query(fresh.dataDir, 'consensus-range', String(first), String(newTip)));
  assert.equal(after.at(-1).block_hash, await btc.rpc('getblockhash', [newTip]));
  for (const name of ['alice.test', 'imported.test']) {
    assert.deepEqual(await query(node.dataDir, 'name', name), await query(fresh.dataDir, 'name', name));
  }
  const branchOps = [];
  for (let height = tip - 2; height <= newTip; height++) {
    const ops = await query(node.dataDir, 'ops', String(height));
    assert.deepEqual(ops, await query(fresh.dataDir, 'ops', String(height)));
    branchOps.push(...ops);
  }
  assert.ok(branchOps.some((o) => o.opcode === 'NAME_PREORDER' && o.accepted), `the new branch carries our preorder: ${JSON.stringify(branchOps)}`);
});
