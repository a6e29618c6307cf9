// The JavaScript subdomain rules (web/proofs/subdomains.mjs) on records the CLI
// signs (the C++ rules, src/subdomain/record.cpp): creation, updates signed by the
// owner or by someone else, skipped and repeated sequence numbers, records carried
// by another domain, and the malformations that skip a record or empty a whole
// zone file. No node: the zone files are given to the replay as verified slots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { cliJson, hash160, jsSubdomainVerifier, repoRoot, run, tempDir, toolsDir } from './harness.mjs';
import { parseZonefile } from '../../web/proofs/subdomains.mjs';

const rules = await jsSubdomainVerifier();

test('the subdomain rules replayed in JavaScript accept and refuse what the node does', async () => {
  const dir = tempDir('subdomain-rules');
  const alice = await cliJson(['keys', 'generate']);
  const bob = await cliJson(['keys', 'generate']);
  const keyFile = (who, k) => { const f = path.join(dir, `${who}.key`); writeFileSync(f, k.wif.mainnet); return `file:${f}`; };
  const aliceKey = keyFile('alice', alice);
  const bobKey = keyFile('bob', bob);
  const own = path.join(dir, 'own.zone');
  writeFileSync(own, '$ORIGIN sub.corp.id\n$TTL 3600\n_http._tcp IN URI 10 1 "https://example.org/p.json"\n');
  const own2 = path.join(dir, 'own2.zone');
  writeFileSync(own2, '$ORIGIN sub.corp.id\n$TTL 7200\n_http._tcp IN URI 10 1 "https://example.org/p.json"\n');
  const txt = async (args) => (await cliJson(['zonefile', 'subdomain', 'sub.corp.id', ...args])).txt;
  const create = await txt(['--owner', alice.address.mainnet, '--zonefile', own]);
  const update = await txt(['--owner', alice.address.mainnet, '--zonefile', own2, '--seqn', '1', '--key', aliceKey]);
  const forged = await txt(['--owner', bob.address.mainnet, '--zonefile', own2, '--seqn', '1', '--key', bobKey]);
  const skipped = await txt(['--owner', alice.address.mainnet, '--zonefile', own2, '--seqn', '2', '--key', aliceKey]);
  const handOver = await txt(['--owner', bob.address.mainnet, '--zonefile', own2, '--seqn', '1', '--key', aliceKey]);
  const elsewhere = await txt(['--owner', alice.address.mainnet, '--zonefile', own2, '--seqn', '1', '--key', aliceKey,
    '--domain', 'other.id']);
  const elsewhereNewOwner = await txt(['--owner', bob.address.mainnet, '--zonefile', own2, '--seqn', '1', '--key',
    aliceKey, '--domain', 'other.id']);

  const domainZone = (origin, ...records) => `$ORIGIN ${origin}\n$TTL 3600\n${records.join('\n')}\n`;
  let height = 100;
  const slot = (name, text) => ({ name, height: height++, vtxindex: 1, txid: hash160(`${name}${height}`).padEnd(64, '0'),
    hash: hash160(text), zonefile: text });
  const replay = (...slots) => rules.replaySubdomain('sub.corp.id', 0, slots);

  // Created, then updated by its owner.
  let r = replay(slot('corp.id', domainZone('corp.id', create)), slot('corp.id', domainZone('corp.id', update)));
  assert.deepEqual([r.seqn, r.owner, r.accepted], [1, alice.address.mainnet, 2]);
  assert.equal(r.zonefile_hash, hash160(`$ORIGIN sub.corp.id\n$TTL 7200\n_http._tcp IN URI 10 1 "https://example.org/p.json"\n`));
  // An update signed by another key, or that skips a number: refused.
  r = replay(slot('corp.id', domainZone('corp.id', create)), slot('corp.id', domainZone('corp.id', forged)));
  assert.deepEqual([r.seqn, r.accepted], [0, 1]);
  r = replay(slot('corp.id', domainZone('corp.id', create)), slot('corp.id', domainZone('corp.id', skipped)));
  assert.equal(r.seqn, 0);
  // The owner hands it over, signing with the old key.
  r = replay(slot('corp.id', domainZone('corp.id', create)), slot('corp.id', domainZone('corp.id', handOver)));
  assert.deepEqual([r.seqn, r.owner], [1, bob.address.mainnet]);
  // Carried by another domain: an update that keeps the owner is taken, one that
  // changes it is not; a creation there never is.
  r = replay(slot('corp.id', domainZone('corp.id', create)), slot('other.id', domainZone('other.id', elsewhere)));
  assert.deepEqual([r.seqn, r.carrier], [1, 'other.id']);
  r = replay(slot('corp.id', domainZone('corp.id', create)), slot('other.id', domainZone('other.id', elsewhereNewOwner)));
  assert.equal(r.seqn, 0);
  assert.equal(replay(slot('other.id', domainZone('other.id', create.replace(/^sub/, 'sub.corp.id')))), null);
  // No creation: nothing.
  assert.equal(replay(slot('corp.id', domainZone('corp.id', update))), null);

  // Within one zone file the lowest sequence number of a name counts.
  assert.deepEqual(rules.zonefileSubdomains('corp.id', domainZone('corp.id', update, create)).map((x) => x.seqn), [0n]);
  // A record with a non-numeric seqn is skipped alone.
  const other = create.replace(/^sub/, 'two');
  const bad = rules.zonefileSubdomains('corp.id', domainZone('corp.id', create.replace('seqn=0', 'seqn=x'), other));
  assert.deepEqual(bad.map((x) => x.fqn), ['two.corp.id']);
  // A string without '=', undecodable base64, a missing piece, a wrong $ORIGIN, two
  // _missing records: the whole zone file carries none.
  for (const [what, text] of [
    ['no =', domainZone('corp.id', `${create} "junk"`, other)],
    ['bad base64', domainZone('corp.id', create.replace(/zf0=[^"]*/, 'zf0=abc'), other)],
    ['missing piece', domainZone('corp.id', create.replace('parts=1', 'parts=2'), other)],
    ['origin', domainZone('else.id', create, other)],
    ['two _missing', domainZone('corp.id', '_missing IN TXT "1,2"', '_missing IN TXT "3"', create)],
  ]) {
    assert.throws(() => rules.zonefileSubdomains('corp.id', text), Error, what);
    assert.equal(replay(slot('corp.id', text)), null, what);
  }
  // The zone-file reader refuses what the node's refuses.
  for (const text of ['$ORIGIN a.id\nx IN A 1.2.3.256\n', '$ORIGIN a.id\nx IN AAAA 1::2::3\n', 'x IN TXT "open\n',
    '$ORIGIN a.id\n( x IN TXT "a"\n', '$FOO x\n', ' IN TXT "no owner"\n', `$ORIGIN a.id\nx IN TXT ${'a'.repeat(256)}\n`]) {
    assert.throws(() => parseZonefile(text), Error, JSON.stringify(text));
  }
  const zf = parseZonefile('$ORIGIN a.id.\n$TTL 60\nx 30 IN A 10.0.0.1\n  IN AAAA ::ffff:1.2.3.4\ny CNAME x ; note\n');
  assert.deepEqual([zf.origin, zf.ttl, zf.records.map((x) => [x.name, x.ttl, x.type, x.fields.join(' ')])],
    ['a.id', 60, [['x', 30, 'A', '10.0.0.1'], ['x', null, 'AAAA', '::ffff:1.2.3.4'], ['y', null, 'CNAME', 'x']]]);
});

// A seeded generator, so a failure can be run again.
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('the JavaScript zone-file reader and subdomain rules agree with the node on real and mutated zone files', async () => {
  const seed = Number(process.env.SUBDOMAIN_RULES_SEED || 20261207);
  const random = mulberry32(seed);
  const pick = (list) => list[Math.floor(random() * list.length)];
  // Real zone files: a sample of the genesis block's, and the fuzz seeds that carry subdomains.
  const vectors = path.join(repoRoot, '..', 'shared', 'vectors', 'real', 'genesis_zonefiles.txt');
  const seeds = [];
  try {
    const lines = readFileSync(vectors, 'latin1').split('\n').filter((l) => l.startsWith('$ORIGIN'));
    for (let i = 0; i < lines.length; i += Math.max(1, Math.floor(lines.length / 120))) seeds.push(lines[i].replace(/\\n/g, '\n'));
  } catch { /* the shared vectors are not beside this checkout */ }
  const corpus = path.join(repoRoot, 'test', 'fuzz', 'corpus');
  for (const dir of ['subdomain_fuzz', 'zonefile_fuzz']) {
    for (const f of readdirSync(path.join(corpus, dir))) seeds.push(readFileSync(path.join(corpus, dir, f), 'latin1'));
  }
  assert.ok(seeds.length >= 5);
  const interesting = ['"', '\\', '(', ')', ';', '\n', ' ', '\t', '=', '.', '0', '9', 'a', 'Z', '$', '\x00', '\xff', '+', '/',
    ',', '_', '-', '\r', '@', '*', ':'];
  const mutate = (text) => {
    let t = text;
    for (let n = 1 + Math.floor(random() * 3); n > 0; n--) {
      const at = Math.floor(random() * (t.length + 1));
      switch (Math.floor(random() * 6)) {
        case 0: t = t.slice(0, at) + pick(interesting) + t.slice(at + 1); break;
        case 1: t = t.slice(0, at) + pick(interesting) + t.slice(at); break;
        case 2: t = t.slice(0, at) + t.slice(at + 1 + Math.floor(random() * 10)); break;
        case 3: { const lines = t.split('\n'); const k = Math.floor(random() * lines.length); lines.splice(k, 0, lines[k]); t = lines.join('\n'); break; }
        case 4: t = t.replace(/seqn=[0-9]+/, pick(['seqn=1', 'seqn= 2', 'seqn=-0', 'seqn=+1', 'seqn=99999999999999999999', 'seqn=x']));
          break;
        default: t = t.replace(/parts=[0-9]+/, pick(['parts=0', 'parts=3', 'parts=-1', 'parts= 1']));
      }
    }
    return t;
  };
  const cases = [];
  for (const s of seeds) {
    const origin = (/^\$ORIGIN ([^\s]+)/m.exec(s) || [])[1] || 'foo.id';
    cases.push({ domain: origin, text: s });
    for (let k = 0; k < 12; k++) cases.push({ domain: origin, text: mutate(s) });
  }
  const b64 = (s) => Buffer.from(s, 'latin1').toString('base64');
  const dir = tempDir('zonefile-diff');
  const input = path.join(dir, 'cases.json');
  writeFileSync(input, JSON.stringify(cases.map((c) => ({ domain: c.domain, zonefile: b64(c.text) }))));
  const output = path.join(dir, 'node.json');
  const out = await run('zonefile_dump', [input, output], { timeoutMs: 120000, dir: toolsDir });
  assert.equal(out.code, 0, out.stderr);
  const theirs = JSON.parse(readFileSync(output, 'utf8'));
  assert.equal(theirs.length, cases.length);
  let parsed = 0;
  let withSubdomains = 0;
  cases.forEach((c, i) => {
    const where = `case ${i} (seed ${seed}): ${JSON.stringify(c.text.slice(0, 400))}`;
    let zf = null;
    try { zf = parseZonefile(c.text); } catch { /* refused */ }
    const mine = zf && {
      origin: zf.origin === null ? null : b64(zf.origin), ttl: zf.ttl,
      records: zf.records.map((r) => [b64(r.name), r.ttl, r.type, r.fields.map(b64)]),
    };
    assert.deepEqual(mine, theirs[i].zonefile, `zone file, ${where}`);
    if (mine) parsed++;
    let subs = null;
    try { subs = rules.zonefileSubdomains(c.domain, c.text); } catch { /* carries none */ }
    const mineSubs = subs && subs.map((r) => ({
      fqn: b64(r.fqn), seqn: r.seqn.toString(), owner: b64(r.owner), zonefile: b64(r.zonefile), independent: r.independent,
      sig: r.sig === null ? null : b64(r.sig), verifies: rules.verifySignature(r, r.owner),
    }));
    assert.deepEqual(mineSubs, theirs[i].subdomains, `subdomains, ${where}`);
    if (mineSubs && mineSubs.length) withSubdomains++;
  });
  if (process.env.SUBDOMAIN_RULES_VERBOSE) console.log({ cases: cases.length, parsed, withSubdomains });
  assert.ok(parsed > cases.length / 4, `${parsed} of ${cases.length} parsed`);
  assert.ok(withSubdomains > 5, `${withSubdomains} carried subdomains`);
});
