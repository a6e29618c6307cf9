// Bucket backup, restore and moving hubs, with 1,000 files written by the real
// @stacks/storage client (plain, encrypted, signed, encrypted and signed):
// gaia dump / restore round trip byte for byte; gaia migrate of a name's buckets
// to a new hub, killed halfway and re-run (it resumes and copies nothing twice),
// the profile and the zone file pointing at the new hub only once every copy is
// read back and its signature checked, and the JS client reading the files there.
// A new hub that refuses a write halfway gets nothing published.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';

import {
  binDir, createNamespace, run, startGaiaHub, startProcess, startStack, stopProcess, tempDir, toBcoinAddress, waitFor,
} from './harness.mjs';

const require = createRequire(import.meta.url);
const { UserSession, AppConfig } = require('@stacks/auth');
const { Storage } = require('@stacks/storage');
const { config: stacksConfig } = require('@stacks/common');

stacksConfig.logLevel = 'error';

const ORIGIN = 'https://notes.example';
let stack;
let dir;
let mnemonicFile;
let keys;
let newHub;
let restoreHub;
let tinyHub;
const written = new Map();  // path -> { content, kind }

function storageFor(hubUrl, appPrivateKey) {
  const userSession = new UserSession({
    appConfig: new AppConfig(['store_write'], 'http://localhost'),
    sessionOptions: { userData: { appPrivateKey, hubUrl } },
  });
  return new Storage({ userSession });
}

const base = () => ['--network', 'regtest', '--node', stack.api, '--bitcoind', stack.bcoin.url,
  '--wallet-rpc', stack.bcoin.walletUrl];
async function cli(args, opts) {
  const r = await run('blockstack', [...base(), '--json', ...args], { timeoutMs: 300000, ...opts });
  return { ...r, json: r.code === 0 ? JSON.parse(r.stdout) : undefined };
}
const kc = () => ['--mnemonic-file', mnemonicFile];

before(async () => {
  dir = tempDir('bucket');
  stack = await startStack(dir, ['alice']);
  newHub = await startGaiaHub();
  restoreHub = await startGaiaHub();
  tinyHub = await startGaiaHub({ config: { maxFileUploadSize: 0.004 } });  // about 4 KB

  // A keychain: its owner key owns the name; its app key for ORIGIN owns the app bucket.
  const mnemonic = (await run('blockstack', ['--json', 'keys', 'new'])).stdout;
  mnemonicFile = path.join(dir, 'mnemonic');
  writeFileSync(mnemonicFile, JSON.parse(mnemonic).mnemonic);
  keys = JSON.parse((await run('blockstack', ['--json', 'keys', 'derive', '--mnemonic-file', mnemonicFile,
    '--app', ORIGIN])).stdout);

  // 1,000 files through @stacks/storage, four kinds, and one of 5 KB in the middle.
  const s = storageFor(stack.hub.url, keys.app.private_key.slice(0, 64));
  const kinds = [['p', { encrypt: false }], ['e', { encrypt: true }], ['s', { encrypt: false, sign: true }],
    ['b', { encrypt: true, sign: true }]];
  const jobs = [];
  for (let i = 0; i < 1000; i++) {
    const [kind, opts] = kinds[i % 4];
    const p = `${kind}/note-${String(i).padStart(4, '0')}.txt`;
    const content = i % 7 === 0 ? new Uint8Array(randomBytes(64 + i)) : `note ${i}: ${randomBytes(16).toString('hex')}`;
    written.set(p, { content, kind });
    jobs.push([p, content, { ...opts, dangerouslyIgnoreEtag: true }]);
  }
  const big = randomBytes(5000).toString('base64');
  written.set('m-big.txt', { content: big, kind: 'p' });
  jobs.push(['m-big.txt', big, { encrypt: false, dangerouslyIgnoreEtag: true }]);
  for (let i = 0; i < jobs.length; i += 25) {
    await Promise.all(jobs.slice(i, i + 25).map(([p, c, o]) => s.putFile(p, c, o)));
  }

  // The name, owned by the keychain's owner key, its profile listing the app bucket.
  await createNamespace(stack, 'mig');
  const owner = keys.owner.address.regtest;
  await stack.bcoin.walletRpc('sendtoaddress', [toBcoinAddress(owner), 1]);
  await stack.bcoin.importKey(keys.owner.wif.regtest);
  const hubInfo = await (await fetch(`${stack.hub.url}/hub_info`)).json();
  const profile = path.join(dir, 'profile.json');
  writeFileSync(profile, JSON.stringify({
    '@type': 'Person', name: 'Alice', apps: { [ORIGIN]: `${hubInfo.read_url_prefix}${keys.app.address.mainnet}/` },
  }));
  const put = await cli(['profile', 'put', profile, '--hub', stack.hub.url, ...kc()]);
  assert.equal(put.code, 0, put.stderr);
  const zf = await cli(['zonefile', 'make', 'alice.mig', '--url', put.json.public_url]);
  const zfile = path.join(dir, 'alice.zone');
  writeFileSync(zfile, `${zf.json.zonefile}_extra TXT "kept across the move"\n`);
  const reg = await stack.mined(['name', 'register', 'alice.mig', '--key', stack.keys.alice.wif.regtest, '--owner',
    owner, '--zonefile', zfile]);
  assert.equal(reg.owner, owner);
});

