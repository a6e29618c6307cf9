// The README's tour, run as written: its ```sh blocks between <!-- tour --> and
// <!-- /tour --> are joined and run by one bash with `set -e`, from the
// repository's root. Only the ports line is changed (to free ports), and $B when
// the binaries under test are elsewhere. Each block's expected output is checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { binDir, freePort, repoRoot } from './harness.mjs';

function tourBlocks() {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const start = readme.indexOf('<!-- tour -->');
  const end = readme.indexOf('<!-- /tour -->');
  assert.ok(start >= 0 && end > start, 'README.md marks its tour with <!-- tour --> and <!-- /tour -->');
  return [...readme.slice(start, end).matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
}

async function script() {
  const blocks = tourBlocks();
  assert.ok(blocks.length >= 6, `the tour has its blocks (found ${blocks.length})`);
  let text = blocks.join('\n');
  const portsLine = /^BTC_PORT=.*$/m;
  assert.match(text, portsLine, 'the tour sets its ports on one line');
  const names = text.match(portsLine)[0].split('#')[0].trim().split(/\s+/).map((a) => a.split('=')[0]);
  const ports = [];
  for (const name of names) ports.push(`${name}=${await freePort()}`);
  text = text.replace(portsLine, ports.join(' '));
  const defaultBin = path.join(repoRoot, 'build', 'dev', 'apps');
  if (path.resolve(binDir) !== defaultBin) text = text.replace(/^B=\$PWD\/build\/dev\/apps;/m, `B=${binDir};`);
  return text;
}

function runBash(text, timeoutMs) {
  return new Promise((resolve) => {
    const env = { ...process.env, PS4: '+ tour: ' };
    for (const k of Object.keys(env)) if (k.startsWith('BLOCKSTACK_')) delete env[k];
    const child = spawn('bash', ['-c', `set -eo pipefail -x\n${text}`], { cwd: repoRoot, env, detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, timeoutMs);
    let exit;
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      exit = { code, signal };
      // Whatever the tour left running (a failed step stops it before its `kill`);
      // the output is whole once every process of the group has closed it.
      const group = (sig) => { try { process.kill(-child.pid, sig); } catch { /* all gone */ } };
      group('SIGTERM');
      setTimeout(() => group('SIGKILL'), 10000).unref();
    });
    child.on('close', () => resolve({ ...exit, stdout, stderr }));
  });
}

test('the README tour runs as written: a name, a profile, a file, a subdomain, DNS and a second node', async () => {
  const r = await runBash(await script(), 8 * 60 * 1000);
  const tail = (s) => s.split('\n').slice(-40).join('\n');
  assert.equal(r.code, 0, `the tour stopped (${r.signal ?? r.code})\n${tail(r.stderr)}\n--- stdout\n${tail(r.stdout)}`);
  const out = r.stdout;
  assert.match(out, /key written to .*alice\.key/);
  assert.match(out, /[1-9]\d* satoshis spendable in [1-9]\d* output/);
  assert.match(out, /last_block_processed\s+\d+/);
  assert.equal(out.match(/^accepted in block \d+$/mg)?.length, 4, 'preorder, reveal, ready and update accepted');
  assert.match(out, /alice\.demo registered to \S+ in block \d+, zone file published/);
  assert.equal(out.match(/"name": "Alice"/g)?.length, 4, 'alice resolved, with her file, from the second node, and proved');
  assert.match(out, /^data http:\S+\/notes\.txt\nhello\n/m);
  assert.match(out, /signature checked against bucket \w+\) \(decrypted\)/);
  assert.match(out, /"name": "Bob"/);
  assert.match(out, /proved: \d+ operation\(s\) against the consensus hash you trust .*\n  state root [0-9a-f]{64} at block \d+: confirmed by http:/);
  assert.match(out, /ok: \d+ consensus hashes, 1 name records, 2 zone files checked/);
  assert.match(out, /10 1 "http:\/\/127\.0\.0\.1:\d+\/read\/\w+\/profile\.json"/, 'kdig answered the URI record');
  assert.match(out, /"consensus_hash":"[0-9a-f]{32}"/, 'the snapshot printed its consensus hash');
});
