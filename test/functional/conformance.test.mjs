// The original node's own REST conformance scenario (rest_api_names.py in
// ../shared/reference/original), run against blockstackd on bcoin regtest: the
// same operations (namespace "test" revealed by one key and readied by another,
// foo.test registered to a third owner with a zone file that creates
// hello.foo.test), then every route of the scenario with the status and, where the
// scenario gives one, the body it expects. Then the other answers in which the
// original's last release differs from our spec: each is checked here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';

import { base58checkDecode, base58checkEncode, hash160, run, startStack, tempDir, waitFor } from './harness.mjs';

let stack;
let dir;
const fx = {};

function file(name, text) {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

before(async () => {
  dir = tempDir('conformance-test');
  stack = await startStack(dir, ['w0', 'w1', 'w2', 'w3']);
  const { w0, w1, w2, w3 } = stack.keys;
  const key = (w) => ['--key', w.wif.regtest, '--wait'];

  // The scenario's zone files: hello.foo.test's (with the scenario's odd $ORIGIN)
  // inside a subdomain record in foo.test's.
  const url = '_https._tcp URI 10 1 "https://raw.githubusercontent.com/nobody/content/profile.md"';
  const helloZone = `$ORIGIN bar.foo.test\n$TTL 3600\n${url}`;
  const sub = await stack.cli(['zonefile', 'subdomain', 'hello.foo.test', '--owner', w3.address.regtest,
    '--zonefile', file('hello.zone', helloZone), '--key', w3.wif.regtest]);
  const fooZone = `$ORIGIN foo.test\n$TTL 3600\n${sub.txt}`;
  fx.helloHash = hash160(helloZone);
  fx.fooHash = hash160(fooZone);

  await stack.mined(['namespace', 'preorder', 'test', '--reveal-address', w1.address.regtest, ...key(w0)]);
  await stack.mined(['namespace', 'reveal', 'test', '--lifetime', '52595', '--coeff', '250', '--base', '4',
    '--buckets', '6,5,4,3,2,1,0,0,0,0,0,0,0,0,0,0', '--nonalpha-discount', '10', '--no-vowel-discount', '10',
    '--reveal-address', w1.address.regtest, ...key(w0)]);
  await stack.mined(['namespace', 'ready', 'test', ...key(w1)]);
  const reg = await stack.mined(['name', 'register', 'foo.test', '--owner', w3.address.regtest, '--zonefile',
    file('foo.zone', fooZone), '--key', w2.wif.regtest]);
  assert.equal(reg.zonefile_published, true);
  await waitFor(async () => (await fetch(`${stack.api}/v1/names/hello.foo.test`)).status === 200,
    { what: 'hello.foo.test on the node', timeoutMs: 30000 });
  // The consensus hash once the node has every block mined so far.
  const tip = await stack.bcoin.rpc('getblockcount');
  await waitFor(async () => (await (await fetch(`${stack.api}/v1/info`)).json()).last_block_processed >= tip,
    { what: 'the node at the tip' });
  fx.consensus = (await (await fetch(`${stack.api}/v1/blockchains/bitcoin/consensus`)).json()).consensus_hash;
});

after(async () => {
  fx.registrar?.close();
  if (stack) await stack.stop();
});

// The scenario's fixtures: [route, status, body?].
function fixtures() {
  const { w0, w3 } = stack.keys;
  const price = (satoshis) => ({ satoshis, units: 'BTC', amount: String(satoshis) });
  return [
    ['/v1/names', 400],
    ['/v1/names?page=0', 200, ['foo.test']],
    ['/v1/names?page=1', 200, []],
    ['/v1/subdomains', 400],
    ['/v1/subdomains?page=0', 200, ['hello.foo.test']],
    ['/v1/subdomains?page=1', 200, []],
    ['/v1/names/foo.test', 200],
    ['/v1/names/hello.foo.test', 200],
    ['/v1/names/invalid', 400],
    ['/v1/names/not.found', 404],
    ['/v1/names/foo.test/history', 200],
    ['/v1/names/foo.test/history?page=0', 200],
    ['/v1/names/foo.test/history?page=1', 404],
    ['/v1/names/hello.foo.test/history', 200],
    ['/v1/names/hello.foo.test/history?page=0', 200],
    ['/v1/names/hello.foo.test/history?page=1', 404],
    ['/v1/names/not.found/history?page=0', 404],
    ['/v1/names/notfound.foo.test/history?page=0', 404],
    ['/v1/names/foo.test/zonefile', 200],
    ['/v1/names/hello.foo.test/zonefile', 200],
    ['/v1/names/not.found/zonefile', 404],
    ['/v1/names/notfound.foo.test/zonefile', 404],
    [`/v1/names/foo.test/zonefile/${fx.fooHash}`, 200],
    ['/v1/names/foo.test/zonefile/0000000000000000000000000000000000000000', 404],
    [`/v1/names/foo.test/zonefile/${fx.helloHash}`, 404],
    [`/v1/names/hello.foo.test/zonefile/${fx.helloHash}`, 200],
    [`/v1/names/hello.foo.test/zonefile/${fx.fooHash}`, 404],
    [`/v1/names/not.found/zonefile/${fx.fooHash}`, 404],
    [`/v1/names/notfound.foo.test/zonefile/${fx.helloHash}`, 404],
    [`/v1/addresses/bitcoin/${w3.address.regtest}`, 200, { names: ['foo.test', 'hello.foo.test'] }],
    [`/v1/addresses/bitcoin/${w0.address.regtest}`, 200, { names: [] }],
    ['/v1/prices/namespaces/id', 200, price(400000000)],
    ['/v1/prices/namespaces/ID', 400],
    ['/v1/prices/namespaces/asdfasdfasdfasdfasdf', 400],
    ['/v1/prices/names/foo.test', 200, { name_price: price(640000) }],
    ['/v1/prices/names/hello.foo.test', 400],
    ['/v1/prices/names/asdfasdfasdfasdfasdfasdfasdfasdfa.test', 400],
    ['/v1/blockchains/bitcoin/consensus', 200, { consensus_hash: fx.consensus }],
    ['/v1/blockchains/bitcoin/name_count', 200, { names_count: 1 }],
    ['/v1/blockchains/bitcoin/name_count?all=1', 200, { names_count: 1 }],
    ['/v1/blockchains/bitcoin/subdomains_count', 200, { names_count: 1 }],
    ['/v1/namespaces', 200, ['test']],
    ['/v1/namespaces/test/names?page=0', 200, ['foo.test']],
    ['/v1/namespaces/test/names?page=1', 200, []],
    ['/v1/namespaces/test/names', 400],
  ];
}

test('the original REST conformance scenario: every route, status and body', async () => {
  const errors = [];
  for (const [route, status, body] of fixtures()) {
    const res = await fetch(`${stack.api}${route}`, { redirect: 'manual' });
    const text = await res.text();
    let json;
    try { json = JSON.parse(text); } catch { json = undefined; }
    if (res.status !== status) errors.push(`${route}: status ${res.status} (expected ${status}) body ${text}`);
    if (body !== undefined) {
      try {
        assert.deepStrictEqual(json, body);
      } catch {
        errors.push(`${route}: body ${text} (expected ${JSON.stringify(body)})`);
      }
    }
    // An error is JSON with an "error" key, as the original answered; an unknown
    // name is the original's {"status": "available"}.
    const available = /^\/v1\/names\/[^/?]+$/.test(route) && res.status === 404 && json?.status === 'available';
    if (res.status >= 400 && !available && !(json && typeof json.error === 'string')) {
      errors.push(`${route}: error body ${text}`);
    }
  }
  assert.deepEqual(errors, []);
});

test('the other answers of the original last release', async () => {
  const api = stack.api;
  // An unknown route is a JSON 404.
  const unknown = await fetch(`${api}/v1/no/such/route`);
  assert.equal(unknown.status, 404);
  assert.deepEqual(await unknown.json(), { error: 'No such endpoint' });
  // /v1/namespaces with the original's offset and count.
  assert.deepEqual(await (await fetch(`${api}/v1/namespaces?offset=0&count=10`)).json(), ['test']);
  assert.deepEqual(await (await fetch(`${api}/v1/namespaces?offset=1`)).json(), []);
  assert.equal((await fetch(`${api}/v1/namespaces?count=many`)).status, 400);
  // A subdomain's history and zone files as a name's.
  const history = await (await fetch(`${api}/v1/names/hello.foo.test/history?page=0`)).json();
  const entries = Object.values(history).flat();
  assert.equal(entries.length, 1);
  assert.equal(entries[0].value_hash, fx.helloHash);
  const byHash = await (await fetch(`${api}/v1/names/hello.foo.test/zonefile/${fx.helloHash}`)).json();
  assert.equal(byHash.zonefile.startsWith('$ORIGIN bar.foo.test'), true);
  // zonefile_count is the inventory's length, as the original's; ours beside it.
  const info = await (await fetch(`${api}/v1/info`)).json();
  assert.equal(info.zonefile_count, 1);
  assert.equal(info.zonefiles_present, 1);
  assert.equal(info.zonefiles_missing, 0);
  assert.equal(info.zonefiles_stored, 1);
  // CORS preflight with the original's headers.
  const pre = await fetch(`${api}/v1/names/foo.test`, { method: 'OPTIONS' });
  assert.equal(pre.status, 200);
  assert.equal(pre.headers.get('access-control-expose-headers'), 'content-length, content-range');
  assert.equal(pre.headers.get('access-control-allow-origin'), '*');
  // A zone file is only read from a JSON body.
  const form = await fetch(`${api}/v1/zonefile`, { method: 'POST', headers: { 'content-type': 'text/plain' },
    body: JSON.stringify({ zonefile: '$ORIGIN foo.test\n' }) });
  assert.equal(form.status, 400);
  assert.match((await form.json()).error, /application\/json/);
});

test('a transaction and the subdomain records it carried', async () => {
  const api = stack.api;
  const txid = (await (await fetch(`${api}/v1/names/foo.test`)).json()).last_txid;
  const tx = await (await fetch(`${api}/v1/blockchains/bitcoin/transactions/${txid}`)).json();
  assert.equal(tx.status, true);
  assert.equal(tx.tx.status, 'accepted');
  assert.equal(tx.tx.op, 'NAME_REGISTRATION');
  assert.ok(tx.tx.block_height > 0 && tx.tx.block_height <= tx.lastblock);
  assert.equal(typeof tx.tx.vtxindex, 'number');
  // A transaction that is not a name operation (the block's coinbase), and one
  // the Bitcoin node has never seen, were ignored.
  const block = await stack.bcoin.rpc('getblock', [await stack.bcoin.rpc('getblockhash', [tx.tx.block_height])]);
  const coinbase = await (await fetch(`${api}/v1/blockchains/bitcoin/transactions/${block.tx[0]}`)).json();
  assert.deepEqual(coinbase.tx, { status: 'ignored' });
  const unknown = await (await fetch(`${api}/v1/blockchains/bitcoin/transactions/${'ab'.repeat(32)}`)).json();
  assert.deepEqual(unknown.tx, { status: 'ignored' });
  assert.equal((await fetch(`${api}/v1/blockchains/bitcoin/transactions/xyz`)).status, 400);

  const subs = await (await fetch(`${api}/v1/subdomains/${txid}`)).json();
  assert.equal(subs.length, 1);
  assert.equal(subs[0].fully_qualified_subdomain, 'hello.foo.test');
  assert.equal(subs[0].accepted, 1);
  assert.equal(subs[0].domain, 'foo.test');
  assert.equal(subs[0].owner, stack.keys.w3.address.regtest);
  assert.equal(subs[0].parent_zonefile_hash, fx.fooHash);
  assert.equal(subs[0].zonefile_hash, fx.helloHash);
  assert.equal(subs[0].zonefile_offset, 0);
  assert.equal(subs[0].sequence, 0);
  assert.equal(subs[0].txid, txid);
  assert.equal(subs[0].missing, '');
  assert.equal(typeof subs[0].signature, 'string');
  assert.deepEqual(await (await fetch(`${api}/v1/subdomains/${block.tx[0]}`)).json(), []);
  assert.equal((await fetch(`${api}/v1/subdomains/nothex`)).status, 400);
});

test('a subdomain this node does not know is sent to its domain\'s registrar, never into a loop', async () => {
  const api = stack.api;
  // Domains whose zone files name a registrar: a real one (a stand-in that knows
  // one pending subdomain), this node itself, and one that is not http(s).
  fx.registrar = http.createServer((req, res) => {
    const known = req.url === '/v1/names/zap.reg.test';
    res.writeHead(known ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(known ? { status: 'submitted', zonefile: 'hello world', address: stack.keys.w3.address.regtest }
      : { status: 'available' }));
  });
  await new Promise((r) => fx.registrar.listen(0, '127.0.0.1', r));
  const registrarUrl = `http://127.0.0.1:${fx.registrar.address().port}`;
  for (const [name, resolver] of [['reg.test', `${registrarUrl}/`], ['loop.test', stack.api],
    ['odd.test', 'ftp://registrar.example']]) {
    const zone = `$ORIGIN ${name}\n$TTL 3600\n_resolver IN URI 10 1 "${resolver}"\n`;
    const done = await stack.mined(['name', 'register', name, '--zonefile', file(`${name}.zone`, zone), '--key',
      stack.keys.w2.wif.regtest]);
    assert.equal(done.zonefile_published, true);
  }
  const moved = await fetch(`${api}/v1/names/zap.reg.test`, { redirect: 'manual' });
  assert.equal(moved.status, 301);
  assert.equal(moved.headers.get('location'), `${registrarUrl}/v1/names/zap.reg.test`);
  // A client that follows it gets the registrar's answer, as the original's test did.
  const followed = await fetch(`${api}/v1/names/zap.reg.test`);
  assert.equal(followed.status, 200);
  assert.equal((await followed.json()).zonefile, 'hello world');
  // The domain's own record carries the registrar.
  assert.equal((await (await fetch(`${api}/v1/names/reg.test`)).json()).resolver, `${registrarUrl}/`);
  // A registrar that is this node, or not http(s), is not redirected to.
  for (const name of ['zap.loop.test', 'zap.odd.test', 'zap.nothere.test']) {
    const res = await fetch(`${api}/v1/names/${name}`, { redirect: 'manual' });
    assert.equal(res.status, 404, name);
    assert.deepEqual(await res.json(), { status: 'available' });
  }
});

test('/v1/users and /v1/dids resolve profiles; hostile storage is bounded and the node keeps serving', async () => {
  const { w0, w1, w3 } = stack.keys;
  const api = stack.api;
  // prof.test: owned by w0 (its first name), its signed profile on the hub.
  const profile = file('prof.json', JSON.stringify({ '@type': 'Person', name: 'Prof' }));
  await stack.cli(['profile', 'put', profile, '--key', w0.wif.regtest, '--hub', stack.hub.url]);
  const zone = (await stack.cli(['zonefile', 'make', 'prof.test', '--hub', stack.hub.url, '--key', w0.wif.regtest]))
    .zonefile;
  await stack.mined(['name', 'register', 'prof.test', '--zonefile', file('prof.zone', zone), '--key', w0.wif.regtest]);
  const users = await fetch(`${api}/v1/users/prof.test`);
  assert.equal(users.status, 200);
  const user = (await users.json())['prof.test'];
  assert.equal(user.owner_address, w0.address.regtest);
  assert.equal(user.profile.name, 'Prof');
  assert.equal(user.public_key, w0.public_key);
  assert.equal(user.zone_file.$origin, 'prof.test');
  assert.deepEqual(user.verifications, []);
  const did = `did:stack:v0:${w0.address.regtest}-0`;
  const doc = await (await fetch(`${api}/v1/dids/${did}`)).json();
  assert.equal(doc.public_key, w0.public_key);
  assert.equal(doc.document['@context'], 'https://w3id.org/did/v1');
  assert.deepEqual(doc.document.publicKey, [{ id: did, publicKeyHex: w0.public_key, type: 'secp256k1' }]);
  assert.equal(doc.document.name, 'Prof');
  assert.equal(doc.name, 'prof.test');
  // The CLI resolves a DID end to end: the name it names, verified as any name.
  const byDid = await stack.cli(['lookup', did]);
  assert.equal(byDid.name, 'prof.test');
  assert.equal(byDid.did, did);
  assert.equal(byDid.profile.name, 'Prof');
  // Name records carry their DIDs: the creator (the first owner) and its count.
  const subDid = (w, n) => `did:stack:v0:${base58checkEncode(Buffer.concat([Buffer.from([63]),
    base58checkDecode(w.address.regtest).subarray(1)]))}-${n}`;
  assert.equal((await (await fetch(`${api}/v1/names/prof.test`)).json()).did, did);
  assert.equal((await (await fetch(`${api}/v1/names/foo.test`)).json()).did, `did:stack:v0:${w3.address.regtest}-0`);
  assert.equal((await (await fetch(`${api}/v1/names/hello.foo.test`)).json()).did, subDid(w3, 0));
  const full = await (await fetch(`${api}/v1/blockchains/bitcoin/names/hello.foo.test`)).json();
  assert.equal(full.did, subDid(w3, 0));
  assert.equal(full.value_hash, fx.helloHash);
  assert.equal(Buffer.from(full.zonefile, 'base64').toString().startsWith('$ORIGIN bar.foo.test'), true);
  // A subdomain's DID resolves to its profile: alice.prof.test is w3's second.
  const w3Url = (await stack.cli(['profile', 'put', file('alice.json', JSON.stringify({ name: 'Alice' })),
    '--key', w3.wif.regtest, '--hub', stack.hub.url])).public_url;
  const aliceZone = `$ORIGIN alice.prof.test\n$TTL 3600\n_http._tcp URI 10 1 "${w3Url}"\n`;
  const aliceTxt = (await stack.cli(['zonefile', 'subdomain', 'alice.prof.test', '--owner', w3.address.regtest,
    '--zonefile', file('alice.zone', aliceZone), '--key', w3.wif.regtest])).txt;
  await stack.mined(['name', 'update', 'prof.test', '--zonefile', file('prof2.zone', `${zone.trimEnd()}\n${aliceTxt}\n`),
    '--key', w0.wif.regtest, '--wait']);
  await waitFor(async () => (await fetch(`${api}/v1/names/alice.prof.test`)).status === 200,
    { what: 'alice.prof.test on the node', timeoutMs: 30000 });
  assert.equal((await (await fetch(`${api}/v1/names/alice.prof.test`)).json()).did, subDid(w3, 1));
  const aliceDoc = await (await fetch(`${api}/v1/dids/${subDid(w3, 1)}`)).json();
  assert.equal(aliceDoc.name, 'alice.prof.test');
  assert.equal(aliceDoc.public_key, w3.public_key);
  assert.equal(aliceDoc.document.name, 'Alice');
  assert.deepEqual(aliceDoc.document.publicKey, [{ id: subDid(w3, 1), publicKeyHex: w3.public_key, type: 'secp256k1' }]);
  const aliceByDid = await stack.cli(['lookup', subDid(w3, 1)]);
  assert.equal(aliceByDid.name, 'alice.prof.test');
  assert.equal(aliceByDid.profile.name, 'Alice');
  const noSub = await fetch(`${api}/v1/dids/${subDid(w3, 2)}`);
  assert.equal(noSub.status, 404);
  assert.match((await noSub.json()).error, /^Failed to get DID record: Failed to load subdomain/);
  const noDid = await run('blockstack', ['--node', api, 'lookup', `did:stack:v0:${w0.address.regtest}-7`]);
  assert.equal(noDid.code, 10, noDid.stderr);
  assert.match(noDid.stderr, /non-revoked name/);
  // Malformed DIDs, and an index past the address's names.
  for (const bad of ['did:stack:v0:nope-0', 'did:stack:v1:x-0', `did:stack:v0:${w0.address.regtest}`,
    `did:stack:v0:${w0.address.regtest}-x`]) {
    const res = await fetch(`${api}/v1/dids/${bad}`);
    assert.equal(res.status, 400, bad);
    assert.deepEqual(await res.json(), { error: 'Invalid DID' });
  }
  const past = await fetch(`${api}/v1/dids/did:stack:v0:${w0.address.regtest}-1`);
  assert.equal(past.status, 404);
  assert.match((await past.json()).error, /non-revoked name/);
  const unknown = await fetch(`${api}/v1/users/nobody.test`);
  assert.equal(unknown.status, 404);
  assert.ok((await unknown.json())['nobody.test'].error);

  // bad.test: every URI record is hostile: a server that drips, one that sends
  // 2 MB, an unsigned profile, a profile signed by another key.
  const other = file('other.json', JSON.stringify({ name: 'not w1' }));
  const wrongUrl = (await stack.cli(['profile', 'put', other, '--key', w3.wif.regtest, '--hub', stack.hub.url]))
    .public_url;
  const hostile = http.createServer((req, res) => {
    if (req.url === '/drip') {
      res.writeHead(200, { 'content-length': '100000' });
      const timer = setInterval(() => res.write('x'), 200);
      res.on('close', () => clearInterval(timer));
    } else if (req.url === '/huge') {
      res.end('x'.repeat(2 * 1024 * 1024));
    } else {
      res.end(JSON.stringify([{ name: 'unsigned' }]));
    }
  });
  await new Promise((r) => hostile.listen(0, '127.0.0.1', r));
  try {
    const base = `http://127.0.0.1:${hostile.address().port}`;
    const badZone = '$ORIGIN bad.test\n$TTL 3600\n' + ['/drip', '/huge', '/unsigned'].map((p) =>
      `_http._tcp URI 10 1 "${base}${p}"\n`).join('') + `_http._tcp URI 10 1 "${wrongUrl}"\n`;
    await stack.mined(['name', 'register', 'bad.test', '--zonefile', file('bad.zone', badZone), '--key',
      w1.wif.regtest]);
    const started = Date.now();
    const pending = fetch(`${api}/v1/users/bad.test`);
    // Meanwhile the node answers as usual.
    const info = await fetch(`${api}/v1/info`);
    assert.equal(info.status, 200);
    assert.ok(Date.now() - started < 1000, 'the node answered while fetching');
    const bad = await pending;
    const seconds = (Date.now() - started) / 1000;
    assert.equal(bad.status, 404);
    assert.match((await bad.json())['bad.test'].error, /not signed by the owner/);
    assert.ok(seconds < 15, `hostile profiles took ${seconds} s`);
    const badDid = await fetch(`${api}/v1/dids/did:stack:v0:${w1.address.regtest}-0`);
    assert.equal(badDid.status, 404);
  } finally {
    hostile.closeAllConnections();
    hostile.close();
  }
});
