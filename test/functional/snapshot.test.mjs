// Snapshots on bcoin regtest: a running node writes one, a fresh node restores it
// against the consensus hash alone and keeps indexing from the Bitcoin node, and its
// consensus hashes equal the original's at every height. Altered, truncated and
// partly written snapshots are refused with the first block that differs, and leave
// no database behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { binDir, createNamespace, freePort, hash160, run, startProcess, startStack, stopProcess, tempDir, toolsDir, waitFor }
  from './harness.mjs';

const FIRST = 100;
let stack;
let dir;
let snap;       // the snapshot file
let summary;    // what `blockstackd snapshot` printed
let registered; // { name: { zonefile, register_block } }

async function register(name, zonefile) {
  const p = path.join(dir, `${name}.zone`);
  writeFileSync(p, zonefile);
  const r = await stack.mined(['name', 'register', name, '--key', stack.keys.alice.wif.regtest, '--zonefile', p]);
  registered[name] = { zonefile, register_block: r.register_block };
}

const zonefileFor = (name, n) =>
  `$ORIGIN ${name}\n$TTL 3600\n_http._tcp URI 10 1 "https://example.com/${name}/${n}/profile.json"\n`;

function restoreArgs(file, dataDir, trusted, extra = []) {
  const quiet = extra.includes('--log-level') ? [] : ['--log-level', 'warn'];
  return ['restore', file, '--trusted-consensus-hash', trusted, '--network', 'regtest',
    '--first-block', String(FIRST), '--data-dir', dataDir, ...quiet, ...extra];
}

