// The blockstack CLI end to end against bcoin regtest, blockstackd and gaia-hub:
// it creates a namespace, registers names in one command each (preorder, wait,
// register, publish the zone file), stores signed profiles and an encrypted file,
// transfers a name, and resolves everything with `lookup`. Then every way lookup
// can fail is produced for real and must give its own message and exit code.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';

import {
  binDir, createNamespace, freePort, hash160, makeCertificates, repoRoot, run, startStack, tempDir, waitFor,
} from './harness.mjs';

let stack;
let btc;
let hub;
let api;
let dir;
let alice;
let bob;
let miner;
let aliceProfileUrl;

// The CLI's exit codes (README, "Exit codes").
const EXIT = {
  unreachable: 5, refused: 8, unknown: 10, expired: 11, revoked: 12, zonefileMissing: 13, hashMismatch: 14,
  noProfileUrl: 15, badSignature: 16, storageUnreachable: 17, storageMissing: 18,
};

const cli = (args, opts) => run('blockstack', ['--network', 'regtest', '--node', api, '--bitcoind', btc.url,
  '--wallet-rpc', btc.walletUrl, ...args], opts);
async function cliOk(args) {
  const r = await cli(['--json', ...args]);
  assert.equal(r.code, 0, `blockstack ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}
// A command that waits for blocks: mine while it runs.
const mined = (args) => btc.whileMining(cliOk(args), miner.address.regtest);

function file(name, text) {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

async function register(name, key, zonefileText, extra = []) {
  const args = ['name', 'register', name, '--key', key.wif.regtest, ...extra];
  if (zonefileText !== undefined) args.push('--zonefile', file(`${name}.zone`, zonefileText));
  return mined(args);
}

async function lookupFails(args, code, pattern) {
  const r = await cli(['lookup', ...args]);
  assert.equal(r.code, code, `lookup ${args.join(' ')}: exit ${r.code}, stderr ${r.stderr}`);
  assert.match(r.stderr, pattern);
  const j = await cli(['--json', 'lookup', ...args]);
  assert.equal(j.code, code);
  assert.ok(JSON.parse(j.stdout).failure, j.stdout);
}

before(async () => {
  dir = tempDir('cli-test');
  stack = await startStack(dir, ['alice', 'bob'], { daemonArgs: ['--announcers', 'herald.cli'] });
  ({ bcoin: btc, api, hub } = stack);
  ({ alice, bob, miner } = stack.keys);
});

after(async () => {
  if (stack) await stack.stop();
});

test('keys: generate and import (WIF and hex) give the same addresses', async () => {
  const fromWif = await cliOk(['keys', 'import', alice.wif.regtest]);
  const fromHex = await cliOk(['keys', 'import', alice.private_key]);
  assert.deepEqual(fromWif.address, alice.address);
  assert.deepEqual(fromHex.address, alice.address);
  const bad = await cli(['keys', 'import', 'not-a-key']);
  assert.equal(bad.code, 3);
  assert.match(bad.stderr, /neither WIF nor/);
});

test('register, publish, store, transfer and resolve end to end', async () => {
  const price = await cliOk(['price', 'cli']);
  assert.ok(price.satoshis > 0);
  assert.deepEqual((await createNamespace(stack, 'cli')).map((r) => [r.operation, r.accepted]),
    [['namespace preorder', true], ['namespace reveal', true], ['namespace ready', true]]);
  const namePrice = await cliOk(['price', 'alice.cli']);
  assert.ok(namePrice.satoshis > 0);

  // alice.cli: a zone file pointing at alice's bucket, registered in one command
  const zf = await cliOk(['zonefile', 'make', 'alice.cli', '--hub', hub.url, '--key', alice.wif.regtest]);
  const reg = await register('alice.cli', alice, zf.zonefile);
  assert.equal(reg.zonefile_published, true);
  assert.equal(reg.zonefile_hash, hash160(zf.zonefile));
  assert.ok(reg.register_block > reg.preorder_block);

  const profile = file('profile.json', JSON.stringify(await cliOk(['profile', 'make', '--name', 'Alice',
    '--description', 'registered with the blockstack CLI'])));
  const put = await cliOk(['profile', 'put', profile, '--key', alice.wif.regtest, '--hub', hub.url]);
  assert.match(put.public_url, /profile\.json$/);
  aliceProfileUrl = put.public_url;
  await cliOk(['gaia', 'put', 'notes/secret.txt', '--hub', hub.url, '--key', alice.wif.regtest, '--data', 'for alice only',
    '--text', '--encrypt', '--sign']);
  await cliOk(['gaia', 'put', 'hello.txt', '--hub', hub.url, '--key', alice.wif.regtest, '--data', 'hello, world',
    '--text', '--sign']);

  const found = await cliOk(['lookup', 'alice.cli']);
  assert.equal(found.owner, alice.address.regtest);
  assert.equal(found.zonefile, zf.zonefile);
  assert.equal(found.profile.name, 'Alice');
  assert.equal(found.verified, true);
  assert.equal(found.steps.length, 3);
  const signed = await cliOk(['lookup', 'alice.cli', '--data', 'hello.txt']);
  assert.equal(signed.data, 'hello, world');
  const secret = await cliOk(['lookup', 'alice.cli', '--data', 'notes/secret.txt', '--decrypt-key', alice.wif.regtest]);
  assert.equal(secret.data, 'for alice only');
  const human = await cli(['lookup', 'alice.cli', '--verbose']);
  assert.equal(human.code, 0);
  assert.match(human.stdout, /verified:/);
  assert.match(human.stderr, /zone file from http:\/\/127\.0\.0\.1:\d+ \(hash checked\)/);
  await lookupFails(['alice.cli', '--data', 'notes/secret.txt', '--decrypt-key', bob.wif.regtest], 19, /cannot decrypt/);
  await lookupFails(['alice.cli', '--data', 'missing.txt'], EXIT.storageMissing, /missing\.txt/);

  // a second name, registered by alice for bob, then transferred back to alice
  const bobZone = await cliOk(['zonefile', 'make', 'bob.cli', '--url', `${hub.url}/nowhere/profile.json`]);
  const bobReg = await register('bob.cli', alice, bobZone.zonefile, ['--owner', bob.address.regtest]);
  assert.equal(bobReg.owner, bob.address.regtest);
  assert.deepEqual((await cliOk(['names', bob.address.regtest])).names, ['bob.cli']);
  const who = await cliOk(['whois', 'bob.cli']);
  assert.equal(who.owner, bob.address.regtest);
  assert.equal(who.zonefile_hash, hash160(bobZone.zonefile));

  // only the owner may transfer it
  const notOwner = await cli(['name', 'transfer', 'bob.cli', '--to', alice.address.regtest, '--key', alice.wif.regtest]);
  assert.equal(notOwner.code, 6);
  assert.match(notOwner.stderr, /owned by/);
  const xfer = await mined(['name', 'transfer', 'bob.cli', '--to', alice.address.regtest, '--key', bob.wif.regtest,
    '--wait']);
  assert.equal(xfer.accepted, true);
  assert.equal((await cliOk(['whois', 'bob.cli'])).owner, alice.address.regtest);
  assert.deepEqual((await cliOk(['names', alice.address.regtest])).names.sort(), ['alice.cli', 'bob.cli']);

  // update with a payer that is not the owner: the owner's UTXO is input 0
  const newZone = await cliOk(['zonefile', 'make', 'bob.cli', '--hub', hub.url, '--key', alice.wif.regtest]);
  const upd = await mined(['name', 'update', 'bob.cli', '--key', alice.wif.regtest, '--payer-key', bob.wif.regtest,
    '--zonefile', file('bob2.zone', newZone.zonefile), '--wait']);
  assert.equal(upd.accepted, true);
  assert.equal((await cliOk(['lookup', 'bob.cli'])).profile.name, 'Alice');

  // renew: a burn output, 4+ outputs
  const renew = await mined(['name', 'renew', 'bob.cli', '--key', alice.wif.regtest, '--wait']);
  assert.equal(renew.accepted, true);

  // profiles: sign and verify a token file against the owner, and refuse another signer
  const tokens = await cli(['profile', 'sign', profile, '--key', alice.wif.regtest]);
  assert.equal(tokens.code, 0, tokens.stderr);
  const tokenFile = file('tokens.json', tokens.stdout);
  const claim = await cli(['profile', 'verify', tokenFile, '--address', alice.address.regtest]);
  assert.equal(claim.code, 0, claim.stderr);
  assert.equal(JSON.parse(claim.stdout).name, 'Alice');
  const wrongSigner = await cli(['profile', 'verify', tokenFile, '--address', bob.address.regtest]);
  assert.equal(wrongSigner.code, EXIT.badSignature);

  // NAME_IMPORT into a revealed namespace, by its revealer, then ready
  const nsKey = ['--key', alice.wif.regtest, '--wait'];
  await mined(['namespace', 'preorder', 'imp', ...nsKey]);
  await mined(['namespace', 'reveal', 'imp', '--lifetime', '52595', '--coeff', '250', '--base', '4',
    '--buckets', '6,5,4,3,2,1,0,0,0,0,0,0,0,0,0,0', ...nsKey]);
  const impZone = (await cliOk(['zonefile', 'make', 'carol.imp', '--hub', hub.url, '--key', alice.wif.regtest])).zonefile;
  const imp = await mined(['name', 'import', 'carol.imp', '--to', bob.address.regtest, '--zonefile',
    file('carol.zone', impZone), ...nsKey]);
  assert.equal(imp.accepted, true);
  // Refused before anything is paid, each with what to do: a namespace revealed
  // but not ready, one that does not exist, a name that breaks the rule.
  const notReady = await cli(['--json', 'name', 'register', 'dave.imp', '--key', alice.wif.regtest]);
  assert.equal(notReady.code, 3, notReady.stderr);
  assert.match(notReady.stderr, /namespace 'imp' is revealed but not ready: .*namespace ready imp/);
  assert.deepEqual(Object.keys(JSON.parse(notReady.stdout)).sort(), ['error', 'exit_code']);
  const noSuch = await cli(['name', 'preorder', 'dave.nosuch', '--key', alice.wif.regtest]);
  assert.equal(noSuch.code, 4, noSuch.stderr);
  assert.match(noSuch.stderr, /namespace 'nosuch' does not exist on the node/);
  for (const [name, why] of [['Dave.cli', /the uppercase 'D' at position 1 \(names are lowercase\)/],
    ['dave', /there is no dot/], ['da ve.cli', /the character ' ' at position 3/],
    ['a.b.cli', /more than one dot \(a subdomain/], [`${'d'.repeat(40)}.cli`, /it has 44 characters/]]) {
    const bad = await cli(['name', 'register', name, '--key', alice.wif.regtest]);
    assert.equal(bad.code, 3, `${name}: ${bad.stderr}`);
    assert.match(bad.stderr, why, name);
    assert.match(bad.stderr, /a name is NAME\.NAMESPACE: lowercase letters a-z, digits 0-9, '-' and '_'/);
  }
  await mined(['namespace', 'ready', 'imp', ...nsKey]);
  // A registration stopped after its preorder goes on from it: while a preorder
  // of the name by this key is live (in the mempool, or confirmed and not
  // consumed), no second one is paid for.
  const sent = await cliOk(['name', 'preorder', 'erin.cli', '--key', alice.wif.regtest]);
  await btc.inMempool(sent.txid);
  await waitFor(async () => (await btc.walletRpc('listunspent', [0, 0])).some((u) => u.txid === sent.txid),
    { what: "the wallet to list the preorder's change" });
  const twice = await cli(['name', 'preorder', 'erin.cli', '--key', alice.wif.regtest]);
  assert.equal(twice.code, 3, twice.stderr);
  assert.match(twice.stderr, new RegExp(`a preorder of erin\\.cli by this key .* is live already \\(${sent.txid}, ` +
    'not confirmed yet\\): `blockstack name register erin\\.cli` goes on from it without paying again'));
  await btc.mine(1, miner.address.regtest);
  await waitFor(async () => (await cli(['name', 'preorder', 'erin.cli', '--key', alice.wif.regtest])).stderr
    .includes(`(${sent.txid}, confirmed)`), { what: 'the node to hold the preorder' });
  const resumed = await mined(['name', 'register', 'erin.cli', '--key', alice.wif.regtest]);
  assert.equal(resumed.preorder_reused, true);
  assert.equal(resumed.preorder_txid, sent.txid);
  assert.equal(resumed.price, undefined, 'nothing paid twice');
  assert.equal((await cliOk(['whois', 'erin.cli'])).owner, alice.address.regtest);
  // A registration that times out waiting (nobody mines) says how to go on; run
  // again, it goes on from its preorder in the mempool.
  const stalled = await cli(['name', 'register', 'fred.cli', '--key', alice.wif.regtest, '--timeout', '2']);
  assert.equal(stalled.code, 5, stalled.stderr);
  assert.match(stalled.stderr, /gave up waiting .*; the preorder [0-9a-f]{64} is sent: run the same command again to go on/);
  const stalledTxid = stalled.stderr.match(/the preorder ([0-9a-f]{64}) is sent/)[1];
  await btc.inMempool(stalledTxid);
  await waitFor(async () => (await btc.walletRpc('listunspent', [0, 0])).some((u) => u.txid === stalledTxid),
    { what: "the wallet to list the stalled preorder's change" });
  const goneOn = await mined(['name', 'register', 'fred.cli', '--key', alice.wif.regtest]);
  assert.equal(goneOn.preorder_reused, true);
  assert.equal(goneOn.preorder_txid, stalledTxid);
  // An operation the node refuses: the CLI prints the node's reason (served by
  // /v1/blockchains/bitcoin/transactions/{txid}) and exits 8.
  const refused = await btc.whileMining(cli(['--json', 'name', 'register', 'ghost.cli', '--skip-preorder', '--key',
    alice.wif.regtest]), miner.address.regtest);
  assert.equal(refused.code, 8, refused.stderr);
  assert.match(refused.stderr, /the node refused the operation [0-9a-f]{64} in block \d+: .*preorder/i);
  assert.equal(JSON.parse(refused.stdout).exit_code, 8);
  const carol = await cliOk(['whois', 'carol.imp']);
  assert.equal(carol.owner, bob.address.regtest);
  assert.equal(carol.zonefile_hash, hash160(impZone));

  // given UTXOs instead of the wallet's: --dry-run builds from exactly those
  const given = await cliOk(['name', 'preorder', 'dry.cli', '--key', alice.wif.regtest, '--dry-run', '--utxo',
    `${'ab'.repeat(32)}:1:100000000`]);
  assert.equal(given.transactions.length, 1);
  assert.ok(given.transactions[0].hex.includes('ab'.repeat(32)), 'spends the given outpoint');
  const tooSmall = await cli(['name', 'preorder', 'dry.cli', '--key', alice.wif.regtest, '--dry-run', '--utxo',
    `${'ab'.repeat(32)}:1:1000`]);
  assert.equal(tooSmall.code, 3);
  assert.match(tooSmall.stderr, /needs/);

  // --dry-run prints signed transactions and sends nothing
  const dry = await cliOk(['name', 'revoke', 'bob.cli', '--key', alice.wif.regtest, '--dry-run']);
  assert.equal(dry.transactions.length, 1);
  assert.match(dry.transactions[0].hex, /^01000000/);
  assert.equal((await cliOk(['whois', 'bob.cli'])).status, 'registered');
});

test('history, records, namespaces, zone files and announcements as the original CLI printed them', async () => {
  // Every page of the history, merged, is what the node answers page by page.
  const history = await cliOk(['name', 'history', 'bob.cli']);
  const page0 = await (await fetch(`${api}/v1/names/bob.cli/history?page=0`)).json();
  assert.deepEqual(history, page0);
  const opcodes = Object.values(history).flat().map((h) => h.opcode);
  for (const op of ['NAME_PREORDER', 'NAME_REGISTRATION', 'NAME_TRANSFER', 'NAME_UPDATE', 'NAME_RENEWAL']) {
    assert.ok(opcodes.includes(op), `${op} in ${opcodes}`);
  }
  assert.deepEqual(await cliOk(['name', 'history', 'bob.cli', '--page', '0']), page0);
  const human = await cli(['name', 'history', 'bob.cli']);
  assert.match(human.stdout, /NAME_REGISTRATION/);
  assert.equal((await cli(['name', 'history', 'nobody.cli'])).code, 4);

  const record = await cliOk(['name', 'record', 'bob.cli']);
  assert.equal(record.address, alice.address.regtest);
  assert.equal(record.name, 'bob.cli');
  assert.ok(record.expire_block > 0 && typeof record.zonefile === 'string', JSON.stringify(record));
  assert.equal((await cli(['name', 'record', 'nobody.cli'])).code, 4);

  const ns = await cliOk(['namespace', 'show', 'cli']);
  assert.equal(ns.namespace_id, 'cli');
  assert.equal(ns.ready, true);
  assert.equal((await cli(['namespace', 'show', 'nons'])).code, 4);

  // zone file get: the current one, its hash checked
  const zf = await cliOk(['zonefile', 'get', 'bob.cli']);
  assert.equal(zf.verified, true);
  assert.equal(hash160(zf.zonefile), (await cliOk(['whois', 'bob.cli'])).zonefile_hash);
  const byHash = await cli(['zonefile', 'get', '--hash', zf.zonefile_hash]);
  assert.equal(byHash.stdout, zf.zonefile);
  assert.equal((await cli(['zonefile', 'get', 'nobody.cli'])).code, EXIT.unknown);
  assert.equal((await cli(['zonefile', 'get', '--hash', 'ff'.repeat(20)])).code, EXIT.zonefileMissing);

  // ANNOUNCE: herald.cli is on this node's announcer list; its owner puts the
  // message up as the name's zone file, then announces its hash.
  const message = '$ORIGIN herald.cli\n$TTL 3600\n_announce TXT "nodes: upgrade to 2.0"\n';
  await register('herald.cli', alice, message);
  const ann = await mined(['announce', '--message-file', file('announce.txt', message), '--key', alice.wif.regtest,
    '--wait']);
  assert.equal(ann.accepted, true);
  assert.equal(ann.message_hash, hash160(message));
  // bob owns no announcer name: the node refuses it and says why.
  const refused = await btc.whileMining(cli(['announce', '--message-hash', hash160(message), '--key', bob.wif.regtest,
    '--wait']), miner.address.regtest);
  assert.equal(refused.code, EXIT.refused, refused.stderr);
  assert.match(refused.stderr, /sender does not own an announcer name/);
  assert.equal((await cli(['announce', '--key', alice.wif.regtest])).code, 3);
});

test('every failure of lookup has its own message and exit code', async () => {
  // node unreachable
  const down = await run('blockstack', ['--node', `http://127.0.0.1:${await freePort()}`, 'lookup', 'alice.cli']);
  assert.equal(down.code, EXIT.unreachable);
  assert.match(down.stderr, /cannot reach/);
  // unknown
  await lookupFails(['nobody.cli'], EXIT.unknown, /not registered/);
  // zone file missing: only its hash went on chain
  await register('nofile.cli', alice, undefined, ['--zonefile-hash', hash160('never published')]);
  await lookupFails(['nofile.cli'], EXIT.zonefileMissing, /no copy of zone file/);
  // hash mismatch: a mirror that serves an altered copy
  const mirror = http.createServer((req, res) => res.end('$ORIGIN nofile.cli\n$TTL 3600\n')).listen(0, '127.0.0.1');
  await new Promise((r) => mirror.once('listening', r));
  try {
    await lookupFails(['nofile.cli', '--zonefile-source', `http://127.0.0.1:${mirror.address().port}/zf/{hash}`],
      EXIT.hashMismatch, /does not hash to/);
  } finally {
    mirror.close();
  }
  // no profile URL
  await register('nourl.cli', alice, '$ORIGIN nourl.cli\n$TTL 3600\n@ IN TXT "no uri here"\n');
  await lookupFails(['nourl.cli'], EXIT.noProfileUrl, /no URI record/);
  // bad signature: the zone file points at a profile bob signed, but alice owns the name
  const bobProfile = file('bob-profile.json', JSON.stringify({ name: 'not alice' }));
  const bobUrl = (await cliOk(['profile', 'put', bobProfile, '--key', bob.wif.regtest, '--hub', hub.url])).public_url;
  await register('forged.cli', alice, `$ORIGIN forged.cli\n$TTL 3600\n_http._tcp URI 10 1 "${bobUrl}"\n`);
  await lookupFails(['forged.cli'], EXIT.badSignature, /not signed by the owner/);
  // storage unreachable
  const closed = await freePort();
  await register('offline.cli', alice,
    `$ORIGIN offline.cli\n$TTL 3600\n_http._tcp URI 10 1 "http://127.0.0.1:${closed}/hub/x/profile.json"\n`);
  await lookupFails(['offline.cli'], EXIT.storageUnreachable, /cannot reach/);
  // storage answers, but holds no profile
  await register('empty.cli', alice, `$ORIGIN empty.cli\n$TTL 3600\n_http._tcp URI 10 1 "${hub.url}/nobody/profile.json"\n`);
  await lookupFails(['empty.cli'], EXIT.storageMissing, /no profile at/);
  // revoked
  assert.equal((await mined(['name', 'revoke', 'empty.cli', '--key', alice.wif.regtest, '--wait'])).accepted, true);
  await lookupFails(['empty.cli'], EXIT.revoked, /revoked/);
  // an operation the node refuses (a transfer to the owner itself) is reported as such
  const self = await btc.whileMining(cli(['name', 'transfer', 'alice.cli', '--to', alice.address.regtest, '--key',
    alice.wif.regtest, '--wait']), miner.address.regtest);
  assert.equal(self.code, EXIT.refused, self.stderr);
  assert.match(self.stderr, /refused/);
  // updating a revoked name is caught before anything is sent
  const revokedUpdate = await cli(['name', 'update', 'empty.cli', '--key', alice.wif.regtest, '--zonefile-hash',
    hash160('x')]);
  assert.equal(revokedUpdate.code, 4);
  assert.match(revokedUpdate.stderr, /revoked/);
  // expired: a namespace whose names live 5 blocks, past the 5000-block grace period
  assert.ok((await createNamespace(stack, 'brief', 'alice', '5')).every((r) => r.accepted));
  await register('gone.brief', alice, '$ORIGIN gone.brief\n$TTL 3600\n');
  await btc.mine(5030, miner.address.regtest);
  const height = await btc.rpc('getblockcount');
  await waitFor(async () => (await (await fetch(`${api}/v1/info`)).json()).last_block_processed >= height,
    { what: 'the node to pass the grace period', timeoutMs: 120000 });
  await lookupFails(['gone.brief'], EXIT.expired, /expired/);
  // The node answers as the original did.
  const gone = await fetch(`${api}/v1/names/gone.brief`);
  assert.equal(gone.status, 404);
  assert.deepEqual(await gone.json(), { error: 'Name expired' });
  // bad arguments are usage errors, not crashes
  const noName = await cli(['lookup']);
  assert.equal(noName.code, 2);
  const badName = await cli(['lookup', 'No Such Name']);
  assert.equal(badName.code, EXIT.unknown);
});

// An https front for the node (/v1/...) and the hub (everything else), as a real
// deployment puts them behind TLS.
async function startTlsFront({ key, cert }) {
  const server = https.createServer({ key, cert }, (req, res) => {
    const target = new URL(req.url, req.url.startsWith('/v1/') ? api : hub.url);
    const up = http.request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (r) => {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    });
    up.on('error', () => { res.writeHead(502); res.end(); });
    req.pipe(up);
  });
  server.keepAliveTimeout = 1000;
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `https://127.0.0.1:${server.address().port}` };
}

