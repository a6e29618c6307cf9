// gaia-hub under hostile load and faults (one attacker on loopback): uploads
// without a token cost no memory, half-open connections do not take the hub
// offline, writes are durable (the directory is fsynced after each rename), a
// full disk and over-long names get clear errors, aliases of one path do not lose
// updates, and request smuggling finds nothing to smuggle into.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';

import {
  binDir, halfOpen, run, servedShare, sleep, startGaiaHub, stopProcess, tempDir, waitFor, freePort,
} from './harness.mjs';

const require = createRequire(import.meta.url);
const { TokenSigner } = require('jsontokens');

const APP_KEY = 'e0a0eab434faf2c609cac5919b71a2348a747cdf7618cc8847c2d55d98e3df4e';
const APP_PUB = '03cc822fbe6349ecc5f4342205274041da53d54d6ab8e7c4ee343a11216e5540a7';
const ADDRESS = '16mHK3nMEhVGjSYGbzEGA37vej7HYzJ9Xn';
const FAULT_FS = path.join(binDir, '..', 'test', 'tools', 'fault_fs.so');
const MB = 1024 * 1024;

const challenge = (server = 'gaia-0') => JSON.stringify(['gaiahub', '0', server, 'blockstack_storage_please_sign']);
const token = (extra = {}) => `bearer v1:${new TokenSigner('ES256K', APP_KEY).sign(
  { gaiaChallenge: challenge(), iss: APP_PUB, iat: Math.floor(Date.now() / 1000), ...extra })}`;

const rssMb = (pid) => Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]) / 1024;

// Samples a process's RSS every 50 ms until stopped; resolves the peak in MB.
function watchRss(pid) {
  let peak = rssMb(pid);
  const timer = setInterval(() => { try { peak = Math.max(peak, rssMb(pid)); } catch { /* exited */ } }, 50);
  return () => { clearInterval(timer); return peak; };
}

// Opens a raw connection (from the given local address) and writes head, then
// body in pieces as fast as the socket takes them; resolves what came back.
function rawUpload(port, head, bodyBytes, { from = '127.0.0.1', timeoutMs = 30000 } = {}) {
  return new Promise((resolve) => {
    const sock = net.connect({ port, host: '127.0.0.1', localAddress: from });
    let answer = '';
    const done = () => { clearTimeout(timer); sock.destroy(); resolve(answer); };
    const timer = setTimeout(done, timeoutMs);
    sock.on('data', (d) => { answer += d; if (/\r\n\r\n[\s\S]*\}/.test(answer)) done(); });
    sock.on('error', done);
    sock.on('close', done);
    sock.on('connect', async () => {
      sock.write(head);
      const chunk = Buffer.alloc(256 * 1024, 0x61);
      for (let sent = 0; sent < bodyBytes && !sock.destroyed; sent += chunk.length) {
        if (!sock.write(chunk.subarray(0, Math.min(chunk.length, bodyBytes - sent)))) {
          await new Promise((r) => { sock.once('drain', r); sock.once('close', r); });
        }
      }
    });
  });
}

// A store on hub h with a fresh token (and extra headers).
const storeOn = (h, p, body, headers = {}) => fetch(`${h.url}/store/${ADDRESS}/${p}`,
  { method: 'POST', body, headers: { Authorization: token(), ...headers } });

const started = [];
async function hub(opts = {}) {
  const h = await startGaiaHub(opts);
  started.push(h);
  return h;
}
after(async () => { for (const h of started) await stopProcess(h.child); });

