// Verifiable lookups end to end (doc/proofs.md): names registered, updated and
// transferred on bcoin regtest; `blockstack lookup --verify` against a consensus
// hash the user trusts, with a second node as the peer that confirms the state
// root. Then a lying node (an HTTP server rewriting a real node's answers) and a
// lying storage server: every lie is caught, exit 20 (or the lookup's own code
// for storage) with the failing step named.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import {
  binDir, createNamespace, freePort, hash160, jsSubdomainVerifier, rewritingProxy, run, startProcess, startStack,
  stopProcess, tempDir, waitFor,
} from './harness.mjs';
import { makeVerifier, VerifyError } from '../../web/proofs/verify.mjs';

const hashWith = (algorithm) => (bytes) => new Uint8Array(createHash(algorithm).update(bytes).digest());
const jsVerifier = makeVerifier({ sha256: hashWith('sha256'), ripemd160: hashWith('ripemd160') });
const jsSubdomains = await jsSubdomainVerifier();

const EXIT_NOT_VERIFIED = 20;

let stack;
let dir;
let peer;
let nodeLiar;
let hubLiar;

const getJson = async (url) => (await fetch(url)).json();

async function lookup(node, name, args = []) {
  const r = await run('blockstack', ['--network', 'regtest', '--node', node, '--json', 'lookup', name, ...args]);
  return { code: r.code, stderr: r.stderr, out: r.stdout ? JSON.parse(r.stdout) : null };
}

before(async () => {
  dir = tempDir('proofs-test');
  stack = await startStack(dir, ['alice', 'bob']);
  hubLiar = await rewritingProxy(stack.hub.url);
  // A second node on the same Bitcoin node: the peer that confirms roots.
  const port = await freePort();
  peer = { url: `http://127.0.0.1:${port}` };
  peer.child = startProcess(path.join(binDir, 'blockstackd'), ['--network', 'regtest', '--bitcoind', stack.bcoin.url,
    '--first-block', '100', '--poll-seconds', '0.1', '--data-dir', path.join(dir, 'peer'),
    '--api', `127.0.0.1:${port}`, '--atlas-peers', `127.0.0.1:${stack.apiPort}`]);
  nodeLiar = await rewritingProxy(stack.api);
});

after(async () => {
  if (nodeLiar) await nodeLiar.close();
  if (hubLiar) await hubLiar.close();
  if (peer?.child) await stopProcess(peer.child);
  if (stack) await stack.stop();
});

// Both nodes at the same block; its consensus hash (what a user would trust).
async function settled() {
  let info;
  await waitFor(async () => {
    info = await getJson(`${stack.api}/v1/info`);
    const theirs = await getJson(`${peer.url}/v1/info`);
    return theirs.last_block_processed === info.last_block_processed;
  }, { what: 'the peer to reach the node', timeoutMs: 30000 });
  return info;
}