async function consensusRange(dataDir, from, to) {
  const r = await run('blockstackd', ['query', '--data-dir', dataDir, 'consensus-range', String(from), String(to)]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
}

// A restore that must be refused: exit code, message, and nothing left behind.
async function refused(file, trusted, code, pattern, extra = []) {
  const dataDir = tempDir('refused');
  const r = await run('blockstackd', restoreArgs(file, dataDir, trusted, extra), { timeoutMs: 120000 });
  assert.equal(r.code, code, `exit ${r.code}: ${r.stderr}`);
  assert.match(r.stderr, pattern);
  assert.ok(!existsSync(path.join(dataDir, 'blockstack.db')), 'a refused restore left a name database');
  assert.ok(!existsSync(path.join(dataDir, 'restore.partial')), 'a refused restore left its temporary directory');
  return r.stderr;
}

async function tamper(mode, height) {
  const out = path.join(dir, `tampered-${mode}.bss`);
  const r = await run('snaptamper', [snap, out, mode, ...(height === undefined ? [] : [String(height)])],
    { dir: toolsDir });
  assert.equal(r.code, 0, r.stderr);
  return out;
}

before(async () => {
  dir = tempDir('snapshot');
  registered = {};
  stack = await startStack(dir, ['alice']);
  await createNamespace(stack, 'snap', 'alice');
  await register('one.snap', zonefileFor('one.snap', 1));
  await register('two.snap', zonefileFor('two.snap', 1));
  await waitFor(async () => {
    const r = await (await fetch(`${stack.api}/v1/names/two.snap`)).json();
    return r.zonefile === registered['two.snap'].zonefile;
  }, { what: 'the zone files to be published' });

  // The node keeps running while the snapshot is written.
  snap = path.join(dir, 'node.bss');
  const r = await run('blockstackd', ['snapshot', '--data-dir', path.join(dir, 'node1'), '--out', snap,
    '--log-level', 'warn']);
  assert.equal(r.code, 0, r.stderr);
  summary = JSON.parse(r.stdout);
});

after(async () => {
  if (stack) await stack.stop();
});

test('the snapshot holds every block, operation and zone file', async () => {
  const info = await (await fetch(`${stack.api}/v1/info`)).json();
  assert.ok(summary.height >= registered['two.snap'].register_block && summary.height <= info.last_block_processed);
  assert.equal(summary.blocks, summary.height - FIRST + 1);
  assert.ok(summary.ops >= 7, `only ${summary.ops} operations`);  // 3 namespace + 2 x (preorder, register)
  assert.equal(summary.zonefiles, 2);
  assert.equal(summary.zonefiles_missing, 0);
  const [ours] = await consensusRange(path.join(dir, 'node1'), summary.height, summary.height);
  assert.equal(summary.consensus_hash, ours.consensus_hash);
  assert.ok(!existsSync(`${snap}.partial`));
});

test('a fresh node restores it, keeps indexing and agrees at every height', { timeout: 300000 }, async () => {
  const dataDir = path.join(dir, 'node2');
  const port = await freePort();
  // No Atlas: the zone files can only come from the snapshot.
  const node = startProcess(path.join(binDir, 'blockstackd'), restoreArgs(snap, dataDir, summary.consensus_hash, [
    '--bitcoind', stack.bcoin.url, '--api', `127.0.0.1:${port}`, '--poll-seconds', '0.1', '--no-atlas',
    '--log-level', 'info']));
  try {
    const api = `http://127.0.0.1:${port}`;
    await waitFor(async () => {
      if (node.exitCode !== null) throw new Error(`restore exited ${node.exitCode}: ${node.output}`);
      return (await (await fetch(`${api}/v1/info`)).json()).last_block_processed >= summary.height;
    }, { what: 'the restored node to serve', timeoutMs: 60000 });
    assert.match(node.output, /matches the trusted hash/);
    for (const name of ['one.snap', 'two.snap']) {
      const r = await (await fetch(`${api}/v1/names/${name}`)).json();
      assert.equal(r.zonefile, registered[name].zonefile, `${name} on the restored node`);
    }

    // New operations after the snapshot reach both nodes.
    await register('three.snap', zonefileFor('three.snap', 1));
    const p = path.join(dir, 'one2.zone');
    writeFileSync(p, zonefileFor('one.snap', 2));
    await stack.mined(['name', 'update', 'one.snap', '--key', stack.keys.alice.wif.regtest, '--zonefile', p, '--wait']);
    const tip = await stack.bcoin.rpc('getblockcount');
    for (const a of [stack.api, api]) {
      await waitFor(async () => (await (await fetch(`${a}/v1/info`)).json()).last_block_processed >= tip,
        { what: `${a} to reach block ${tip}` });
    }
    const restored = await (await fetch(`${api}/v1/names/three.snap`)).json();
    assert.equal(restored.status, 'registered');
    assert.equal(restored.zonefile_hash, (await (await fetch(`${stack.api}/v1/names/three.snap`)).json()).zonefile_hash);

    const original = await consensusRange(path.join(dir, 'node1'), FIRST, tip);
    const copy = await consensusRange(dataDir, FIRST, tip);
    assert.equal(original.length, tip - FIRST + 1);
    assert.deepEqual(copy, original);
  } finally {
    await stopProcess(node);
  }
});

test('a restore into a directory that holds a database is refused', async () => {
  const r = await run('blockstackd', restoreArgs(snap, path.join(dir, 'node1'), summary.consensus_hash));
  assert.equal(r.code, 6, r.stderr);
  assert.match(r.stderr, /already holds a name database/);
});

test('a hash nobody trusts, or a height outside the snapshot, is refused', async () => {
  const other = summary.consensus_hash.replace(/^./, (c) => (c === '0' ? '1' : '0'));
  await refused(snap, other, 5, /not the trusted/);
  await refused(snap, 'xyz', 2, /32 lowercase hex/);
  await refused(snap, summary.consensus_hash, 2, /outside the snapshot/, ['--height', String(summary.height + 1)]);
  await refused(snap, summary.consensus_hash, 2, /another|configured for/, ['--magic', 'zz']);
});

test('a restore to an earlier height checks the hash there', async () => {
  const h = registered['one.snap'].register_block;
  const [at] = await consensusRange(path.join(dir, 'node1'), h, h);
  const dataDir = tempDir('earlier');
  const r = await run('blockstackd', restoreArgs(snap, dataDir, at.consensus_hash, ['--height', String(h)]));
  assert.equal(r.code, 0, r.stderr);
  const mine = await consensusRange(dataDir, FIRST, h + 5);
  assert.equal(mine.length, h - FIRST + 1);
  assert.deepEqual(mine, await consensusRange(path.join(dir, 'node1'), FIRST, h));
  // With the tip's hash at that height, the same file is refused.
  await refused(snap, summary.consensus_hash, 5, /not the trusted/, ['--height', String(h)]);

  // A snapshot written at that height holds only what was known then.
  const early = path.join(dir, 'early.bss');
  const w = await run('blockstackd', ['snapshot', '--data-dir', path.join(dir, 'node1'), '--out', early,
    '--height', String(h), '--log-level', 'warn']);
  assert.equal(w.code, 0, w.stderr);
  const s = JSON.parse(w.stdout);
  assert.equal(s.height, h);
  assert.equal(s.consensus_hash, at.consensus_hash);
  assert.equal(s.zonefiles, 1);  // one.snap's; two.snap registered later
  const again = tempDir('early');
  const r2 = await run('blockstackd', restoreArgs(early, again, at.consensus_hash));
  assert.equal(r2.code, 0, r2.stderr);
  assert.deepEqual(await consensusRange(again, FIRST, h + 5), mine);
  const bad = await run('blockstackd', ['snapshot', '--data-dir', path.join(dir, 'node1'), '--out', early,
    '--height', '99999']);
  assert.equal(bad.code, 4, bad.stderr);
  assert.match(bad.stderr, /not indexed/);
});

test('truncated and partly written snapshots are refused before any work', async () => {
  const bytes = readFileSync(snap);
  for (const cut of [1, 48, Math.floor(bytes.length / 2)]) {
    const p = path.join(dir, `cut-${cut}.bss`);
    writeFileSync(p, bytes.subarray(0, bytes.length - cut));
    await refused(p, summary.consensus_hash, 5, /truncated|not completely written|footer/);
  }
  const flipped = Buffer.from(bytes);
  flipped[Math.floor(flipped.length / 2)] ^= 1;
  const p = path.join(dir, 'flipped.bss');
  writeFileSync(p, flipped);
  await refused(p, summary.consensus_hash, 5, /checksum/);
  const notOne = path.join(dir, 'text.bss');
  copyFileSync(path.join(dir, 'one.snap.zone'), notOne);
  await refused(notOne, summary.consensus_hash, 5, /not a snapshot|too short/);
});

test('altered operations are refused, naming the first block that differs', async () => {
  const h = registered['one.snap'].register_block;
  for (const mode of ['output-value', 'drop-op', 'consensus-hash']) {
    const stderr = await refused(await tamper(mode, h), summary.consensus_hash, 5, new RegExp(`block ${h} differs`));
    assert.match(stderr, /refused/);
  }
});

test('altered and foreign zone files are refused', async () => {
  await refused(await tamper('zonefile'), summary.consensus_hash, 5, /does not hash to its key/);
  await refused(await tamper('foreign-zonefile'), summary.consensus_hash, 5, /no name's zone-file hash/);
});

// The original node's zone-file directory: <h[0:2]>/<h[2:4]>/<h>.txt, or the legacy
// 20 directories of hex pairs ending in zonefile.txt.
function storagePath(root, hash, legacy) {
  const parts = legacy ? [...hash.match(/../g), 'zonefile.txt'] : [hash.slice(0, 2), hash.slice(2, 4), `${hash}.txt`];
  const p = path.join(root, ...parts);
  mkdirSync(path.dirname(p), { recursive: true });
  return p;
}

test('a node without Atlas imports a reference node\'s zone-file directory', { timeout: 300000 }, async () => {
  const dataDir = path.join(dir, 'node3');
  const port = await freePort();
  const api = `http://127.0.0.1:${port}`;
  const args = ['--network', 'regtest', '--bitcoind', stack.bcoin.url, '--first-block', String(FIRST),
    '--poll-seconds', '0.1', '--data-dir', dataDir, '--api', `127.0.0.1:${port}`, '--no-atlas'];
  const names = ['one.snap', 'two.snap', 'three.snap'];
  const zonefiles = {};
  for (const name of names) zonefiles[name] = (await (await fetch(`${stack.api}/v1/names/${name}`)).json()).zonefile;
  const serve = async () => {
    const node = startProcess(path.join(binDir, 'blockstackd'), args);
    await waitFor(async () => {
      if (node.exitCode !== null) throw new Error(`blockstackd exited ${node.exitCode}: ${node.output}`);
      try {
        return (await (await fetch(`${api}/v1/names/three.snap`)).json()).status === 'registered';
      } catch { return false; }
    }, { what: 'the node without Atlas to index the names', timeoutMs: 60000 });
    return node;
  };
  let node = await serve();
  for (const name of names) assert.equal((await (await fetch(`${api}/v1/names/${name}`)).json()).zonefile, null);
  await stopProcess(node);

  const from = path.join(dir, 'reference-zonefiles');
  writeFileSync(storagePath(from, hash160(zonefiles['one.snap']), false), zonefiles['one.snap']);
  writeFileSync(storagePath(from, hash160(zonefiles['two.snap']), true), zonefiles['two.snap']);
  // altered bytes under three.snap's hash, and a file no name announced
  writeFileSync(storagePath(from, hash160(zonefiles['three.snap']), false), zonefiles['three.snap'].replace('1', '9'));
  const stray = zonefileFor('nobody.snap', 1);
  writeFileSync(storagePath(from, hash160(stray), false), stray);

  const r = await run('blockstackd', ['import-zonefiles', '--data-dir', dataDir, '--from', from, '--log-level', 'error']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { files: 4, stored: 2, already_stored: 0, unannounced: 1, mismatched: 1,
    too_large: 0, ignored: 0 });
  const missing = await run('blockstackd', ['import-zonefiles', '--data-dir', dataDir, '--from', path.join(dir, 'nowhere')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /is not a directory/);

  node = await serve();
  try {
    for (const name of ['one.snap', 'two.snap']) {
      assert.equal((await (await fetch(`${api}/v1/names/${name}`)).json()).zonefile, zonefiles[name], name);
    }
    assert.equal((await (await fetch(`${api}/v1/names/three.snap`)).json()).zonefile, null);
  } finally {
    await stopProcess(node);
  }
});
