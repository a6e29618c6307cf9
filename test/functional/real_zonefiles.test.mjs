// The v1 network's real zone files (test/data/real/genesis_zonefiles.txt, 816 of
// them): each hashes to its recorded hash, and our client reads every one exactly
// as the original clients did (npm zone-file, which blockstack.js uses, is the
// referee): the same origin, TTL and records, including "$ORIGIN a.id $TTL 3600"
// on one line, URI records with and without IN, tabs and spaces, TXT records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';

import { hash160, repoRoot, run, tempDir } from './harness.mjs';

const require = createRequire(import.meta.url);
const { parseZoneFile } = require('zone-file');

// [{ hash, text }] from the data file: a hash line, then the file with each
// newline written as the two characters "\n".
function realZonefiles() {
  const lines = readFileSync(path.join(repoRoot, 'test', 'data', 'real', 'genesis_zonefiles.txt'), 'utf8').split('\n');
  const out = [];
  for (let i = 0; i + 1 < lines.length; i += 2) {
    if (lines[i]) out.push({ hash: lines[i], text: lines[i + 1].split('\\n').join('\n') });
  }
  return out;
}

test('every real zone file hashes to its hash and reads as npm zone-file reads it', async () => {
  const files = realZonefiles();
  assert.ok(files.length >= 816, String(files.length));
  const dir = tempDir('real-zonefiles');
  const paths = files.map(({ hash, text }) => {
    assert.equal(hash160(text), hash);
    const p = path.join(dir, `${hash}.zone`);
    writeFileSync(p, text);
    return p;
  });
  const r = await run('blockstack', ['--json', 'zonefile', 'parse', ...paths], { timeoutMs: 60000 });
  assert.equal(r.code, 0, r.stderr);
  const ours = JSON.parse(r.stdout);
  const differing = [];
  files.forEach(({ hash, text }, i) => {
    if (!isDeepStrictEqual(ours[i], parseZoneFile(text))) differing.push(hash);
  });
  assert.deepEqual(differing, []);
  // What they hold, so the sample keeps covering the cases that matter.
  const all = files.map(({ text }) => text).join('\n');
  assert.match(all, /\$ORIGIN \S+ \$TTL/);
  assert.match(all, /_resolver/);
  assert.match(all, /zf0=/);
  assert.ok(ours.filter((z) => (z.uri ?? []).length > 1).length > 0, 'a file with several URI records');
});
