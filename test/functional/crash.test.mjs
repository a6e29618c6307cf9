// blockstackd killed with SIGKILL at random moments while catching up on 2,000
// blocks of name operations resumes from its last committed block: the final
// consensus hash equals that of an uninterrupted run. A second blockstackd on a
// data directory in use is refused, and the directory is free again once the
// first one stops (or is killed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';

import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

import { binDir, run, sleep, startProcess, stopProcess, tempDir, toolsDir, waitFor } from './harness.mjs';

const FIRST = 100;

function daemonArgs(chain, dataDir) {
  return ['--network', 'regtest', '--blocks-file', chain, '--first-block', String(FIRST), '--data-dir', dataDir,
    '--exit-at-tip', '--log-level', 'info', '--api', 'off'];
}

// A chain file of `blocks` blocks with `ops` name operations each, made by
// chaingen in dir; resolves its path and chaingen's summary.
async function makeChain(dir, blocks, ops, timeoutMs = 60000) {
  const chain = path.join(dir, 'chain.blk');
  const gen = await run('chaingen', ['--out', chain, '--blocks', String(blocks), '--ops-per-block', String(ops)],
    { dir: toolsDir, timeoutMs });
  assert.equal(gen.code, 0, gen.stderr);
  return { chain, reference: JSON.parse(gen.stdout) };
}

function finalHash(output) {
  const all = [...output.matchAll(/at block (\d+) consensus hash ([0-9a-f]{32})/g)];
  return all.length ? { height: Number(all.at(-1)[1]), hash: all.at(-1)[2] } : null;
}

test('kill -9 during catch-up loses and repeats nothing', { timeout: 600000 }, async () => {
  const dir = tempDir('crash');
  const { chain, reference } = await makeChain(dir, 2000, 16, 300000);
  assert.ok(reference.ops >= 30000, `chain carries ${reference.ops} operations`);

  // An uninterrupted run agrees with the generator's own node.
  const started = Date.now();
  const clean = await run('blockstackd', daemonArgs(chain, path.join(dir, 'clean')), { timeoutMs: 300000 });
  const cleanMs = Date.now() - started;
  assert.equal(clean.code, 0, clean.stderr);
  assert.deepEqual(finalHash(clean.stderr), { height: reference.last_block, hash: reference.consensus_hash });

  const dataDir = path.join(dir, 'crashy');
  let kills = 0;
  // Each run resumes where the last one was killed, so the ten runs together must
  // stay shorter than one uninterrupted catch-up: each is killed at a random moment
  // within 20 ms + 5% of the clean run's time (0.47 s at most), so the ten add up
  // to at most 0.2 s + half of it.
  const window = Math.max(20, Math.min(450, Math.floor(cleanMs * 0.05)));
  for (let i = 0; i < 10; i++) {
    const child = startProcess(path.join(binDir, 'blockstackd'), daemonArgs(chain, dataDir));
    const exited = new Promise((r) => child.once('exit', r));
    await sleep(20 + Math.floor(Math.random() * window));
    if (child.exitCode !== null) break;  // on a loaded machine the timer can fire late: caught up
    child.kill('SIGKILL');
    kills++;
    await exited;
  }
  // Normally all ten; a loaded machine's late timers let a run reach the tip sooner.
  assert.ok(kills >= 5, `only ${kills} runs were still indexing when killed (clean run ${cleanMs} ms)`);

  const last = await run('blockstackd', daemonArgs(chain, dataDir), { timeoutMs: 300000 });
  assert.equal(last.code, 0, last.stderr);
  assert.deepEqual(finalHash(last.stderr), { height: reference.last_block, hash: reference.consensus_hash });
});

test('a second blockstackd on a data directory in use is refused', { timeout: 120000 }, async () => {
  const dir = tempDir('lock');
  const { chain } = await makeChain(dir, 50, 2);
  const dataDir = path.join(dir, 'data');
  // The first keeps running at the tip (no --exit-at-tip).
  const args = daemonArgs(chain, dataDir).filter((a) => a !== '--exit-at-tip');
  const first = startProcess(path.join(binDir, 'blockstackd'), [...args, '--poll-seconds', '0.2']);
  await waitFor(() => /at block \d+ consensus hash/.test(first.output), { what: 'the first node at the tip' });
  const second = await run('blockstackd', daemonArgs(chain, dataDir), { timeoutMs: 30000 });
  assert.equal(second.code, 2, second.stderr);
  assert.match(second.stderr, new RegExp(`data directory .*data in use by PID ${first.pid}`));
  const importing = await run('blockstackd', ['import-zonefiles', '--data-dir', dataDir, '--from', dir],
    { timeoutMs: 30000 });
  assert.equal(importing.code, 2, importing.stderr);
  assert.match(importing.stderr, /in use by PID/);
  await stopProcess(first);
  const third = await run('blockstackd', daemonArgs(chain, dataDir), { timeoutMs: 60000 });
  assert.equal(third.code, 0, third.stderr);
});