describe('gaia-hub: memory', () => {
  test('40 unauthenticated 20 MB uploads are refused from their headers; RSS stays under 100 MB', async () => {
    const h = await hub();
    const before = rssMb(h.child.pid);
    const stop = watchRss(h.child.pid);
    const head = (i) => `POST /store/${ADDRESS}/big${i}.bin HTTP/1.1\r\nHost: x\r\nContent-Length: ${20 * MB}\r\n\r\n`;
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => rawUpload(h.port, head(i), 20 * MB)));
    const peak = stop();
    console.log(`hub RSS: ${before.toFixed(1)} MB before, ${peak.toFixed(1)} MB peak during 40 x 20 MB unauthenticated uploads`);
    for (const a of answers) assert.match(a, /^HTTP\/1\.1 401/, a.slice(0, 200));
    assert.ok(peak < 100, `peak RSS ${peak} MB`);
    assert.ok(!existsSync(path.join(h.dir, 'storage', ADDRESS)), 'nothing stored');
  });

  test('authenticated 20 MB uploads stream to disk; RSS stays under 150 MB and the files are whole', async () => {
    const h = await hub();
    const stop = watchRss(h.child.pid);
    const auth = token();
    const head = (i) => `POST /store/${ADDRESS}/whole${i}.bin HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\n` +
      `Content-Length: ${20 * MB}\r\nConnection: close\r\n\r\n`;
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => rawUpload(h.port, head(i), 20 * MB)));
    const peak = stop();
    console.log(`hub RSS: ${peak.toFixed(1)} MB peak during 8 x 20 MB authenticated uploads`);
    const expected = createHash('md5').update(Buffer.alloc(20 * MB, 0x61)).digest('hex');
    for (const a of answers) {
      assert.match(a, /^HTTP\/1\.1 202/, a.slice(0, 300));
      assert.equal(JSON.parse(a.slice(a.indexOf('{'))).etag, expected);
    }
    assert.ok(peak < 150, `peak RSS ${peak} MB`);
    const read = await fetch(`${h.url}/read/${ADDRESS}/whole3.bin`);
    assert.equal(createHash('md5').update(Buffer.from(await read.arrayBuffer())).digest('hex'), expected);
    assert.deepEqual(readdirSync(path.join(h.dir, 'storage', '.gaia-tmp')), [], 'no spool file left behind');
  });

  test('bodies in flight are bounded: past the bound, 503 with Retry-After', async () => {
    const h = await hub({ config: { maxFileUploadSize: 4, serverLimits: { maxBodyBytesInFlight: 8 * MB } } });
    const auth = token();
    // Two 4 MB uploads that stall half way hold the whole budget.
    const socks = [];
    for (let i = 0; i < 2; i++) {
      const sock = net.connect(h.port, '127.0.0.1');
      sock.on('error', () => {});
      await new Promise((r) => sock.on('connect', r));
      sock.write(`POST /store/${ADDRESS}/held${i} HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Length: ${4 * MB}\r\n\r\nab`);
      socks.push(sock);
    }
    await sleep(300);
    const third = await rawUpload(h.port, `POST /store/${ADDRESS}/third HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\n` +
      `Content-Length: ${MB}\r\n\r\n`, MB);
    assert.match(third, /^HTTP\/1\.1 503/);
    assert.match(third, /Retry-After: \d+/);
    for (const s of socks) s.destroy();
    await sleep(300);
    const fourth = await rawUpload(h.port, `POST /store/${ADDRESS}/fourth HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\n` +
      `Content-Length: ${MB}\r\nConnection: close\r\n\r\n`, MB);
    assert.match(fourth, /^HTTP\/1\.1 202/);
  });

  test('Expect: 100-continue is answered at once (curl)', async () => {
    const h = await hub();
    const file = path.join(tempDir('curl'), 'up.bin');
    writeFileSync(file, Buffer.alloc(2 * MB, 1));
    const t0 = Date.now();
    const r = await run('curl', ['-s', '-S', '-o', '-', '-w', '\n%{http_code}', '-H', `Authorization: ${token()}`,
      '--data-binary', `@${file}`, `${h.url}/store/${ADDRESS}/curl.bin`], { dir: '/usr/bin' });
    const ms = Date.now() - t0;
    assert.match(r.stdout, /\n202$/, r.stdout + r.stderr);
    assert.ok(ms < 900, `curl took ${ms} ms (a missing 100 Continue costs it a second)`);
    // Refused from the head: no 100, the refusal instead.
    const refused = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--data-binary', `@${file}`,
      `${h.url}/store/${ADDRESS}/curl.bin`], { dir: '/usr/bin' });
    assert.equal(refused.stdout, '401');
  });
});