after(async () => {
  for (const h of [newHub, restoreHub, tinyHub]) if (h) await stopProcess(h.child);
  await stack?.stop();
});

function readDump(d) {
  const m = JSON.parse(readFileSync(path.join(d, 'manifest.json'), 'utf8'));
  return m.files.map((f) => ({ path: f.path, type: f.content_type, sha: f.sha256,
    bytes: readFileSync(path.join(d, f.file)).toString('hex') }));
}

test('gaia dump and restore round trip byte for byte', async () => {
  const appKey = ['--key', `app:${ORIGIN}`, ...kc()];
  const d1 = path.join(dir, 'dump1');
  const dump = await cli(['gaia', 'dump', '--hub', stack.hub.url, ...appKey, '--out', d1]);
  assert.equal(dump.code, 0, dump.stderr);
  assert.equal(dump.json.files, 1001 + 250 /* .sig files */);
  assert.equal(dump.json.address, keys.app.address.mainnet);
  assert.equal((await cli(['gaia', 'dump', '--hub', stack.hub.url, ...appKey, '--out', d1])).code, 3);

  const restore = await cli(['gaia', 'restore', '--hub', restoreHub.url, ...appKey, '--from', d1]);
  assert.equal(restore.code, 0, restore.stderr);
  const d2 = path.join(dir, 'dump2');
  assert.equal((await cli(['gaia', 'dump', '--hub', restoreHub.url, ...appKey, '--out', d2])).code, 0);
  assert.deepEqual(readDump(d2), readDump(d1));
  // The JS client reads the restored files, signatures and all.
  const s = storageFor(restoreHub.url, keys.app.private_key.slice(0, 64));
  for (const p of ['b/note-0003.txt', 's/note-0002.txt', 'e/note-0001.txt']) {
    const { content, kind } = written.get(p);
    const back = await s.getFile(p, { decrypt: kind === 'e' || kind === 'b', verify: kind === 's' || kind === 'b' });
    assert.deepEqual(typeof content === 'string' ? back : new Uint8Array(back), content);
  }

  // A dump whose file was changed is refused before anything is written.
  const entry = JSON.parse(readFileSync(path.join(d1, 'manifest.json'), 'utf8')).files[5];
  writeFileSync(path.join(d1, entry.file), 'tampered');
  const bad = await cli(['gaia', 'restore', '--hub', newHub.url, ...appKey, '--from', d1]);
  assert.equal(bad.code, 7, bad.stderr);
  assert.match(bad.stderr, /does not match its SHA-256/);
  // Another bucket's dump needs --any-address.
  const other = await cli(['gaia', 'restore', '--hub', newHub.url, ...kc(), '--from', d2]);
  assert.equal(other.code, 3);
  assert.match(other.stderr, /--any-address/);
});