test('lookups verify against a trusted hash, and every lie is caught with its step', async () => {
  const { alice, bob } = stack.keys;
  const key = (who) => stack.keys[who].wif.regtest;
  await createNamespace(stack, 'pf');

  // alice.pf: a profile and a signed file on the hub, read through hubLiar.
  const profileFile = path.join(dir, 'profile.json');
  writeFileSync(profileFile, JSON.stringify(await stack.cli(['profile', 'make', '--name', 'Alice'])));
  const put = await stack.cli(['profile', 'put', profileFile, '--key', key('alice'), '--hub', stack.hub.url]);
  await stack.cli(['gaia', 'put', 'hello.txt', '--hub', stack.hub.url, '--key', key('alice'), '--data', 'hello',
    '--text', '--sign']);
  const viaLiar = put.public_url.replace(stack.hub.url, hubLiar.url);
  const zone = (await stack.cli(['zonefile', 'make', 'alice.pf', '--url', viaLiar])).zonefile;
  writeFileSync(path.join(dir, 'alice.zone'), zone);
  await stack.mined(['name', 'register', 'alice.pf', '--key', key('alice'), '--zonefile', path.join(dir, 'alice.zone')]);
  const zoneBob = (await stack.cli(['zonefile', 'make', 'bob.pf', '--url', viaLiar])).zonefile;
  writeFileSync(path.join(dir, 'bob.zone'), zoneBob);
  await stack.mined(['name', 'register', 'bob.pf', '--key', key('bob'), '--zonefile', path.join(dir, 'bob.zone')]);
  const before = await settled();
  const staleState = await (await fetch(`${stack.api}/v1/proofs/state/alice.pf`)).text();
  const staleName = await (await fetch(`${stack.api}/v1/names/alice.pf`)).text();

  // alice.pf is updated (same zone file text with another TTL) and bob.pf transferred.
  const zone2 = zone.replace('$TTL 3600', '$TTL 7200');
  assert.notEqual(zone2, zone);
  writeFileSync(path.join(dir, 'alice2.zone'), zone2);
  await stack.mined(['name', 'update', 'alice.pf', '--key', key('alice'), '--zonefile', path.join(dir, 'alice2.zone'),
    '--wait']);
  const xfer = await stack.mined(['name', 'transfer', 'bob.pf', '--to', alice.address.regtest, '--key', key('bob'),
    '--wait']);
  const info = await settled();
  const trusted = info.consensus;
  const verify = ['--verify', '--trusted-consensus-hash', trusted, '--peers', peer.url];

  // Honest: the record, zone file, profile and a signed file all check out.
  const honest = await lookup(stack.api, 'alice.pf', [...verify, '--data', 'hello.txt']);
  assert.equal(honest.code, 0, honest.stderr);
  assert.equal(honest.out.proof.present, true);
  assert.equal(honest.out.proof.owner, alice.address.regtest);
  assert.equal(honest.out.proof.zonefile_hash, hash160(zone2));
  assert.equal(honest.out.proof.operations, 2);
  assert.deepEqual(honest.out.proof.confirmed_by, [peer.url]);
  assert.equal(honest.out.data, 'hello');
  const moved = await lookup(stack.api, 'bob.pf', verify);
  assert.equal(moved.code, 0, moved.stderr);
  assert.equal(moved.out.proof.owner, alice.address.regtest);
  // An older trusted hash: the record changed since, and the peer confirms the newer block.
  const older = await lookup(stack.api, 'alice.pf', ['--verify', '--trusted-consensus-hash', before.consensus,
    '--peers', peer.url]);
  assert.equal(older.code, 0, older.stderr);
  assert.equal(older.out.proof.zonefile_hash, hash160(zone2));
  // ... and without a peer that cannot be taken on the node's word.
  const unconfirmed = await lookup(stack.api, 'alice.pf', ['--verify', '--trusted-consensus-hash', before.consensus]);
  assert.equal(unconfirmed.code, EXIT_NOT_VERIFIED);
  assert.match(unconfirmed.stderr, /at state: .*give --peers/);
  // A name never registered is proved absent.
  const nobody = await lookup(stack.api, 'nobody.pf', verify);
  assert.equal(nobody.code, 10, nobody.stderr);
  assert.match(nobody.stderr, /proved: nobody\.pf is not registered .*confirmed by 1 peer/);
  // The anchor a transfer carries verifies too.
  const anchored = await run('blockstack', ['--network', 'regtest', '--bitcoind', stack.bcoin.url, '--json', 'anchor',
    xfer.txid]);
  assert.equal(anchored.code, 0, anchored.stderr);
  const txAnchor = JSON.parse(anchored.stdout).consensus_hash;
  assert.match(txAnchor, /^[0-9a-f]{32}$/);
  const fromTx = await lookup(stack.api, 'bob.pf', ['--verify', '--trusted-consensus-hash', txAnchor, '--peers',
    peer.url]);
  assert.equal(fromTx.code, 0, fromTx.stderr);

  // The lies, one at a time, each through the lying node.
  const caught = async (what, lie, pattern, code = EXIT_NOT_VERIFIED, args = verify) => {
    nodeLiar.lie = lie;
    const r = await lookup(nodeLiar.url, 'alice.pf', args);
    nodeLiar.lie = null;
    assert.equal(r.code, code, `${what}: exit ${r.code}, ${r.stderr}`);
    assert.match(r.stderr, pattern, what);
  };
  const staleHeight = JSON.parse(staleState).height;
  // A stale record: the state proof and the record from before the update.
  await caught('stale record', (url) => {
    if (url.startsWith('/v1/proofs/state/alice.pf')) return { status: 200, body: staleState };
    if (url.startsWith('/v1/names/alice.pf')) return { status: 200, body: staleName };
    return undefined;
  }, new RegExp(`at state: the state proof is for block ${staleHeight}, older`));
  // The stale record with the current state: the record is not what was proved.
  await caught('stale record only', (url) => (url === '/v1/names/alice.pf' ? { status: 200, body: staleName } : undefined),
    /at record: the node says .* the proof/);
  // A later update hidden: the update's block left out of the history.
  await caught('hidden update', (url, status, body) => {
    if (!url.startsWith('/v1/proofs/names/alice.pf')) return undefined;
    const b = JSON.parse(body);
    b.blocks = b.blocks.slice(1);
    return { status, body: JSON.stringify(b) };
  }, /at state: the state root does not hold the record of the newest operation/);
  // An earlier operation left out (the registration's block): the rest verifies
  // against the trusted hash, but the root holds the record after two operations.
  await caught('hidden earlier operation', (url, status, body) => {
    if (!url.startsWith('/v1/proofs/names/alice.pf')) return undefined;
    const b = JSON.parse(body);
    b.blocks = b.blocks.slice(0, -1);
    return { status, body: JSON.stringify(b) };
  }, /at state: the state root does not hold the record .* after its 1 operation/);
  // ... and a root forged to match: the peer reports another.
  await caught('forged root', (url, status, body) => {
    if (!url.startsWith('/v1/proofs/state/alice.pf')) return undefined;
    const s = JSON.parse(body);
    s.root = 'ab'.repeat(32);
    return { status, body: JSON.stringify(s) };
  }, /at state: state proof: does not lead to the root/);
  // A registered name claimed absent: no history, and the proof of an absent name.
  const absent = await (await fetch(`${stack.api}/v1/proofs/state/nobody.pf`)).text();
  await caught('claimed absent', (url) => {
    if (url.startsWith('/v1/proofs/names/alice.pf')) return { status: 404, body: '{"error":"No operation"}' };
    if (url.startsWith('/v1/proofs/state/alice.pf')) {
      return { status: 200, body: JSON.stringify({ ...JSON.parse(absent), name: 'alice.pf' }) };
    }
    return undefined;
  }, /at state: (state proof: |the state root holds a record of alice\.pf, but the node shows no operation)/);
  // A trusted hash the node pretends not to know, and a bundle's operation altered.
  await caught('unknown anchor', (url) => (url.startsWith('/v1/proofs/names/') ? {
    status: 404, body: '{"error":"Unknown anchor: no block"}' } : undefined), /at anchor: the node does not know/);
  await caught('altered operation', (url, status, body) => {
    if (!url.startsWith('/v1/proofs/names/alice.pf')) return undefined;
    return { status, body: body.replaceAll(hash160(zone2), hash160(zone)) };
  }, /at block \d+: its operations hash to/);
  // An altered zone file: the node serves another text for the proved hash.
  await caught('altered zone file', (url, status, body) => {
    if (!url.startsWith('/v1/names/alice.pf') && !url.startsWith('/v1/zonefiles/')) return undefined;
    return { status, body: body.split('7200').join('7300') };
  }, /zone file/, 14);

  // The storage server lies: another profile, another file.
  // The profile token's claim rewritten (its signature left as it was).
  hubLiar.lie = (url, status, body) => {
    if (!url.endsWith('profile.json')) return undefined;
    const tokens = JSON.parse(body);
    const [head, claim, sig] = tokens[0].token.split('.');
    const forged = Buffer.from(Buffer.from(claim, 'base64url').toString().replace('Alice', 'Mallory')).toString('base64url');
    tokens[0].token = [head, forged, sig].join('.');
    return { status, body: JSON.stringify(tokens) };
  };
  const profileLie = await lookup(stack.api, 'alice.pf', verify);
  assert.equal(profileLie.code, 16, profileLie.stderr);
  assert.match(profileLie.stderr, /profile/);
  hubLiar.lie = (url, status, body) => (url.endsWith('hello.txt') ? { status, body: 'goodbye' } : undefined);
  const dataLie = await lookup(stack.api, 'alice.pf', [...verify, '--data', 'hello.txt']);
  assert.equal(dataLie.code, 16, dataLie.stderr);
  assert.match(dataLie.stderr, /hello\.txt/);
  hubLiar.lie = null;

  // The same vectors through both verifiers: the C++ one (`blockstack proof`)
  // and the JavaScript module the explorer uses. Honest ones pass both, each
  // tampered one fails both at the same step.
  const bundleText = await (await fetch(`${stack.api}/v1/proofs/names/alice.pf?anchor=${trusted}`)).text();
  const honestBundle = JSON.parse(bundleText);
  const tampered = {
    honest: (b) => b,
    'other anchor': (b) => { b.anchor.consensus_hash = before.consensus; },
    'dropped operation': (b) => { b.blocks[0].ops.pop(); },
    'altered operation': (b) => { b.blocks[0].ops[0] = b.blocks[0].ops[0].replace(hash160(zone2), hash160(zone)); },
    'reordered blocks': (b) => { b.blocks.reverse(); },
    'reordered links': (b) => { [b.links[0], b.links[1]] = [b.links[1], b.links[0]]; },
    'wrong link': (b) => { b.links[1].previous[0] = b.links[1].previous[0].replace(/^./, (c) => (c === 'a' ? 'b' : 'a')); },
    'wrong ops hash': (b) => { b.links.at(-1).ops_hash = b.links.at(-1).ops_hash.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')); },
    'truncated links': (b) => { b.links.pop(); },
    'no name operation': (b) => { b.blocks[0].name_ops = []; },
    'another transaction': (b) => { b.blocks[0].name_ops[0].raw_tx = b.blocks.at(-1).name_ops[0].raw_tx; },
    'forged next page': (b) => { b.next_anchor = before.consensus; },
  };
  assert.ok(honestBundle.blocks.length >= 2 && honestBundle.links.length >= 2, bundleText);
  const cppStep = (r) => (r.code === 0 ? 'ok' : /verification failed at (.*?): /.exec(r.stderr)?.[1] ?? `exit ${r.code}`);
  const jsStep = (fn) => {
    try { fn(); return 'ok'; } catch (e) { if (e instanceof VerifyError) return e.step; throw e; }
  };
  for (const [what, change] of Object.entries(tampered)) {
    const b = structuredClone(honestBundle);
    change(b);
    const file = path.join(dir, `bundle-${what.replace(/ /g, '-')}.json`);
    writeFileSync(file, JSON.stringify(b));
    const cpp = cppStep(await run('blockstack', ['proof', 'history', file, '--trusted-consensus-hash', trusted]));
    const js = jsStep(() => jsVerifier.verifyHistory(b, trusted));
    assert.equal(js, cpp, `${what}: the JavaScript verifier says ${js}, the C++ one ${cpp}`);
    assert.equal(cpp === 'ok', what === 'honest', `${what}: ${cpp}`);
  }
  const jsHistory = jsVerifier.verifyHistory(honestBundle, trusted);
  const cppHistory = JSON.parse((await run('blockstack', ['--json', 'proof', 'history',
    path.join(dir, 'bundle-honest.json'), '--trusted-consensus-hash', trusted])).stdout);
  assert.deepEqual(jsHistory.ops.map((o) => [o.txid, o.address, o.value_hash, o.record]),
    cppHistory.operations.map((o) => [o.txid, o.address, o.value_hash, o.record]));
  assert.equal(jsVerifier.stateValueAfter(jsHistory.ops), cppHistory.state_value);
  const liveState = JSON.parse(await (await fetch(`${stack.api}/v1/proofs/state/alice.pf`)).text());
  const absentState = JSON.parse(await (await fetch(`${stack.api}/v1/proofs/state/nobody.pf`)).text());
  const states = {
    present: [liveState, 'ok', jsVerifier.stateValueAfter(jsHistory.ops)],
    absent: [absentState, 'ok', null],
    'forged value': [{ ...liveState, proof: { ...liveState.proof, leaf: { ...liveState.proof.leaf, value: 'ab'.repeat(32) } } }, 'state'],
    'claimed absent': [{ ...absentState, name: 'alice.pf' }, undefined],
  };
  for (const [what, [answer, expect, value]] of Object.entries(states)) {
    const file = path.join(dir, `state-${what.replace(/ /g, '-')}.json`);
    writeFileSync(file, JSON.stringify(answer));
    const r = await run('blockstack', ['--json', 'proof', 'state', file]);
    const cpp = cppStep(r);
    let jsValue;
    const js = jsStep(() => { jsValue = jsVerifier.verifyState(answer, answer.root); });
    assert.equal(js, cpp, `state ${what}: the JavaScript verifier says ${js}, the C++ one ${cpp}`);
    if (expect) assert.equal(cpp, expect, `state ${what}`);
    if (cpp === 'ok') assert.equal(JSON.parse(r.stdout).state_value, jsValue, `state ${what}`);
    if (value !== undefined) assert.equal(jsValue, value, `state ${what}`);
  }

  // Bad input: a malformed trusted hash, --verify without one, an anchor ahead of the tip.
  assert.equal((await lookup(stack.api, 'alice.pf', ['--verify'])).code, 2);
  assert.equal((await lookup(stack.api, 'alice.pf', ['--verify', '--trusted-consensus-hash', 'xyz'])).code, 3);
  const ahead = await fetch(`${stack.api}/v1/proofs/names/alice.pf?anchor=${info.last_block_processed + 10}`);
  assert.equal(ahead.status, 400);
  assert.match((await ahead.json()).error, /ahead of the last indexed block/);
});

test('subdomains verify through their domain, and a hidden record is caught', async () => {
  const { alice, bob } = stack.keys;
  const key = (who) => stack.keys[who].wif.regtest;
  const file = (name, text) => { const f = path.join(dir, name); writeFileSync(f, text); return f; };
  const txt = async (fqn, owner, text, extra = []) => (await stack.cli(['zonefile', 'subdomain', fqn, '--owner', owner,
    '--zonefile', file(`${fqn}.${extra.length}.zone`, text), ...extra])).txt;
  await createNamespace(stack, 'ps');
  // sub.corp.ps: alice's, her signed profile on the hub; created in corp.ps's
  // registration, updated (signed by her) in its first update; the second
  // update carries no subdomain record.
  const profile = file('sub-profile.json', JSON.stringify(await stack.cli(['profile', 'make', '--name', 'Sub'])));
  const put = await stack.cli(['profile', 'put', profile, '--key', key('alice'), '--hub', stack.hub.url]);
  const sub1 = (await stack.cli(['zonefile', 'make', 'sub.corp.ps', '--url', put.public_url])).zonefile;
  const sub2 = sub1.replace('$TTL 3600', '$TTL 7200');
  const domainZone = (await stack.cli(['zonefile', 'make', 'corp.ps', '--url', 'https://example.org/c.json'])).zonefile;
  const zone1 = `${domainZone}${await txt('sub.corp.ps', alice.address.mainnet, sub1)}\n` +
    `${await txt('else.corp.ps', bob.address.mainnet, sub1)}\n`;
  const zone2 = `${domainZone.replace('$TTL 3600', '$TTL 1800')}${await txt('sub.corp.ps', alice.address.mainnet,
    sub2, ['--seqn', '1', '--key', key('alice')])}\n`;
  const zone3 = domainZone.replace('$TTL 3600', '$TTL 900');
  await stack.mined(['name', 'register', 'corp.ps', '--key', key('bob'), '--zonefile', file('corp1.zone', zone1)]);
  await stack.mined(['name', 'update', 'corp.ps', '--key', key('bob'), '--zonefile', file('corp2.zone', zone2),
    '--wait']);
  await stack.mined(['name', 'update', 'corp.ps', '--key', key('bob'), '--zonefile', file('corp3.zone', zone3),
    '--wait']);
  const info = await settled();
  await waitFor(async () => (await getJson(`${stack.api}/v1/names/sub.corp.ps`)).zonefile_hash === hash160(sub2),
    { what: 'the update of sub.corp.ps on the node', timeoutMs: 30000 });
  await waitFor(async () => (await fetch(`${peer.url}/v1/zonefiles/${hash160(zone2)}`)).status === 200,
    { what: 'the peer to hold corp.ps\'s zone files', timeoutMs: 30000 });
  const verify = ['--verify', '--trusted-consensus-hash', info.consensus, '--peers', peer.url];

  // Honest: the subdomain's record replayed from the domain's three zone files.
  const honest = await lookup(stack.api, 'sub.corp.ps', verify);
  assert.equal(honest.code, 0, honest.stderr);
  const p = honest.out.proof;
  assert.equal(p.present, true);
  assert.equal(p.owner, alice.address.mainnet);
  assert.equal(p.sequence, 1);
  assert.equal(p.zonefile_hash, hash160(sub2));
  assert.equal(p.records, 2);
  assert.equal(p.zonefiles, 3);
  assert.deepEqual(p.missing_zonefiles, []);
  assert.equal(p.last_record.carrier, 'corp.ps');
  assert.equal(p.domain.operations, 3);
  assert.equal(honest.out.profile.name, 'Sub');
  // A subdomain no zone file carries is proved to have no record.
  const nobody = await lookup(stack.api, 'nobody.corp.ps', verify);
  assert.equal(nobody.code, 10, nobody.stderr);
  assert.match(nobody.stderr, /proved: no zone file of nobody\.corp\.ps's domain carries an accepted record/);

  const caught = async (what, lie, pattern) => {
    nodeLiar.lie = lie;
    const r = await lookup(nodeLiar.url, 'sub.corp.ps', verify);
    nodeLiar.lie = null;
    assert.equal(r.code, EXIT_NOT_VERIFIED, `${what}: exit ${r.code}, ${r.stderr}`);
    assert.match(r.stderr, pattern, what);
    return r;
  };
  const staleRecord = JSON.stringify({ ...(await getJson(`${stack.api}/v1/names/sub.corp.ps`)),
    zonefile: sub1, zonefile_hash: hash160(sub1) });
  const subBundle = (url) => url.startsWith('/v1/proofs/names/sub.corp.ps');
  // The update hidden: the block of the zone file that carried it left out of
  // the subdomain's bundle, and the record served stale.
  await caught('hidden subdomain update', (url, status, body) => {
    if (url.startsWith('/v1/names/sub.corp.ps')) return { status: 200, body: staleRecord };
    if (!subBundle(url)) return undefined;
    const b = JSON.parse(body);
    b.domain.history.blocks.splice(1, 1);
    return { status, body: JSON.stringify(b) };
  }, /at subdomain bundle: it gives 2 operation\(s\) of corp\.ps, its proved history 3/);
  // Its zone file altered in the bundle.
  await caught('altered zone file', (url, status, body) => {
    if (!subBundle(url)) return undefined;
    const b = JSON.parse(body);
    b.domain.zonefiles[hash160(zone2)] = Buffer.from(zone2.replace('seqn=1', 'seqn=2')).toString('base64');
    return { status, body: JSON.stringify(b) };
  }, /at zone files: the zone file given for [0-9a-f]{40} hashes to/);
  // Declared missing, with the stale record: the peer gives the zone file.
  const r = await caught('withheld zone file', (url, status, body) => {
    if (url.startsWith('/v1/names/sub.corp.ps')) return { status: 200, body: staleRecord };
    if (!subBundle(url)) return undefined;
    const b = JSON.parse(body);
    b.domain.zonefiles[hash160(zone2)] = null;
    return { status, body: JSON.stringify(b) };
  }, /at record: the node says owner .* zone-file hash [0-9a-f]{40}, the proof owner/);
  assert.match(r.stderr, new RegExp(hash160(sub2)));
  // The same bundle in a file, through `blockstack proof subdomain`: replayed,
  // and refused once a zone file in it is altered.
  const bundleFile = file('sub-bundle.json', await (await fetch(
    `${stack.api}/v1/proofs/names/sub.corp.ps?anchor=${info.consensus}`)).text());
  const fromFile = await run('blockstack', ['--json', 'proof', 'subdomain', bundleFile, '--trusted-consensus-hash',
    info.consensus]);
  assert.equal(fromFile.code, 0, fromFile.stderr);
  const replayed = JSON.parse(fromFile.stdout);
  assert.deepEqual([replayed.present, replayed.owner, replayed.sequence, replayed.zonefile_hash, replayed.zonefiles],
    [true, alice.address.mainnet, 1, hash160(sub2), 3]);
  const altered = JSON.parse(readFileSync(bundleFile, 'utf8'));
  altered.domain.zonefiles[hash160(zone1)] = Buffer.from(zone1.replace('seqn=0', 'seqn=1')).toString('base64');
  const alteredFile = file('sub-bundle-altered.json', JSON.stringify(altered));
  const refusedFile = await run('blockstack', ['proof', 'subdomain', alteredFile, '--trusted-consensus-hash',
    info.consensus]);
  assert.equal(refusedFile.code, EXIT_NOT_VERIFIED, refusedFile.stderr);
  assert.match(refusedFile.stderr, /verification failed at zone files: /);
  // The JavaScript verifier on the same two bundles: the same record, the same step.
  const honestBundle = JSON.parse(readFileSync(bundleFile, 'utf8'));
  const jsPage = jsSubdomains.verifySubdomainPage(honestBundle, info.consensus);
  const jsProved = jsSubdomains.replaySubdomain('sub.corp.ps', honestBundle.first_block, jsPage.slots);
  assert.deepEqual([jsProved.owner, jsProved.seqn, jsProved.zonefile_hash, jsProved.carrier, jsProved.accepted],
    [replayed.owner, replayed.sequence, replayed.zonefile_hash, 'corp.ps', 2]);
  assert.equal(jsSubdomains.replaySubdomain('nobody.corp.ps', honestBundle.first_block, jsPage.slots), null);
  assert.throws(() => jsSubdomains.verifySubdomainPage(altered, info.consensus),
    (e) => e instanceof VerifyError && e.step === 'zone files');
  // else.corp.ps: bob's, created in the same zone file and never updated.
  const elseProved = jsSubdomains.replaySubdomain('else.corp.ps', honestBundle.first_block, jsPage.slots);
  assert.deepEqual([elseProved.owner, elseProved.seqn], [bob.address.mainnet, 0]);
  // No state of its own; the bundle for an unknown domain is a 404.
  assert.equal((await fetch(`${stack.api}/v1/proofs/state/sub.corp.ps`)).status, 400);
  assert.equal((await fetch(`${stack.api}/v1/proofs/names/sub.nothing.ps`)).status, 404);
});
