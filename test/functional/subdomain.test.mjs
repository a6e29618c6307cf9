// Subdomains end to end: a domain registered on bcoin regtest carries subdomain
// records in its zone file (made with the blockstack CLI); blockstackd answers for
// them, the real blockstack.js v21 client and our CLI resolve their profiles from
// gaia-hub, a signed update in a later zone file transfers one, and a second node
// that only learns the zone files through Atlas reaches the same state.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import {
  binDir, createNamespace, freePort, hash160, loadBlockstackJs, run, startProcess, startStack, stopProcess, tempDir,
  waitFor,
} from './harness.mjs';

const bsk = loadBlockstackJs();

let stack;
let dir;
let node2;

function file(name, text) {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

async function getJson(base, route) {
  const res = await fetch(`${base}${route}`);
  return { status: res.status, body: await res.json() };
}

// The TXT record for a subdomain, made by the CLI.
async function txt(fqn, owner, zonefileText, extra = []) {
  const out = await stack.cli(['zonefile', 'subdomain', fqn, '--owner', owner, '--zonefile',
    file(`${fqn}.${extra.length}.zone`, zonefileText), ...extra]);
  assert.equal(out.zonefile_hash, hash160(zonefileText));
  return out.txt;
}

before(async () => {
  dir = tempDir('subdomain-test');
  stack = await startStack(dir, ['alice', 'bob', 'carol']);
  await createNamespace(stack, 'sub');
});

after(async () => {
  if (node2) await stopProcess(node2);
  if (stack) await stack.stop();
});

test('subdomains resolve through the node, blockstack.js and the CLI, and move with signed updates', async () => {
  const { alice, bob, carol } = stack.keys;
  const { api, hub } = stack;

  // bob's signed profile on the hub, and his subdomain's zone file pointing at it
  const profile = file('bob-profile.json', JSON.stringify(await stack.cli(['profile', 'make', '--name', 'Bob'])));
  await stack.cli(['profile', 'put', profile, '--key', bob.wif.regtest, '--hub', hub.url]);
  const bobZone = (await stack.cli(['zonefile', 'make', 'bob.corp.sub', '--hub', hub.url, '--key', bob.wif.regtest]))
    .zonefile;
  const carolZone = (await stack.cli(['zonefile', 'make', 'carol.corp.sub', '--url', 'https://example.org/c.json']))
    .zonefile;

  // corp.sub's zone file creates both (sequence 0: no signature needed)
  const domainZone = `${(await stack.cli(['zonefile', 'make', 'corp.sub', '--url', 'https://example.org/corp.json']))
    .zonefile}_resolver\tIN\tURI\t10\t1\t"https://registrar.example.org"\n`;
  const zone1 = `${domainZone}${await txt('bob.corp.sub', bob.address.mainnet, bobZone)}\n` +
    `${await txt('carol.corp.sub', carol.address.mainnet, carolZone)}\n`;
  const reg = await stack.mined(['name', 'register', 'corp.sub', '--key', alice.wif.regtest, '--zonefile',
    file('corp1.zone', zone1)]);
  assert.equal(reg.zonefile_published, true);

  const info = await waitFor(async () => {
    const r = await getJson(api, '/v1/names/bob.corp.sub');
    return r.status === 200 ? r.body : null;
  }, { what: 'bob.corp.sub on the node', timeoutMs: 30000 });
  assert.equal(info.status, 'registered_subdomain');
  assert.equal(info.address, bob.address.mainnet);
  assert.equal(info.zonefile, bobZone);
  assert.equal(info.zonefile_hash, hash160(bobZone));
  assert.equal(info.domain, 'corp.sub');
  assert.equal(info.resolver, 'https://registrar.example.org');
  assert.equal(info.blockchain, 'bitcoin');
  assert.match(info.last_txid, /^[0-9a-f]{64}$/);
  assert.deepEqual((await getJson(api, '/v1/names/bob.corp.sub/zonefile')).body, { zonefile: bobZone });
  assert.deepEqual((await getJson(api, `/v1/addresses/bitcoin/${bob.address.mainnet}`)).body.names, ['bob.corp.sub']);
  // A subdomain the node does not know is sent to its domain's registrar, as the
  // original did; one of a domain without a registrar is available.
  const unknown = await fetch(`${api}/v1/names/nobody.corp.sub`, { redirect: 'manual' });
  assert.equal(unknown.status, 301);
  assert.equal(unknown.headers.get('location'), 'https://registrar.example.org/v1/names/nobody.corp.sub');
  assert.equal((await getJson(api, '/v1/names/a.b.corp.sub')).status, 400);

  // the real client: name -> zone file -> profile token on the hub, verified against bob's address
  const jsProfile = await bsk.lookupProfile('bob.corp.sub', `${api}/v1/names`);
  assert.equal(jsProfile.name, 'Bob');
  // our CLI: the same, with every step checked
  const found = await stack.cli(['lookup', 'bob.corp.sub']);
  assert.equal(found.owner, bob.address.mainnet);
  assert.equal(found.zonefile, bobZone);
  assert.equal(found.profile.name, 'Bob');
  assert.equal(found.verified, true);
  const who = await stack.cli(['whois', 'bob.corp.sub']);
  assert.equal(who.status, 'registered_subdomain');
  assert.equal(who.owner, bob.address.mainnet);
  assert.equal(who.zonefile_hash, hash160(bobZone));

  // the CLI refuses what the rules would reject anyway
  const unsigned = await run('blockstack', ['zonefile', 'subdomain', 'bob.corp.sub', '--owner', carol.address.mainnet,
    '--seqn', '1', '--zonefile', file('x.zone', bobZone)]);
  assert.equal(unsigned.code, 3);
  assert.match(unsigned.stderr, /must be signed/);
  const foreign = await run('blockstack', ['zonefile', 'subdomain', 'eve.corp.sub', '--owner', carol.address.mainnet,
    '--domain', 'other.sub', '--zonefile', file('y.zone', bobZone)]);
  assert.equal(foreign.code, 3);
  assert.match(foreign.stderr, /only the subdomain's own domain/);

  // a later zone file of corp.sub: bob gives bob.corp.sub to carol (signed by bob); a
  // second record for carol.corp.sub signed by the wrong key is ignored
  const zone2 = `${domainZone}${await txt('bob.corp.sub', carol.address.mainnet, bobZone,
    ['--seqn', '1', '--key', bob.wif.regtest])}\n` +
    `${await txt('carol.corp.sub', alice.address.mainnet, carolZone, ['--seqn', '1', '--key', alice.wif.regtest])}\n`;
  const upd = await stack.mined(['name', 'update', 'corp.sub', '--key', alice.wif.regtest, '--zonefile',
    file('corp2.zone', zone2), '--wait']);
  assert.equal(upd.accepted, true);
  await waitFor(async () => (await getJson(api, '/v1/names/bob.corp.sub')).body.address === carol.address.mainnet,
    { what: 'the transfer of bob.corp.sub', timeoutMs: 30000 });
  assert.equal((await getJson(api, '/v1/names/bob.corp.sub')).body.sequence, 1);
  const history = (await getJson(api, '/v1/names/bob.corp.sub/history')).body;
  const steps = Object.values(history).flat().sort((a, b) => a.sequence - b.sequence);
  assert.deepEqual(steps.map((h) => [h.sequence, h.address]), [[0, bob.address.mainnet], [1, carol.address.mainnet]]);
  assert.equal(Buffer.from(steps[1].zonefile, 'base64').toString(), bobZone);
  assert.equal(steps[1].value_hash, hash160(bobZone));
  assert.equal((await getJson(api, '/v1/names/nobody.corp.sub/history')).status, 404);
  const carolInfo = (await getJson(api, '/v1/names/carol.corp.sub')).body;
  assert.equal(carolInfo.address, carol.address.mainnet);
  assert.equal(carolInfo.sequence, 0);
  assert.deepEqual((await getJson(api, `/v1/addresses/bitcoin/${carol.address.mainnet}`)).body.names,
    ['bob.corp.sub', 'carol.corp.sub']);
  assert.deepEqual((await getJson(api, `/v1/addresses/bitcoin/${bob.address.mainnet}`)).body.names, []);
  // every subdomain, paged, and their count, on both nodes below
  const listing = async (base) => [(await getJson(base, '/v1/subdomains?page=0')).body,
    (await getJson(base, '/v1/blockchains/bitcoin/subdomains_count')).body];
  assert.deepEqual(await listing(api), [['bob.corp.sub', 'carol.corp.sub'], { names_count: 2 }]);
  assert.deepEqual((await getJson(api, '/v1/subdomains?page=1')).body, []);
  assert.equal((await getJson(api, '/v1/subdomains')).status, 400);
  // bob's profile no longer verifies: carol owns the name now
  const moved = await run('blockstack', ['--node', api, 'lookup', 'bob.corp.sub']);
  assert.equal(moved.code, 16, moved.stderr);
  const level = bsk.config.logLevel;
  bsk.config.logLevel = 'none';  // the client logs the refusal it is expected to make
  await assert.rejects(bsk.lookupProfile('bob.corp.sub', `${api}/v1/names`), /does not match/);
  bsk.config.logLevel = level;

  // a node that learns the zone files only from its Atlas peer reaches the same state
  const port2 = await freePort();
  const api2 = `http://127.0.0.1:${port2}`;
  node2 = startProcess(path.join(binDir, 'blockstackd'), ['--network', 'regtest', '--bitcoind', stack.bcoin.url,
    '--first-block', '100', '--poll-seconds', '0.1', '--data-dir', path.join(dir, 'node2'),
    '--api', `127.0.0.1:${port2}`, '--atlas-peers', `127.0.0.1:${stack.apiPort}`]);
  await waitFor(async () => {
    try {
      return (await getJson(api2, '/v1/names/bob.corp.sub')).body.address === carol.address.mainnet;
    } catch { return false; }
  }, { what: 'the second node to resolve bob.corp.sub', timeoutMs: 60000 });
  for (const fqn of ['bob.corp.sub', 'carol.corp.sub']) {
    assert.deepEqual((await getJson(api2, `/v1/names/${fqn}`)).body, (await getJson(api, `/v1/names/${fqn}`)).body);
  }
  assert.deepEqual(await listing(api2), await listing(api));
});