test('gaia migrate: a hub that refuses a write halfway gets nothing published', async () => {
  const state = path.join(dir, 'tiny.log');
  const r = await cli(['gaia', 'migrate', 'alice.mig', '--from', stack.hub.url, '--to', tinyHub.url, ...kc(),
    '--state', state]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /copying m-big\.txt .*nothing was published/);
  const copied = readFileSync(state, 'utf8').trim().split('\n').length;
  assert.ok(copied > 400 && copied < 1252, `copied ${copied} before the refusal`);
  const info = await (await fetch(`${tinyHub.url}/hub_info`)).json();
  const profile = await fetch(`${info.read_url_prefix}${keys.owner.address.mainnet}/profile.json`);
  assert.equal(profile.status, 404, 'no profile on the refusing hub');
});

test('gaia migrate, killed halfway and re-run, moves every bucket and then the profile and zone file', async () => {
  const state = path.join(dir, 'migrate.log');
  const args = [...base(), 'gaia', 'migrate', 'alice.mig', '--from', stack.hub.url, '--to', newHub.url, ...kc(),
    '--state', state, '--quiet'];
  const first = startProcess(path.join(binDir, 'blockstack'), args);
  await waitFor(() => existsSync(state) && readFileSync(state, 'utf8').split('\n').length > 300,
    { timeoutMs: 120000, what: '300 files copied' });
  first.kill('SIGKILL');
  await stopProcess(first);
  const before = readFileSync(state, 'utf8').split('\n').filter((l) => l.endsWith('\n') || l.length > 0).length;
  assert.ok(before < 1252, `killed after ${before} files`);

  const done = await stack.bcoin.whileMining(cli(['gaia', 'migrate', 'alice.mig', '--from', stack.hub.url, '--to',
    newHub.url, ...kc(), '--state', state, '--update-zonefile']), stack.keys.miner.address.regtest);
  assert.equal(done.code, 0, done.stderr);
  const total = 1251;  // the app bucket; the profile bucket holds only the profile, written anew
  assert.ok(done.json.already_copied >= before - 1, JSON.stringify(done.json));
  assert.equal(done.json.copied + done.json.already_copied, total, JSON.stringify(done.json));
  assert.equal(done.json.signatures_checked, 500);
  const lines = readFileSync(state, 'utf8').trim().split('\n').map((l) => l.split(' ').slice(0, 2).join(' '));
  assert.equal(new Set(lines).size, lines.length, 'no file copied twice');

  // The name now resolves to the profile on the new hub, which lists the app
  // bucket there, and the zone file kept its other records.
  const info = await (await fetch(`${newHub.url}/hub_info`)).json();
  const found = await cli(['lookup', 'alice.mig']);
  assert.equal(found.code, 0, found.stderr);
  assert.ok(found.json.profile_url.startsWith(info.read_url_prefix), found.json.profile_url);
  assert.equal(found.json.profile.apps[ORIGIN], `${info.read_url_prefix}${keys.app.address.mainnet}/`);
  assert.match(found.json.zonefile, /kept across the move/);

  // The JS client reads every kind at the new hub.
  const s = storageFor(newHub.url, keys.app.private_key.slice(0, 64));
  const listed = [];
  await s.listFiles((p) => { listed.push(p); return true; });
  assert.equal(listed.length, 1251);
  let n = 0;
  for (const [p, { content, kind }] of written) {
    if (n++ % 10) continue;
    const back = await s.getFile(p, { decrypt: kind === 'e' || kind === 'b', verify: kind === 's' || kind === 'b' });
    assert.deepEqual(typeof content === 'string' ? back : new Uint8Array(back), content, p);
  }
  // A re-run copies nothing.
  const again = await cli(['gaia', 'migrate', 'alice.mig', '--from', stack.hub.url, '--to', newHub.url, ...kc(),
    '--state', state]);
  assert.equal(again.json.copied, 0);
});