test('the client library, installed with its CMake package, builds a program of its own that resolves a name',
  async () => {
    // cmake --install of the library alone, then examples/lookup built against it
    // as any other project would (find_package(Blockstack)), run against the node.
    const buildDir = path.dirname(binDir);
    const prefix = tempDir('client-install');
    const exampleBuild = tempDir('client-example');
    const step = async (args) => {
      const r = await new Promise((resolve) => {
        execFile('cmake', args, { timeout: 300000 }, (err, stdout, stderr) => resolve({ err, stdout, stderr }));
      });
      assert.equal(r.err, null, `cmake ${args.join(' ')}: ${r.stdout}\n${r.stderr}`);
    };
    await step(['--install', buildDir, '--prefix', prefix, '--component', 'client']);
    assert.ok(existsSync(path.join(prefix, 'lib', 'cmake', 'Blockstack', 'BlockstackConfig.cmake')));
    assert.ok(existsSync(path.join(prefix, 'include', 'blockstack', 'client', 'resolver.h')));
    await step(['-S', path.join(repoRoot, 'examples', 'lookup'), '-B', exampleBuild, `-DCMAKE_PREFIX_PATH=${prefix}`]);
    await step(['--build', exampleBuild]);
    const example = path.join(exampleBuild, 'lookup-example');
    const ok = await run('lookup-example', [api, 'alice.cli', 'hello.txt'], { dir: exampleBuild });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, new RegExp(`^owner ${alice.address.regtest}$`, 'm'));
    assert.match(ok.stdout, /^profile .*"name":"Alice"/m);
    assert.match(ok.stdout, /^hello, world$/m);
    assert.match(ok.stdout, /^verified: profile from .* \(signature checked against /m);
    const missing = await run('lookup-example', [api, 'nobody.cli'], { dir: exampleBuild });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^lookup-example: name_unknown: /);
    assert.ok(existsSync(example));
    rmSync(prefix, { recursive: true, force: true });
  });

