// A second real client against gaia-hub: npm @stacks/cli's gaia_* commands (put,
// list, delete, dump and restore a bucket), beside our CLI on the same keychain.
// The bucket is dumped from a disk hub and restored into an azure one (azurite).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

import { repoRoot, run, startAzurite, startGaiaHub, stopProcess, tempDir } from './harness.mjs';

const ORIGIN = 'https://notes.example';
const stxBin = path.join(repoRoot, 'node_modules', '@stacks', 'cli', 'bin.js');
let dir, hub, azureHub, azurite, mnemonic, mnemonicFile, idAddress, appKey;

// @stacks/cli prints [DEBUG] lines; its answer is the last line.
async function stx(args) {
  const r = await run(process.execPath, [stxBin, ...args], { dir: '', timeoutMs: 120000 });
  assert.equal(r.code, 0, `stx ${args[0]}: ${r.stderr}${r.stdout}`);
  return r.stdout.trim().split('\n').filter((l) => !l.startsWith('[DEBUG]'));
}
const ours = (hubUrl, args) => run('blockstack', ['gaia', ...args, '--hub', hubUrl, '--mnemonic-file', mnemonicFile,
  '--key', `app:${ORIGIN}`]);

before(async () => {
  dir = tempDir('stacks-cli');
  hub = await startGaiaHub();
  azurite = await startAzurite();
  azureHub = await startGaiaHub({ args: ['--driver', 'azure'], config: { bucket: 'restored' }, env: azurite.env });
  ({ mnemonic } = JSON.parse((await stx(['make_keychain'])).pop()));
  mnemonicFile = path.join(dir, 'mnemonic');
  writeFileSync(mnemonicFile, mnemonic);
  idAddress = JSON.parse((await stx(['get_owner_keys', mnemonic])).pop())[0].idAddress;
  const keys = JSON.parse((await run('blockstack', ['--json', 'keys', 'derive', '--mnemonic-file', mnemonicFile,
    '--app', ORIGIN])).stdout);
  appKey = keys.app.private_key.slice(0, 64);
  // Both CLIs name the keychain's first identity alike.
  assert.equal(idAddress, `ID-${keys.owner.address.mainnet}`);
});
after(async () => {
  for (const p of [hub, azureHub]) if (p) await stopProcess(p.child);
  if (azurite) await stopProcess(azurite.child);
});

test('gaia_putfile, gaia_listfiles and gaia_deletefile work against our hub, with our CLI reading the same bucket', async () => {
  const plain = path.join(dir, 'plain.txt');
  writeFileSync(plain, 'written by @stacks/cli');
  const put = JSON.parse((await stx(['gaia_putfile', hub.url, appKey, plain, 'notes/plain.txt'])).pop());
  assert.match(put.urls[0], new RegExp(`^${hub.url}/read/1\\w+/notes/plain\\.txt$`));
  assert.equal(await (await fetch(put.urls[0])).text(), 'written by @stacks/cli');
  // Encrypted and signed by @stacks/cli; decrypted and verified by ours.
  await stx(['gaia_putfile', hub.url, appKey, plain, 'notes/secret.txt', 'true', 'true']);
  const got = await ours(hub.url, ['get', 'notes/secret.txt', '--decrypt', '--verify']);
  assert.equal(got.code, 0, got.stderr);
  assert.equal(got.stdout, 'written by @stacks/cli');
  // Written by ours, listed by @stacks/cli (a name per line, then the count). An
  // encrypted and signed file carries its signature inside (no .sig file).
  for (const [name, extra] of [['ours/a.txt', []], ['ours/b.txt', ['--encrypt', '--sign']]]) {
    const r = await ours(hub.url, ['put', name, '--text', '--data', `ours: ${name}`, ...extra]);
    assert.equal(r.code, 0, r.stderr);
  }
  const listed = await stx(['gaia_listfiles', hub.url, appKey]);
  assert.equal(listed.pop(), '4');
  assert.deepEqual(listed.sort(), ['notes/plain.txt', 'notes/secret.txt', 'ours/a.txt', 'ours/b.txt']);
  await stx(['gaia_deletefile', hub.url, appKey, 'ours/b.txt']);
  const after = await ours(hub.url, ['list']);
  assert.deepEqual(after.stdout.trim().split('\n').sort(), ['notes/plain.txt', 'notes/secret.txt', 'ours/a.txt']);
});

test('gaia_dump_bucket from our disk hub, gaia_restore_bucket into our azure hub: the same files', async () => {
  const dump = path.join(dir, 'dump');
  await stx(['gaia_dump_bucket', idAddress, ORIGIN, hub.url, mnemonic, dump]);
  assert.equal(readdirSync(dump).length, 3);
  await stx(['gaia_restore_bucket', idAddress, ORIGIN, azureHub.url, mnemonic, dump]);
  const listed = await ours(azureHub.url, ['list']);
  assert.equal(listed.code, 0, listed.stderr);
  assert.deepEqual(listed.stdout.trim().split('\n').sort(), ['notes/plain.txt', 'notes/secret.txt', 'ours/a.txt']);
  for (const name of ['notes/plain.txt', 'ours/a.txt']) {
    const from = await ours(hub.url, ['get', name]);
    const to = await ours(azureHub.url, ['get', name]);
    assert.equal(to.stdout, from.stdout, name);
  }
  const secret = await ours(azureHub.url, ['get', 'notes/secret.txt', '--decrypt', '--verify']);
  assert.equal(secret.code, 0, secret.stderr);
  assert.equal(secret.stdout, 'written by @stacks/cli');
  assert.ok(readFileSync(path.join(dump, readdirSync(dump)[0])).length > 0);
});
