// blockstackd --dns: standard DNS for BNS names, queried with kdig (Debian's
// knot-dnsutils) over UDP and TCP. Answers come from each name's zone file;
// namespace apexes have SOA and NS; unknown, revoked and expired names are
// NXDOMAIN; names outside BNS are REFUSED; large answers are truncated over UDP;
// answers follow a zone-file change within a block, a zone file that arrives late,
// and a reorg; malformed queries get FORMERR.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { createNamespace, freePort, hash160, startStack, tempDir, waitFor } from './harness.mjs';

let stack;
let port;
let dir;

// One kdig query; resolves { code, stdout, stderr }.
function kdig(name, type, ...opts) {
  return new Promise((resolve) => {
    execFile('kdig', ['@127.0.0.1', '-p', String(port), name, type, '+timeout=5', '+retry=0', ...opts],
      { timeout: 20000 }, (err, stdout, stderr) => resolve({ code: err ? err.code : 0, stdout, stderr }));
  });
}
// One kdig query; resolves its RFC 8427 JSON.
async function dig(name, type, ...opts) {
  const r = await kdig(name, type, '+json', ...opts);
  if (r.code !== 0) throw new Error(`kdig ${name} ${type}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}
const rdata = (rr) => rr[`rdata${rr.TYPEname}`];
const answers = (r) => (r.answerRRs || []).map((rr) => [rr.TYPEname, rdata(rr)]);

async function register(name, zone) {
  writeFileSync(path.join(dir, 'zone'), zone);
  await stack.mined(['name', 'register', name, '--key', stack.keys.alice.wif.regtest, '--zonefile',
    path.join(dir, 'zone'), '--quiet']);
}

const ALICE = ['$ORIGIN alice.dns', '$TTL 300', '@ IN A 192.0.2.1', '@ IN AAAA 2001:db8::1',
  '@ IN TXT "hello world" "two"', '@ IN MX 10 mail', 'www IN CNAME @', 'mail 600 IN A 192.0.2.2',
  '_http._tcp IN URI 10 1 "https://example.org/alice.json"', '_sip._tcp IN SRV 10 60 5060 sip', ''].join('\n');

before(async () => {
  dir = tempDir('dns-test');
  port = await freePort();
  stack = await startStack(dir, ['alice'], { daemonArgs: ['--dns', `127.0.0.1:${port}`, '--dns-threads', '3'] });
  await createNamespace(stack, 'dns');
  await register('alice.dns', ALICE);
  const big = Array.from({ length: 8 }, (_, i) => `@ IN TXT "${String(i).repeat(100)}"`);
  await register('big.dns', ['$ORIGIN big.dns', ...big, ''].join('\n'));
});

after(async () => {
  if (stack) await stack.stop();
});

test('a live name answers from its zone file, authoritatively', async () => {
  const a = await dig('alice.dns', 'A');
  assert.equal(a.RCODE, 0);
  assert.equal(a.AA, 1);
  assert.equal(a.QR, 1);
  assert.deepEqual(answers(a), [['A', '192.0.2.1']]);
  assert.equal(a.answerRRs[0].TTL, 300);
  assert.deepEqual(answers(await dig('alice.dns', 'AAAA')), [['AAAA', '2001:db8::1']]);
  assert.deepEqual(answers(await dig('alice.dns', 'TXT')), [['TXT', '"hello world" "two"']]);
  assert.deepEqual(answers(await dig('alice.dns', 'MX')), [['MX', '10 mail.alice.dns.']]);
  const mail = await dig('mail.alice.dns', 'A');
  assert.deepEqual(answers(mail), [['A', '192.0.2.2']]);
  assert.equal(mail.answerRRs[0].TTL, 600);
  assert.deepEqual(answers(await dig('www.alice.dns', 'A')), [['CNAME', 'alice.dns.']]);
  const uri = answers(await dig('_http._tcp.alice.dns', 'URI'));
  assert.equal(uri.length, 1);
  assert.match(uri[0][1], /^10 1 "https:\/\/example\.org\/alice\.json"/);
  assert.deepEqual(answers(await dig('_sip._tcp.alice.dns', 'SRV')), [['SRV', '10 60 5060 sip.alice.dns.']]);
  // upper case in the question is matched without case
  assert.deepEqual(answers(await dig('ALICE.Dns', 'A')), [['A', '192.0.2.1']]);
  // a type the name lacks: NOERROR, no answer, the name's SOA for negative caching
  const nodata = await dig('alice.dns', 'NS');
  assert.equal(nodata.RCODE, 0);
  assert.equal(nodata.ANCOUNT, 0);
  assert.equal(nodata.authorityRRs[0].TYPEname, 'SOA');
  // an empty non-terminal exists; a missing owner does not
  assert.equal((await dig('_tcp.alice.dns', 'A')).RCODE, 0);
  assert.equal((await dig('nothing.alice.dns', 'A')).RCODE, 3);
  // ANY returns every record at the owner
  const any = answers(await dig('alice.dns', 'ANY')).map(([t]) => t).sort();
  assert.deepEqual(any, ['A', 'AAAA', 'MX', 'TXT']);
});

test('namespace apexes have SOA and NS; outside BNS is refused', async () => {
  const soa = await dig('dns', 'SOA');
  assert.equal(soa.RCODE, 0);
  assert.equal(soa.AA, 1);
  assert.match(answers(soa)[0][1], /^ns\.dns\. hostmaster\.dns\. \d+ /);
  assert.deepEqual(answers(await dig('dns', 'NS')), [['NS', 'ns.dns.']]);
  for (const name of ['example.com', 'com', 'nosuchnamespace', '.']) {
    const r = await dig(name, 'A');
    assert.equal(r.RCODE, 5, `${name}: ${JSON.stringify(r)}`);
    assert.equal(r.AA, 0);
  }
  assert.equal((await dig('alice.dns', 'A', '-c', 'CH')).RCODE, 5);  // CHAOS class
  assert.match((await kdig('dns', 'AXFR')).stderr, /REFUSED/);       // no zone transfers
});

test('unknown and revoked names are NXDOMAIN with the namespace SOA', async () => {
  const unknown = await dig('nobody.dns', 'A');
  assert.equal(unknown.RCODE, 3);
  assert.equal(unknown.AA, 1);
  assert.equal(unknown.authorityRRs[0].TYPEname, 'SOA');
  await register('gone.dns', '$ORIGIN gone.dns\n@ IN A 192.0.2.9\n');
  assert.deepEqual(answers(await dig('gone.dns', 'A')), [['A', '192.0.2.9']]);
  await stack.mined(['name', 'revoke', 'gone.dns', '--key', stack.keys.alice.wif.regtest, '--wait']);
  assert.equal((await dig('gone.dns', 'A')).RCODE, 3);
});

test('UDP answers over the limit are truncated; TCP and EDNS0 carry them', async () => {
  const plain = await dig('big.dns', 'TXT', '+noedns', '+ignore');
  assert.equal(plain.TC, 1);
  assert.equal(plain.ANCOUNT, 0);
  assert.ok(plain.msgLength <= 512);
  const edns = await dig('big.dns', 'TXT', '+edns', '+bufsize=4096');
  assert.equal(edns.TC, 0);
  assert.equal(edns.ANCOUNT, 8);
  assert.ok(edns.msgLength <= 1232);
  assert.equal(edns.ARCOUNT, 1);  // our OPT record
  const tcp = await dig('big.dns', 'TXT', '+tcp', '+noedns');
  assert.equal(tcp.TC, 0);
  assert.equal(tcp.ANCOUNT, 8);
  // an EDNS version we do not speak: BADVERS
  const badvers = await kdig('alice.dns', 'A', '+edns=1', '+nocookie');
  assert.match(badvers.stdout, /status: BADVERS/);
  assert.match(badvers.stdout, /ANSWER: 0/);
});

test('answers follow a zone-file change within a block', async () => {
  writeFileSync(path.join(dir, 'new'), ALICE.replace('192.0.2.1', '198.51.100.7'));
  await stack.mined(['name', 'update', 'alice.dns', '--key', stack.keys.alice.wif.regtest, '--zonefile',
    path.join(dir, 'new'), '--wait']);
  await waitFor(async () => answers(await dig('alice.dns', 'A'))[0]?.[1] === '198.51.100.7',
    { what: 'the new address over DNS', timeoutMs: 10000, intervalMs: 100 });
});

test('a zone file that arrives after its name is served once it is stored', async () => {
  const zone = '$ORIGIN late.dns\n@ IN A 192.0.2.77\n';
  await stack.mined(['name', 'register', 'late.dns', '--key', stack.keys.alice.wif.regtest, '--zonefile-hash',
    hash160(Buffer.from(zone)), '--wait', '--quiet']);
  // on chain, but the zone file is nowhere yet: the server cannot answer for it
  await waitFor(async () => (await dig('late.dns', 'A')).RCODE === 2, { what: 'SERVFAIL for late.dns' });
  const posted = await fetch(`${stack.api}/v1/zonefile`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ zonefile: zone }) });
  assert.equal(posted.status, 200);
  await waitFor(async () => answers(await dig('late.dns', 'A'))[0]?.[1] === '192.0.2.77',
    { what: 'late.dns once its zone file is stored', timeoutMs: 10000, intervalMs: 100 });
});

test('answers follow a reorg that drops a zone-file change', async () => {
  const previous = answers(await dig('alice.dns', 'A'))[0]?.[1];
  const start = await stack.bcoin.rpc('getblockcount');
  writeFileSync(path.join(dir, 'reorged'), ALICE.replace('192.0.2.1', '203.0.113.9'));
  await stack.mined(['name', 'update', 'alice.dns', '--key', stack.keys.alice.wif.regtest, '--zonefile',
    path.join(dir, 'reorged'), '--wait']);
  await waitFor(async () => answers(await dig('alice.dns', 'A'))[0]?.[1] === '203.0.113.9',
    { what: 'the updated address', timeoutMs: 10000, intervalMs: 100 });
  // drop every block since, the update's among them, then mine a longer branch without it
  const tip = await stack.bcoin.rpc('getblockcount');
  await stack.bcoin.rpc('invalidateblock', [await stack.bcoin.rpc('getblockhash', [start + 1])]);
  await stack.bcoin.mine(tip - start + 1, stack.keys.miner.address.regtest);
  await waitFor(async () => answers(await dig('alice.dns', 'A'))[0]?.[1] === previous,
    { what: 'the address from before the dropped update', timeoutMs: 20000, intervalMs: 100 });
  assert.deepEqual(answers(await dig('mail.alice.dns', 'A')), [['A', '192.0.2.2']]);
  // the in-memory table noticed the reorg and was rebuilt, not left behind
  await waitFor(async () => /dns: the chain changed below block \d+: compiling every name again[\s\S]*dns: \d+ names compiled in memory/
    .test(stack.daemon.output), { what: 'the DNS table rebuilt after the reorg' });
  assert.doesNotMatch(stack.daemon.output, /in-memory table could not be updated/);
});

test('malformed and unusual queries get an error, never a crash', async () => {
  const sock = dgram.createSocket('udp4');
  const ask = (bytes) => new Promise((resolve) => {
    const timer = setTimeout(() => { sock.removeAllListeners('message'); resolve(null); }, 1000);
    sock.once('message', (msg) => { clearTimeout(timer); resolve(msg); });
    sock.send(bytes, port, '127.0.0.1');
  });
  try {
    // the question comes back as asked, case and all (DNS 0x20)
    const upper = Buffer.from([0, 5, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 5, ...Buffer.from('ALiCe'), 3,
      ...Buffer.from('DnS'), 0, 0, 1, 0, 1]);
    const echoed = await ask(upper);
    assert.deepEqual(echoed.subarray(12, upper.length), upper.subarray(12));
    assert.equal(echoed.readUInt16BE(6), 1);  // one answer
    // a header claiming two questions
    const two = await ask(Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1]));
    assert.equal(two.readUInt16BE(0), 0x1234);
    assert.equal(two[3] & 0x0f, 1);  // FORMERR
    // a label running past the end
    const cut = await ask(Buffer.from([0, 7, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 40, 0x61, 0x62]));
    assert.equal(cut[3] & 0x0f, 1);
    // a compression pointer in the question
    const ptr = await ask(Buffer.from([0, 8, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]));
    assert.equal(ptr[3] & 0x0f, 1);
    // an opcode other than QUERY (STATUS)
    const status = await ask(Buffer.from([0, 9, 0x10, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]));
    assert.equal(status[3] & 0x0f, 4);  // NOTIMP
    // too short for a header, and a response: dropped
    assert.equal(await ask(Buffer.from([1, 2, 3])), null);
    assert.equal(await ask(Buffer.from([0, 10, 0x81, 0x80, 0, 0, 0, 0, 0, 0, 0, 0])), null);
    // random bytes, many times: the server keeps answering real queries
    for (let i = 0; i < 200; i++) {
      sock.send(Buffer.from(Array.from({ length: 12 + (i % 60) }, () => Math.floor(Math.random() * 256))), port,
        '127.0.0.1');
    }
  } finally {
    sock.close();
  }
  assert.deepEqual(answers(await dig('mail.alice.dns', 'A')), [['A', '192.0.2.2']]);
});

test('1,000 TCP queries on connections opened and closed one after another are all answered', async () => {
  // 256 was once the limit: a closed connection kept its slot until its idle timer fired.
  const message = Buffer.from([0, 11, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 5, ...Buffer.from('alice'), 3,
    ...Buffer.from('dns'), 0, 0, 1, 0, 1]);
  const query = Buffer.concat([Buffer.from([0, message.length]), message]);  // length prefix, then the query
  const ask = () => new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let got = Buffer.alloc(0);
    const timer = setTimeout(() => { sock.destroy(); resolve(null); }, 3000);
    sock.on('connect', () => sock.write(query));
    sock.on('data', (d) => {
      got = Buffer.concat([got, d]);
      if (got.length >= 2 && got.length >= 2 + got.readUInt16BE(0)) {
        clearTimeout(timer);
        sock.end();
        resolve(got.subarray(2));
      }
    });
    sock.on('error', () => { clearTimeout(timer); resolve(null); });
  });
  const t0 = Date.now();
  let answered = 0;
  for (let i = 0; i < 1000; i++) {
    const r = await ask();
    if (r && r.readUInt16BE(0) === 11 && r.readUInt16BE(6) === 1) answered++;
  }
  const ms = Date.now() - t0;
  console.log(`DNS over TCP: ${answered} of 1000 sequential connections answered in ${ms} ms`);
  assert.equal(answered, 1000);
  assert.ok(ms < 20000, `${ms} ms`);
});

test('expired names are NXDOMAIN', async () => {
  await createNamespace(stack, 'brief', 'alice', '5');
  await register('old.brief', '$ORIGIN old.brief\n@ IN A 192.0.2.50\n');
  assert.deepEqual(answers(await dig('old.brief', 'A')), [['A', '192.0.2.50']]);
  await stack.bcoin.mine(5030, stack.keys.miner.address.regtest);
  const height = await stack.bcoin.rpc('getblockcount');
  await waitFor(async () => (await (await fetch(`${stack.api}/v1/info`)).json()).last_block_processed >= height,
    { what: 'the node to pass the grace period', timeoutMs: 120000 });
  const r = await dig('old.brief', 'A');
  assert.equal(r.RCODE, 3);
  assert.equal(r.authorityRRs[0].TYPEname, 'SOA');
});
