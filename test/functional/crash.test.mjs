// blockstackd killed with SIGKILL at random moments while catching up on 2,000
// blocks of name operations resumes from its last committed block: the final
// consensus hash equals that of an uninterrupted run. A second blockstackd on a
// data directory in use is refused, and the directory is free again once the
// first one stops (or is killed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';

import { binDir, run, sleep, startProcess, stopProcess, tempDir, toolsDir, waitFor } from './harness.mjs';

const FIRST = 100;

function daemonArgs(chain, dataDir) {
  return ['--network', 'regtest', '--blocks-file', chain, '--first-block', String(FIRST), '--data-dir', dataDir,
    '--exit-at-tip', '--log-level', 'info', '--api', 'off'];
}

function finalHash(output) {
  const all = [...output.matchAll(/at block (\d+) consensus hash ([0-9a-f]{32})/g)];
  return all.length ? { height: Number(all.at(-1)[1]), hash: all.at(-1)[2] } : null;
}

test('kill -9 during catch-up loses and repeats nothing', { timeout: 600000 }, async () => {
  const dir = tempDir('crash');
  const chain = path.join(dir, 'chain.blk');
  const gen = await run('chaingen', ['--out', chain, '--blocks', '2000', '--ops-per-block', '16'],
    { dir: toolsDir, timeoutMs: 300000 });
  assert.equal(gen.code, 0, gen.stderr);
  const reference = JSON.parse(gen.stdout);
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
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      kills++;
    }
    await exited;
  }
  assert.equal(kills, 10, `only ${kills} of 10 runs were still indexing when killed (clean run ${cleanMs} ms)`);

  const last = await run('blockstackd', daemonArgs(chain, dataDir), { timeoutMs: 300000 });
  assert.equal(last.code, 0, last.stderr);
  assert.deepEqual(finalHash(last.stderr), { height: reference.last_block, hash: reference.consensus_hash });
});

test('a second blockstackd on a data directory in use is refused', { timeout: 120000 }, async () => {
  const dir = tempDir('lock');
  const chain = path.join(dir, 'chain.blk');
  const gen = await run('chaingen', ['--out', chain, '--blocks', '50', '--ops-per-block', '2'],
    { dir: toolsDir, timeoutMs: 60000 });
  assert.equal(gen.code, 0, gen.stderr);
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