// A generated chain, indexed to its tip into DIR/SUBDIR: { dir, chain, dataDir }.
async function indexedChain(prefix, blocks, namesPerBlock, subdir = 'data') {
  const dir = tempDir(prefix);
  const { chain } = await makeChain(dir, blocks, namesPerBlock);
  const dataDir = path.join(dir, subdir);
  const indexed = await run('blockstackd', daemonArgs(chain, dataDir), { timeoutMs: 60000 });
  assert.equal(indexed.code, 0, indexed.stderr);
  return { dir, chain, dataDir };
}

test('a database indexed under earlier consensus rules is refused, not served', { timeout: 120000 }, async () => {
  const { chain, dataDir } = await indexedChain('revision', 50, 2);
  // As a database made before the revision was recorded: its mark is gone.
  assert.ok(flip(path.join(dataDir, 'blockstack.db'), 'rules_revision') >= 1);
  const old = await run('blockstackd', daemonArgs(chain, dataDir), { timeoutMs: 60000 });
  assert.equal(old.code, 2, old.stderr);
  assert.match(old.stderr, /indexed under consensus rules revision 1; this version applies revision \d+/);
  assert.match(old.stderr, /index again/);
});

// Rewrites every occurrence of `text` in the file with its first character
// changed (a flipped byte at rest); returns how many there were.
function flip(file, text) {
  const data = readFileSync(file);
  const from = Buffer.from(text);
  const to = Buffer.from(text);
  to[0] = to[0] === 0x61 ? 0x62 : 0x61;  // 'a' <-> 'b': still hex, still base58
  let count = 0;
  for (let at = data.indexOf(from); at >= 0; at = data.indexOf(from, at + 1)) {
    to.copy(data, at);
    count++;
  }
  writeFileSync(file, data);
  return count;
}

test('a flipped byte in the name database is found, named, and never served', { timeout: 120000 }, async () => {
  const { dir, chain, dataDir: good } = await indexedChain('verify', 300, 4, 'good');
  const verify = (d, ...more) => run('blockstackd', ['verify', '--data-dir', d, '--json', ...more], { timeoutMs: 60000 });
  const clean = await verify(good);
  assert.equal(clean.code, 0, clean.stdout + clean.stderr);
  const report = JSON.parse(clean.stdout);
  assert.ok(report.ok && report.blocks_checked >= 300 && report.names_checked > 100, clean.stdout);

  // A flipped byte in one block's ops hash: the first bad block is named.
  const query = async (d, ...args) => JSON.parse((await run('blockstackd', ['query', '--data-dir', d, ...args])).stdout);
  const opsDamaged = path.join(dir, 'ops');
  cpSync(good, opsDamaged, { recursive: true });
  // Within the newest 144 blocks, which the daemon checks at start.
  const height = (await query(good, 'consensus')).block_height - 20;
  const { ops_hash: opsHash } = await query(good, 'consensus', String(height));
  assert.equal(flip(path.join(opsDamaged, 'blockstack.db'), opsHash), 1);
  const found = await verify(opsDamaged);
  assert.equal(found.code, 5, found.stdout + found.stderr);
  const problem = JSON.parse(found.stdout).problems[0];
  assert.equal(problem.block, height, found.stdout);
  assert.match(problem.file, /blockstack\.db$/);
  // The daemon refuses to start on it rather than serve it.
  const refused = await run('blockstackd', [...daemonArgs(chain, opsDamaged).filter((a) => a !== '--exit-at-tip')],
    { timeoutMs: 30000 });
  assert.equal(refused.code, 5, refused.stderr);
  assert.match(refused.stderr, new RegExp(`block ${height}: stored consensus hash`));
  assert.match(refused.stderr, /blockstackd verify/);

  // A flipped byte in a name's owner address: its checksum fails.
  const nameDamaged = path.join(dir, 'name');
  cpSync(good, nameDamaged, { recursive: true });
  const { address } = await query(good, 'name', 'n5.bench');
  assert.ok(flip(path.join(nameDamaged, 'blockstack.db'), address) >= 1);
  const named = await verify(nameDamaged);
  assert.equal(named.code, 5, named.stdout);
  assert.ok(JSON.parse(named.stdout).problems.some((p) => /fails its checksum/.test(p.problem)), named.stdout);
  const refusedName = await run('blockstackd', daemonArgs(chain, nameDamaged), { timeoutMs: 30000 });
  assert.equal(refusedName.code, 5, refusedName.stderr);
  assert.match(refusedName.stderr, /fails its checksum/);

  // A missing name database beside the rest of the directory is refused, not recreated empty.
  const missing = path.join(dir, 'missing');
  cpSync(good, missing, { recursive: true });
  rmSync(path.join(missing, 'blockstack.db'));
  const gone = await run('blockstackd', daemonArgs(chain, missing), { timeoutMs: 30000 });
  assert.equal(gone.code, 5, gone.stderr);
  assert.match(gone.stderr, /blockstack\.db is missing/);
  // Garbage in place of the file: reported with its path.
  writeFileSync(path.join(missing, 'blockstack.db'), Buffer.alloc(8192, 0x5a));
  const garbage = await verify(missing);
  assert.equal(garbage.code, 5, garbage.stdout + garbage.stderr);
  assert.match(garbage.stdout, /blockstack\.db/);
});