test('https: nodes, hubs and profiles over TLS, certificates checked, URI records tried in order', async () => {
  const certs = makeCertificates(dir, { ips: ['127.0.0.1'] });
  const front = await startTlsFront(certs);
  try {
    const over = new URL(aliceProfileUrl).pathname;
    // A zone file whose first records cannot give the profile: a file:// URI, a
    // missing file, a server that is down; the fourth is alice's profile over https.
    const closed = await freePort();
    const zonefile = '$ORIGIN tls.cli\n$TTL 3600\n_file URI 10 1 "file:///home/alice/profile.json"\n' +
      `_https._tcp URI 10 1 "${front.url}/nobody/profile.json"\n` +
      `_https._tcp URI 10 1 "https://127.0.0.1:${closed}/x/profile.json"\n` +
      `_https._tcp URI 10 1 "${front.url}${over}"\n`;
    await register('tls.cli', alice, zonefile);

    // Trusted through --ca-file, and through the environment.
    const withCa = await cliOk(['--ca-file', certs.ca, 'lookup', 'tls.cli']);
    assert.equal(withCa.profile.name, 'Alice');
    assert.equal(withCa.profile_url, `${front.url}${over}`);
    assert.equal(withCa.profile_urls_tried.length, 3);
    assert.match(withCa.profile_urls_tried[0], /skipped file:/);
    assert.match(withCa.profile_urls_tried[1], /no profile at/);
    assert.match(withCa.profile_urls_tried[2], /cannot reach/);
    const human = await cli(['--ca-file', certs.ca, 'lookup', 'tls.cli']);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /not used: no profile at/);
    const viaEnv = await run('blockstack', ['--json', '--node', api, 'lookup', 'tls.cli'],
      { env: { BLOCKSTACK_CA_FILE: certs.ca } });
    assert.equal(viaEnv.code, 0, viaEnv.stderr);

    // The node and the hub themselves over https.
    const at = (node, args) => run('blockstack', ['--network', 'regtest', '--node', node, ...args]);
    const whois = await at(front.url, ['--json', '--ca-file', certs.ca, 'whois', 'tls.cli']);
    assert.equal(whois.code, 0, whois.stderr);
    assert.equal(JSON.parse(whois.stdout).owner, alice.address.regtest);
    await cliOk(['--ca-file', certs.ca, 'gaia', 'put', 'tls.txt', '--hub', front.url, '--key', alice.wif.regtest,
      '--data', 'over tls', '--text', '--sign']);
    const got = await cliOk(['--ca-file', certs.ca, 'gaia', 'get', 'tls.txt', '--hub', front.url, '--key',
      alice.wif.regtest, '--verify']);
    assert.equal(got.content, 'over tls');

    // Without the CA the certificate is refused, and every record was tried.
    const untrusted = await cli(['lookup', 'tls.cli']);
    assert.equal(untrusted.code, EXIT.storageUnreachable, untrusted.stderr);
    assert.match(untrusted.stderr, /certificate verify failed/);
    assert.match(untrusted.stderr, /every URI record was tried/);
    const node = await at(front.url, ['whois', 'tls.cli']);
    assert.equal(node.code, EXIT.unreachable);
    assert.match(node.stderr, /TLS handshake/);
    // A certificate that does not name the host is refused even from a trusted CA.
    const wrongHost = await at(front.url.replace('127.0.0.1', 'localhost'), ['--ca-file', certs.ca, 'whois', 'tls.cli']);
    assert.equal(wrongHost.code, EXIT.unreachable);
    assert.match(wrongHost.stderr, /TLS handshake/);
    // A CA file that is not there is a usage error.
    const noFile = await cli(['--ca-file', path.join(dir, 'absent.pem'), 'whois', 'tls.cli']);
    assert.equal(noFile.code, 2);
  } finally {
    front.server.closeAllConnections();
    front.server.close();
  }
});
