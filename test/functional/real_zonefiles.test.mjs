// The v1 network's real zone files (test/data/real/genesis_zonefiles.txt, 816 of
// them): each hashes to its recorded hash, and our client reads every one exactly
// as the original clients did (npm zone-file, which blockstack.js uses, is the
// referee): the same origin, TTL and records, including "$ORIGIN a.id $TTL 3600"
// on one line, URI records with and without IN, tabs and spaces, TXT records.
// Then all of them on a regtest node: each name imported with its real hash,
// every file accepted by POST /v1/zonefile and by import-zonefiles and served
// back byte for byte, judged standard as the original node judged them, answered
// over DNS, resolved by `blockstack lookup` up to its profile (the real https
// hosts sent to a local TLS server with --connect-to), and every subdomain
// record in them served as the original read it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';

import { binDir, freePort, hash160, makeCertificates, repoRoot, run, startProcess, startStack, stopProcess, tempDir,
  waitFor } from './harness.mjs';

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

// --- the same files on a regtest node ----------------------------------------------

// Whether the original node's reader (the Python blockstack_zones package, 0.19)
// accepted a zone file, as far as these files need: lines tokenized (quotes,
// escapes, ";" comments), the class IN dropped, a missing owner taken as "@";
// then a $ORIGIN or $TTL line has exactly one argument ($TTL an integer), and a
// record is NAME [TTL] TYPE and exactly its type's fields (integers where it
// wants them; TXT one string or more). A file it refused was the original's
// "Non-standard zone file".
function originalAccepts(text) {
  const FIELDS = { SOA: 'ssiiiii', NS: 's', A: 's', AAAA: 's', CNAME: 's', MX: 'ss', TXT: '+', PTR: 's',
    SRV: 'iiis', SPF: 's', URI: 'iis' };
  const isInt = (t) => /^[-+]?[0-9]+$/.test(t);
  const tokenize = (line) => {
    const out = [];
    let tok = '';
    let quote = false;
    let escape = false;
    for (const c of line) {
      if (/\s/.test(c) && !quote && !escape) {
        if (tok) out.push(tok);
        tok = '';
      } else if (c === '\\' && !escape) {
        escape = true;
      } else if (c === '"' && !escape) {
        if (quote) { out.push(tok); tok = ''; }
        quote = !quote;
      } else if (c === ';' && !escape && !quote) {
        out.push(tok);
        tok = '';
        break;
      } else {
        tok += c;
        escape = false;
      }
    }
    if (tok.trim()) out.push(tok);
    return out.filter((t, i) => t !== '' || i > 0);
  };
  for (const line of text.split('\n')) {
    let t = tokenize(line);
    if (t.length === 0) continue;
    const cls = t.findIndex((x) => x.toUpperCase() === 'IN');
    if (cls >= 0) {
      if (t[cls] !== 'IN') return false;
      t.splice(cls, 1);
    }
    if (t[0] in FIELDS) t = ['@', ...t];
    if (t[0] === '$ORIGIN' || t[0] === '$TTL') {
      if (t.length !== 2 || (t[0] === '$TTL' && !isInt(t[1]))) return false;
      continue;
    }
    const at = t[1] in FIELDS ? 1 : t[2] in FIELDS ? 2 : -1;
    if (at < 0 || (at === 2 && !isInt(t[1]))) return false;
    const want = FIELDS[t[at]];
    const fields = t.slice(at + 1);
    if (want === '+') {
      if (fields.length === 0) return false;
    } else if (fields.length !== want.length || [...want].some((k, i) => k === 'i' && !isInt(fields[i]))) {
      return false;
    }
  }
  return true;
}

// One DNS query over TCP: the answers' [type, rdata bytes] for name/type.
function dnsQuery(port, name, type) {
  const labels = name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)]));
  const q = Buffer.concat([Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]), ...labels, Buffer.from([0]),
    Buffer.from([type >> 8, type & 255, 0, 1])]);
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let got = Buffer.alloc(0);
    sock.setTimeout(5000, () => { sock.destroy(); reject(new Error(`DNS ${name} timed out`)); });
    sock.on('error', reject);
    sock.on('connect', () => sock.write(Buffer.concat([Buffer.from([q.length >> 8, q.length & 255]), q])));
    sock.on('data', (d) => {
      got = Buffer.concat([got, d]);
      if (got.length < 2 || got.length < 2 + got.readUInt16BE(0)) return;
      sock.end();
      const m = got.subarray(2, 2 + got.readUInt16BE(0));
      const skipName = (at) => {
        while (m[at] !== 0) {
          if ((m[at] & 0xc0) === 0xc0) return at + 2;
          at += m[at] + 1;
        }
        return at + 1;
      };
      let at = skipName(12) + 4;
      const answers = [];
      for (let i = 0; i < m.readUInt16BE(6); i++) {
        at = skipName(at);
        const rtype = m.readUInt16BE(at);
        const len = m.readUInt16BE(at + 8);
        answers.push([rtype, m.subarray(at + 10, at + 10 + len)]);
        at += 10 + len;
      }
      resolve({ rcode: m[3] & 15, answers });
    });
  });
}