describe('gaia-hub: connections', () => {
  for (const [what, addresses] of [
    ['one address', ['127.0.0.2']],
    ['30 addresses', Array.from({ length: 30 }, (_, i) => `127.0.0.${i + 2}`)],
  ]) {
    test(`1,100 half-open connections from ${what}: a normal client is still answered (>= 95%)`, async () => {
      const h = await hub();
      const attack = halfOpen(h.port, 1100, addresses);
      try {
        await waitFor(() => attack.opened() >= 1100, { what: 'the attack connections' });
        const rate = await servedShare(`${h.url}/hub_info`, 100);
        console.log(`hub answered ${(rate * 100).toFixed(0)}% of 100 requests during 1,100 half-open connections from ${what}`);
        assert.ok(rate >= 0.95, `answered ${rate}`);
      } finally {
        attack.stop();
      }
    });
  }
});

describe('gaia-hub: durability and clear errors', () => {
  test('each write fsyncs the file, renames it, then fsyncs its directory', async () => {
    const dir = tempDir('fsync');
    const root = path.join(dir, 'storage');
    const log = path.join(dir, 'calls.log');
    const h = await hub({ storageRoot: root, env: { LD_PRELOAD: FAULT_FS, FAULT_FS_LOG: log, FAULT_FS_ROOT: root } });
    const store = (p, body) => storeOn(h, p, body);
    assert.equal((await store('deep/er/file.txt', 'hello')).status, 202);
    assert.equal((await store('small.txt', 'x'.repeat(200000))).status, 202);  // spooled
    const deleted = await fetch(`${h.url}/delete/${ADDRESS}/small.txt`, { method: 'DELETE', headers: { Authorization: token() } });
    assert.equal(deleted.status, 202);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    const bucket = path.join(root, ADDRESS);
    for (const [file, dirOf] of [['deep/er/file.txt', 'deep/er'], ['small.txt', '']]) {
      const target = path.join(bucket, file);
      const renamed = lines.findIndex((l) => l.startsWith('rename ') && l.endsWith(` ${target}`));
      assert.ok(renamed > 0, `rename into ${file}: ${lines.join('\n')}`);
      const temp = lines[renamed].split(' ')[1];
      assert.ok(lines.slice(0, renamed).includes(`fsync ${temp}`), `${file} fsynced before its rename`);
      assert.ok(lines.slice(renamed + 1).includes(`fsync ${path.join(bucket, dirOf)}`.replace(/\/$/, '')),
        `the directory of ${file} fsynced after its rename`);
    }
    // New directories are made durable in their parents too.
    assert.ok(lines.includes(`fsync ${bucket}`), 'the bucket directory fsynced when deep/ was created');
    const unlinked = lines.findIndex((l) => l === `unlink ${path.join(bucket, 'small.txt')}`);
    assert.ok(unlinked > 0 && lines.slice(unlinked + 1).includes(`fsync ${bucket}`), 'a delete fsyncs its directory');
  });

  test('a full disk answers 507 and keeps the old content; names too long answer 403', async () => {
    const dir = tempDir('full');
    const root = path.join(dir, 'storage');
    const flag = path.join(dir, 'full');
    const h = await hub({ storageRoot: root, env: { LD_PRELOAD: FAULT_FS, FAULT_FS_ROOT: root, FAULT_FS_FULL: flag } });
    const store = (p, body) => storeOn(h, p, body);
    assert.equal((await store('keep.txt', 'original')).status, 202);
    writeFileSync(flag, '');
    for (const body of ['small change', 'y'.repeat(300000)]) {
      const r = await store('keep.txt', body);
      assert.equal(r.status, 507);
      assert.match((await r.json()).message, /no space left/);
    }
    rmSync(flag);
    assert.equal(await (await fetch(`${h.url}/read/${ADDRESS}/keep.txt`)).text(), 'original');
    assert.deepEqual(readdirSync(path.join(root, '.gaia-tmp')), []);
    const long = await store(`${'n'.repeat(300)}.txt`, 'x');
    assert.equal(long.status, 403);
    const body = await long.json();
    assert.equal(body.error, 'BadPathError');
    assert.match(body.message, /longer than 255 bytes/);
  });

  test('writers through path aliases (x, ./x, /x) with one If-Match: exactly one wins, 30 rounds', async () => {
    const h = await hub();
    const store = (p, body, headers) => storeOn(h, p, body, headers);
    for (let round = 0; round < 30; round++) {
      const { etag } = await (await store('alias.txt', `base ${round}`)).json();
      const rs = await Promise.all(['alias.txt', './alias.txt', '%2Falias.txt'].map((p, i) =>
        store(p, `writer ${i}`, { 'If-Match': etag })));
      const codes = rs.map((r) => r.status);
      assert.equal(codes.filter((c) => c === 202).length, 1, `round ${round}: ${codes}`);
    }
  });

  test('a file name that is not UTF-8 is refused before anything is written; list-files keeps working', async () => {
    const h = await hub();
    const auth = token();
    const answer = await rawUpload(h.port, `POST /store/${ADDRESS}/bad%FF%FEname HTTP/1.1\r\nHost: x\r\n` +
      `Authorization: ${auth}\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx`, 0);
    assert.match(answer, /^HTTP\/1\.1 403/);
    assert.match(answer, /BadPathError/);
    const list = await fetch(`${h.url}/list-files/${ADDRESS}`, { method: 'POST', headers: { Authorization: auth } });
    assert.equal(list.status, 202);
    assert.deepEqual((await list.json()).entries, []);
  });

  test('reads send nosniff; a percent-encoded .. on the read path does not reach /metrics', async () => {
    const h = await hub();
    await fetch(`${h.url}/store/${ADDRESS}/page.html`, { method: 'POST', body: '<script>1</script>',
      headers: { Authorization: token(), 'Content-Type': 'text/html' } });
    const read = await fetch(`${h.url}/read/${ADDRESS}/page.html`);
    assert.equal(read.headers.get('x-content-type-options'), 'nosniff');
    for (const p of ['/read/%2e%2e/metrics', '/read/..%2fmetrics', '/read/%2E%2E/%2E%2E/metrics', '/read/x/%2e%2e/%2e%2e/metrics']) {
      const r = await rawUpload(h.port, `GET ${p} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, 0, { timeoutMs: 3000 });
      assert.doesNotMatch(r, /gaia_requests_total/, p);
      assert.match(r, /^HTTP\/1\.1 (400|404)/, p);
    }
  });

  test('request smuggling: conflicting lengths and bad chunking are refused, never split into two requests', async () => {
    const h = await hub();
    const smuggled = `GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n`;
    const cases = [
      `POST /store/${ADDRESS}/a HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nContent-Length: 40\r\n\r\nabcd${smuggled}`,
      `POST /store/${ADDRESS}/a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggled}`,
      `POST /store/${ADDRESS}/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n${smuggled}`,
      `POST /store/${ADDRESS}/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n${smuggled}`,
    ];
    for (const c of cases) {
      const r = await rawUpload(h.port, c, 0, { timeoutMs: 3000 });
      assert.doesNotMatch(r, /gaia_requests_total/, c);
      assert.match(r, /^HTTP\/1\.1 4\d\d/, c);
    }
  });

  test('kill -9 during writes leaves every file old or new, never torn', async () => {
    const root = path.join(tempDir('kill'), 'storage');
    const port = await freePort();
    const body = (v) => `${v}:`.padEnd(100000, String(v));
    for (let round = 0; round < 3; round++) {
      const h = await startGaiaHub({ storageRoot: root, port });
      const auth = token();
      if (round === 0) {
        for (let i = 0; i < 10; i++) {
          await fetch(`${h.url}/store/${ADDRESS}/f${i}`, { method: 'POST', body: body(0), headers: { Authorization: auth } });
        }
      }
      const writes = Array.from({ length: 10 }, (_, i) => fetch(`${h.url}/store/${ADDRESS}/f${i}`,
        { method: 'POST', body: body(round + 1), headers: { Authorization: auth } }).catch(() => null));
      await sleep(5 + round * 5);
      h.child.kill('SIGKILL');
      await Promise.all(writes);
      await waitFor(() => h.child.exitCode !== null || h.child.signalCode !== null, { what: 'the hub to die' });
      for (let i = 0; i < 10; i++) {
        const text = readFileSync(path.join(root, ADDRESS, `f${i}`), 'utf8');
        assert.ok([0, 1, 2, 3].map(body).includes(text), `f${i} torn after kill -9 in round ${round}`);
      }
    }
  });
});

describe('gaia-hub: auth settings', () => {
  test('GAIA_REQUIRE_CORRECT_HUB_URL=1 turns the hub-URL check on; a bad value refuses to start', async () => {
    const h = await hub({ env: { GAIA_REQUIRE_CORRECT_HUB_URL: '1', GAIA_VALID_HUB_URLS: 'https://hub.example' } });
    assert.match(h.child.output, /requireCorrectHubUrl on/);
    const store = (auth) => fetch(`${h.url}/store/${ADDRESS}/u.txt`, { method: 'POST', body: 'x', headers: { Authorization: auth } });
    assert.equal((await store(token({ hubUrl: 'https://other.example' }))).status, 401);
    assert.equal((await store(token())).status, 401);
    assert.equal((await store(token({ hubUrl: 'https://hub.example' }))).status, 202);
    const bad = await run('gaia-hub', ['--listen', '127.0.0.1:0', '--storage-root', tempDir('bad')],
      { env: { ...process.env, GAIA_REQUIRE_CORRECT_HUB_URL: 'yes' } });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /GAIA_REQUIRE_CORRECT_HUB_URL must be an integer/);
  });

  test('the original configuration forms: CONFIG_PATH, a number for the flag, servername, GAIA_PAGE_SIZE', async () => {
    const file = path.join(tempDir('config-path'), 'config.json');
    writeFileSync(file, JSON.stringify({ servername: 'old.example', requireCorrectHubUrl: 1,
      validHubUrls: [' https://hub.example '] }));
    const h = await hub({ env: { CONFIG_PATH: file, GAIA_CACHE_CONTROL: 'no-store' } });
    assert.match(h.child.output, /requireCorrectHubUrl on, serverName old\.example, validHubUrls \[https:\/\/hub\.example\]/);
    const info = await (await fetch(`${h.url}/hub_info`)).json();
    assert.match(info.challenge_text, /old\.example/);
    const store = (auth) => fetch(`${h.url}/store/${ADDRESS}/c.txt`, { method: 'POST', body: 'x', headers: { Authorization: auth } });
    assert.equal((await store(token({ hubUrl: 'https://hub.example' }))).status, 401);  // gaia-0's challenge
    assert.equal((await store(token({ hubUrl: 'https://hub.example', gaiaChallenge: challenge('old.example') })))
      .status, 202);
    assert.equal((await fetch(`${h.url}/read/${ADDRESS}/c.txt`)).headers.get('cache-control'), 'no-store');
    const bad = await run('gaia-hub', ['--listen', '127.0.0.1:0', '--storage-root', tempDir('bad')],
      { env: { ...process.env, GAIA_PAGE_SIZE: '12abc' } });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /GAIA_PAGE_SIZE must be an integer/);
    const missing = await run('gaia-hub', ['--listen', '127.0.0.1:0', path.join(tempDir('none'), 'absent.json')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read config file/);
  });
});