// What a record's owner name is as a DNS name, in the zone of origin.
const ownerName = (name, origin) => (name === '@' ? origin : name.endsWith('.') ? name.slice(0, -1) : `${name}.${origin}`);

// Runs fn over items, `width` at a time.
async function pool(items, width, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  }));
}

test('on a regtest node: imported, stored, served, answered over DNS, resolved', { timeout: 900000 }, async () => {
  const dir = tempDir('real-zonefiles-node');
  const files = realZonefiles().map((f) => ({ ...f, parsed: parseZoneFile(f.text) }));
  for (const f of files) f.name = f.parsed.$origin;
  const dnsPort = await freePort();
  const stack = await startStack(dir, ['alice', 'importer'], { daemonArgs: ['--dns', `127.0.0.1:${dnsPort}`] });
  const servers = [];
  let second;
  try {
    const { alice, importer } = stack.keys;
    const key = ['--key', alice.wif.regtest];
    // The names' owner: a key the Bitcoin node's wallet does not hold (816
    // outputs to a wallet key would make every listunspent longer).
    const owner = await stack.cli(['keys', 'generate']);
    // Each namespace revealed by alice to the importer, who imports its names
    // and readies it.
    const t0 = Date.now();
    const namespaces = [...new Set(files.map((f) => f.name.split('.').pop()))];
    for (const ns of namespaces) {
      await stack.mined(['namespace', 'preorder', ns, '--reveal-address', importer.address.regtest, ...key, '--wait']);
      await stack.mined(['namespace', 'reveal', ns, '--lifetime', '52595', '--coeff', '250', '--base', '4', '--buckets',
        '6,5,4,3,2,1,0,0,0,0,0,0,0,0,0,0', '--nonalpha-discount', '10', '--no-vowel-discount', '10',
        '--reveal-address', importer.address.regtest, ...key, '--wait']);
    }
    // NAME_IMPORT with each real hash; a block every 20 (bcoin drops a
    // transaction whose chain of unconfirmed ancestors passes 25). bcoin takes
    // transactions in asynchronously: each import is waited for in the mempool
    // before the next lists the wallet's outputs, or a busy machine has the next
    // spend the same output again, and bcoin drops it.
    for (const [i, f] of files.entries()) {
      f.txid = (await stack.cli(['name', 'import', f.name, '--to', owner.address.regtest, '--zonefile-hash', f.hash,
        '--key', importer.wif.regtest])).txid;
      await stack.bcoin.inMempool(f.txid);
      if (i % 20 === 19) await stack.bcoin.mine(1, stack.keys.miner.address.regtest);
    }
    await stack.bcoin.mine(1, stack.keys.miner.address.regtest);
    for (const ns of namespaces) {
      await stack.mined(['namespace', 'ready', ns, '--key', importer.wif.regtest, '--wait']);
    }
    const tip = await stack.bcoin.rpc('getblockcount');
    await waitFor(async () => (await (await fetch(`${stack.api}/v1/info`)).json()).last_block_processed >= tip,
      { what: 'the node at the tip', timeoutMs: 60000 });
    console.log(`imported in ${(Date.now() - t0) / 1000} s`);
    const refused = [];
    for (const f of files) {
      if ((await fetch(`${stack.api}/v1/names/${f.name}`)).status === 200) continue;
      const tx = await (await fetch(`${stack.api}/v1/blockchains/bitcoin/transactions/${f.txid}`)).json();
      let raw;
      try { raw = await stack.bcoin.rpc('getrawtransaction', [f.txid, 1]); } catch (e) { raw = String(e); }
      refused.push({ name: f.name, tx: tx.tx, i: files.indexOf(f), raw: JSON.stringify(raw).slice(0, 600) });
    }
    assert.deepEqual(refused.slice(0, 3), []);

    // Every file through POST /v1/zonefile, then served back byte for byte, and
    // judged as the original's reader judged it.
    const NON_STANDARD = 'Non-standard zone file.  Try passing raw=1 to get the raw zone file.';
    for (const f of files) {
      const res = await fetch(`${stack.api}/v1/zonefile`, { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ zonefile: f.text }) });
      assert.equal(res.status, 200, `${f.name}: ${await res.text()}`);
    }
    const serve = async (api) => {
      const wrong = [];
      await pool(files, 8, async (f) => {
        const raw = await fetch(`${api}/v1/names/${f.name}/zonefile?raw=1`);
        const body = Buffer.from(await raw.arrayBuffer()).toString('utf8');
        const judged = await (await fetch(`${api}/v1/names/${f.name}/zonefile`)).json();
        const rec = await (await fetch(`${api}/v1/names/${f.name}`)).json();
        const judgedRight = originalAccepts(f.text) ? judged.zonefile === f.text : judged.error === NON_STANDARD;
        if (raw.status !== 200 || body !== f.text || !judgedRight || rec.zonefile !== f.text ||
          rec.zonefile_hash !== f.hash) wrong.push(f.name);
      });
      return wrong;
    };
    assert.deepEqual(await serve(stack.api), []);

    // import-zonefiles on a second node of the same chain: all stored, all served.
    const api2Port = await freePort();
    const data2 = path.join(dir, 'node2');
    const daemon2 = ['--network', 'regtest', '--bitcoind', stack.bcoin.url, '--first-block', '100', '--poll-seconds',
      '0.1', '--data-dir', data2, '--api', `127.0.0.1:${api2Port}`];
    const api2 = `http://127.0.0.1:${api2Port}`;
    const atTip = async () => {
      await waitFor(async () => {
        try { return (await (await fetch(`${api2}/v1/info`)).json()).last_block_processed >= tip; } catch { return false; }
      }, { what: 'the second node at the tip', timeoutMs: 60000 });
    };
    second = startProcess(path.join(binDir, 'blockstackd'), daemon2);
    await atTip();
    await stopProcess(second);
    const from = path.join(dir, 'reference');
    mkdirSync(from);
    for (const f of files) writeFileSync(path.join(from, `${f.hash}.txt`), f.text);
    const imported = await run('blockstackd', ['import-zonefiles', '--data-dir', data2, '--from', from, '--log-level',
      'error'], { timeoutMs: 120000 });
    assert.equal(imported.code, 0, imported.stderr);
    const summary = JSON.parse(imported.stdout);
    assert.equal(summary.stored, files.length, imported.stdout);
    second = startProcess(path.join(binDir, 'blockstackd'), daemon2);
    await atTip();
    assert.deepEqual(await serve(api2), []);

    // Over DNS: each owner name's URI and TXT records, as npm zone-file reads the file.
    const dnsWrong = [];
    await pool(files, 8, async (f) => {
      const expected = new Map();  // "owner type" -> sorted rdata texts
      const add = (name, type, text) => {
        const k = `${ownerName(name, f.name)} ${type}`;
        expected.set(k, [...(expected.get(k) ?? []), text]);
      };
      for (const u of f.parsed.uri ?? []) add(u.name, 256, `${u.priority} ${u.weight} ${u.target}`);
      for (const t of f.parsed.txt ?? []) add(t.name, 16, [].concat(t.txt).join(''));
      for (const [k, want] of expected) {
        const [name, type] = k.split(' ');
        const got = await dnsQuery(dnsPort, name, Number(type));
        const texts = got.answers.filter(([t]) => t === Number(type)).map(([t, rd]) => {
          if (t === 256) return `${rd.readUInt16BE(0)} ${rd.readUInt16BE(2)} ${rd.subarray(4).toString('latin1')}`;
          const parts = [];
          for (let at = 0; at < rd.length; at += rd[at] + 1) parts.push(rd.subarray(at + 1, at + 1 + rd[at]).toString('latin1'));
          return parts.join('');
        });
        if (!isDeepStrictEqual(texts.sort(), [...want].sort())) dnsWrong.push({ name, type, want, got: texts });
      }
    });
    assert.deepEqual(dnsWrong.slice(0, 3), []);

    // Every subdomain record, read as the original read it: owner, sequence and
    // the embedded zone file (the base64 of its parts).
    const subs = [];
    for (const f of files) {
      for (const t of f.parsed.txt ?? []) {
        const kv = Object.fromEntries([].concat(t.txt).map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
        if (!('owner' in kv)) continue;
        const zf = Array.from({ length: Number(kv.parts) }, (_, i) => kv[`zf${i}`]).join('');
        subs.push({ fqn: `${t.name}.${f.name}`, owner: kv.owner, seqn: Number(kv.seqn),
          zonefile: Buffer.from(zf, 'base64').toString('latin1') });
      }
    }
    assert.ok(subs.length >= 137, String(subs.length));
    await waitFor(async () => (await (await fetch(`${stack.api}/v1/blockchains/bitcoin/subdomains_count`)).json())
      .names_count >= subs.length, { what: 'every subdomain indexed', timeoutMs: 60000 });
    const subWrong = [];
    for (const s of subs) {
      const res = await fetch(`${stack.api}/v1/names/${s.fqn}`);
      const got = await res.json();
      if (res.status !== 200 || got.address !== s.owner || got.sequence !== s.seqn || got.zonefile !== s.zonefile) {
        subWrong.push({ ...s, status: res.status, got });
      }
    }
    assert.deepEqual(subWrong.slice(0, 3), []);

    // blockstack lookup, up to the profile: every https host of the files sent to
    // a local TLS server (certificates for those names, signed by a test CA) that
    // serves the owner's signed profile, and every http host to a plain one.
    const targets = files.flatMap((f) => (f.parsed.uri ?? []).filter((u) => u.name !== '_resolver')
      .map((u) => (u.target.includes('://') ? u.target : `https://${u.target}`)));
    const origins = [...new Set(targets.filter((t) => /^https?:\/\//.test(t)).map((t) => new URL(t).origin))];
    const hosts = [...new Set(origins.map((o) => new URL(o).hostname))];
    const certs = makeCertificates(dir, { hosts });
    const profile = path.join(dir, 'real.json');
    writeFileSync(profile, JSON.stringify({ '@type': 'Person', name: 'Real' }));
    const token = await stack.cli(['profile', 'sign', profile, '--key', owner.wif.regtest], { json: false });
    const served = [];
    const answer = (req, res) => {
      served.push(`${req.headers.host}${req.url}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(token);
    };
    const tlsServer = https.createServer({ key: certs.key, cert: certs.cert }, answer);
    const plainServer = http.createServer(answer);
    for (const srv of [tlsServer, plainServer]) {
      servers.push(srv);
      await new Promise((r) => srv.listen(0, '127.0.0.1', r));
    }
    const connectTo = origins.flatMap((o) => {
      const u = new URL(o);
      const port = u.port || (u.protocol === 'https:' ? '443' : '80');
      const to = (u.protocol === 'https:' ? tlsServer : plainServer).address().port;
      return ['--connect-to', `${u.hostname}:${port}:127.0.0.1:${to}`];
    });
    const started = Date.now();
    const lookupWrong = [];
    await pool(files, 4, async (f) => {
      const r = await run('blockstack', ['--json', '--network', 'regtest', '--node', stack.api, '--ca-file', certs.ca,
        ...connectTo, 'lookup', f.name]);
      const urls = (f.parsed.uri ?? []).filter((u) => u.name !== '_resolver');
      if (urls.length === 0) {
        if (r.code !== 15) lookupWrong.push({ name: f.name, code: r.code, stderr: r.stderr });
        return;
      }
      const out = r.code === 0 ? JSON.parse(r.stdout) : null;
      if (!out || out.profile.name !== 'Real' || !/^https?:\/\//.test(out.profile_url)) {
        lookupWrong.push({ name: f.name, code: r.code, stderr: r.stderr.slice(0, 300) });
      }
    });
    assert.deepEqual(lookupWrong.slice(0, 3), []);
    assert.ok(served.some((s) => s.startsWith('gaia.blockstack.org/hub/')), served.slice(0, 3).join(' '));
    const nonStandard = files.filter((f) => !originalAccepts(f.text)).map((f) => f.name);
    console.log(`${files.length} names imported and resolved; non-standard to the original node: ${nonStandard}; ` +
      `${subs.length} subdomains; lookups ${(Date.now() - started) / 1000} s; ` +
      `${origins.length} profile origins; ${served.length} profile fetches`);
  } finally {
    for (const srv of servers) {
      srv.closeAllConnections();
      srv.close();
    }
    if (second) await stopProcess(second);
    await stack.stop();
  }
});
