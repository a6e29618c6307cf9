// gaia-hub against the real @stacks/storage client (disk and S3 drivers), our CLI
// reading what the JS client wrote and the reverse, and hostile requests.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

import { freePort, makeCertificates, repoRoot, run, startAzurite, startGaiaHub, stopProcess, tempDir, waitFor } from './harness.mjs';

const require = createRequire(import.meta.url);
const { UserSession, AppConfig } = require('@stacks/auth');
const { Storage } = require('@stacks/storage');
const { config: stacksConfig } = require('@stacks/common');
const { TokenSigner } = require('jsontokens');
const { signECDSA } = require('@stacks/encryption');
const S3rver = require('s3rver');

stacksConfig.logLevel = 'error';

const APP_KEY = 'e0a0eab434faf2c609cac5919b71a2348a747cdf7618cc8847c2d55d98e3df4e';
const APP_PUB = '03cc822fbe6349ecc5f4342205274041da53d54d6ab8e7c4ee343a11216e5540a7';
const ADDRESS = '16mHK3nMEhVGjSYGbzEGA37vej7HYzJ9Xn';
const OTHER_KEY = 'bb75bbdd1ac307c4a9f7a72dc04e2982d055a39f9e468e9bad9e807e5ad38260';

function storageFor(hubUrl, appPrivateKey = APP_KEY) {
  const userSession = new UserSession({
    appConfig: new AppConfig(['store_write'], 'http://localhost'),
    sessionOptions: { userData: { appPrivateKey, hubUrl } },
  });
  return new Storage({ userSession });
}

const cli = (hub, args) => run('blockstack', ['gaia', ...args, '--hub', hub, '--key', APP_KEY]);

function v1Token(payload, key = APP_KEY) {
  return `bearer v1:${new TokenSigner('ES256K', key).sign(payload)}`;
}

// An HTTP request whose path is sent exactly as given.
function rawRequest(port, method, requestPath, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: requestPath, headers }, (res) => {
      let data = '';
      res.on('data', (d) => { data += d; });
      res.on('end', () => resolve({ status: res.statusCode, body: data }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const challenge = (server = 'gaia-0') => JSON.stringify(['gaiahub', '0', server, 'blockstack_storage_please_sign']);

// Runs the client suite against one hub configuration.
function clientSuite(name, startHub) {
  describe(name, () => {
    let hub;
    before(async () => { hub = await startHub(); });
    after(async () => { await stopProcess(hub.child); await hub.stop?.(); });

    test('putFile/getFile: plain, encrypted, signed, encrypted and signed', async () => {
      const s = storageFor(hub.url);
      const cases = [
        ['plain.txt', 'hello gaia', { encrypt: false }, { decrypt: false }],
        ['enc.txt', 'a secret', { encrypt: true }, { decrypt: true }],
        ['signed.txt', 'signed words', { encrypt: false, sign: true }, { decrypt: false, verify: true }],
        ['both.bin', new Uint8Array([0, 1, 2, 250, 255]), { encrypt: true, sign: true }, { decrypt: true, verify: true }],
      ];
      for (const [file, content, putOpts, getOpts] of cases) {
        const url = await s.putFile(file, content, putOpts);
        assert.match(url, new RegExp(`${ADDRESS}/${file.replace('.', '\\.')}$`));
        const back = await s.getFile(file, getOpts);
        if (content instanceof Uint8Array) assert.deepEqual(new Uint8Array(back), content);
        else assert.equal(back, content);
      }
      // Overwrite: the client sends If-Match with the ETag it saw.
      await s.putFile('plain.txt', 'hello again', { encrypt: false });
      assert.equal(await s.getFile('plain.txt', { decrypt: false }), 'hello again');
    });

    test('the hub serves reads: GET and HEAD with ETag, Last-Modified, Cache-Control; 304', async () => {
      const s = storageFor(hub.url);
      const url = await s.putFile('served.json', '{"a":1}', { encrypt: false, contentType: 'application/json' });
      const got = await fetch(url);
      assert.equal(got.status, 200);
      assert.equal(await got.text(), '{"a":1}');
      assert.equal(got.headers.get('content-type'), 'application/json');
      const etag = got.headers.get('etag');
      assert.ok(etag);
      assert.ok(got.headers.get('last-modified'));
      assert.equal(got.headers.get('cache-control'), 'public, max-age=1');
      assert.match(got.headers.get('access-control-expose-headers'), /ETag/);
      const head = await fetch(url, { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('content-length'), '7');
      assert.equal(await head.text(), '');
      assert.equal((await fetch(url, { headers: { 'If-None-Match': etag } })).status, 304);
      assert.equal((await fetch(url, { headers: { 'If-None-Match': '"other"' } })).status, 200);
      assert.equal((await fetch(`${url}.missing`)).status, 404);
    });

    test('our CLI reads what the JS client wrote, and the reverse', async () => {
      const s = storageFor(hub.url);
      await s.putFile('js-plain.txt', 'from js', { encrypt: false, dangerouslyIgnoreEtag: true });
      await s.putFile('js-enc.txt', 'from js, encrypted', { encrypt: true, dangerouslyIgnoreEtag: true });
      await s.putFile('js-signed.txt', 'from js, signed', { encrypt: false, sign: true, dangerouslyIgnoreEtag: true });
      await s.putFile('js-both.txt', 'from js, both', { encrypt: true, sign: true, dangerouslyIgnoreEtag: true });
      const get = async (file, flags) => {
        const r = await cli(hub.url, ['get', file, ...flags]);
        assert.equal(r.code, 0, r.stderr);
        return r.stdout;
      };
      assert.equal(await get('js-plain.txt', []), 'from js');
      assert.equal(await get('js-enc.txt', ['--decrypt']), 'from js, encrypted');
      assert.equal(await get('js-signed.txt', ['--verify']), 'from js, signed');
      assert.equal(await get('js-both.txt', ['--decrypt', '--verify']), 'from js, both');

      const put = async (file, flags) => {
        const r = await cli(hub.url, ['put', file, '--text', ...flags]);
        assert.equal(r.code, 0, r.stderr);
      };
      await put('cli-plain.txt', ['--data', 'from cli']);
      await put('cli-enc.txt', ['--data', 'from cli, encrypted', '--encrypt']);
      await put('cli-enc64.txt', ['--data', 'from cli, base64', '--encrypt', '--base64']);
      await put('cli-signed.txt', ['--data', 'from cli, signed', '--sign']);
      await put('cli-both.txt', ['--data', 'from cli, both', '--encrypt', '--sign']);
      assert.equal(await s.getFile('cli-plain.txt', { decrypt: false }), 'from cli');
      assert.equal(await s.getFile('cli-enc.txt'), 'from cli, encrypted');
      assert.equal(await s.getFile('cli-enc64.txt'), 'from cli, base64');
      assert.equal(await s.getFile('cli-signed.txt', { decrypt: false, verify: true }), 'from cli, signed');
      assert.equal(await s.getFile('cli-both.txt', { decrypt: true, verify: true }), 'from cli, both');

      // A .sig made by another key is refused by our CLI (exit 6) and by the JS client.
      await s.putFile('forged.txt', 'x', { encrypt: false, dangerouslyIgnoreEtag: true });
      await s.putFile('forged.txt.sig', JSON.stringify(signECDSA(OTHER_KEY, 'x')),
        { encrypt: false, contentType: 'application/json', dangerouslyIgnoreEtag: true });
      const forged = await cli(hub.url, ['get', 'forged.txt', '--verify']);
      assert.equal(forged.code, 6, forged.stderr);
      assert.match(forged.stderr, /not the owner/);
      await assert.rejects(s.getFile('forged.txt', { decrypt: false, verify: true }));
    });

    test('listFiles pages through 1,000+ files; deleteFile removes them', async () => {
      const s = storageFor(hub.url);
      const names = [];
      for (let i = 0; i < 1010; i++) names.push(`many/file-${String(i).padStart(4, '0')}.txt`);
      for (let i = 0; i < names.length; i += 50) {
        await Promise.all(names.slice(i, i + 50).map((n) => s.putFile(n, n, { encrypt: false, dangerouslyIgnoreEtag: true })));
      }
      const listed = [];
      const count = await s.listFiles((f) => { listed.push(f); return true; });
      for (const n of names) assert.ok(listed.includes(n), `missing ${n}`);
      assert.equal(count, listed.length);
      const cliList = await cli(hub.url, ['list']);
      assert.equal(cliList.code, 0, cliList.stderr);
      assert.equal(cliList.stdout.trim().split('\n').filter((l) => l.startsWith('many/')).length, 1010);
      // Ours: a prefix, a smaller page and the total, through this driver's own listing.
      const token = (await cli(hub.url, ['token'])).stdout.trim();
      const { address } = JSON.parse((await run('blockstack', ['--json', 'gaia', 'token', '--hub', hub.url, '--key', APP_KEY])).stdout);
      const listPage = async (body) => (await fetch(`${hub.url}/list-files/${address}`, { method: 'POST',
        headers: { Authorization: token, 'Content-Type': 'application/json' }, body: JSON.stringify(body) })).json();
      const first = await listPage({ prefix: 'many/file-09', pageSize: 7, total: true });
      assert.deepEqual(first.entries, names.filter((n) => n.startsWith('many/file-09')).slice(0, 7));
      assert.equal(first.total, 100);
      assert.ok(first.page !== null);
      const second = await listPage({ prefix: 'many/file-09', pageSize: 7, page: first.page });
      assert.deepEqual(second.entries, names.filter((n) => n.startsWith('many/file-09')).slice(7, 14));

      await s.deleteFile('many/file-0000.txt');
      await s.deleteFile('signed.txt', { wasSigned: true });
      const after = [];
      await s.listFiles((f) => { after.push(f); return true; });
      assert.ok(!after.includes('many/file-0000.txt'));
      assert.ok(!after.includes('signed.txt') && !after.includes('signed.txt.sig'));
      await assert.rejects(s.getFile('many/file-0000.txt', { decrypt: false }));
    });

    test('hostile requests get the spec errors and leave data untouched', async () => {
      const s = storageFor(hub.url);
      await s.putFile('keep.txt', 'original', { encrypt: false, dangerouslyIgnoreEtag: true });
      const store = (p, body, headers) => fetch(`${hub.url}/store/${ADDRESS}/${p}`, { method: 'POST', body, headers });
      const good = v1Token({ gaiaChallenge: challenge(), iss: APP_PUB, iat: Math.floor(Date.now() / 1000) });

      // Sent verbatim (fetch would resolve the dot segments itself).
      for (const p of ['..%2Fescape', '%2e%2e/escape', 'a/%2E%2E/%2E%2E/b', '../../etc/passwd']) {
        const r = await rawRequest(hub.port, 'POST', `/store/${ADDRESS}/${p}`, { Authorization: good }, 'x');
        assert.equal(r.status, 403, p);
        assert.equal(JSON.parse(r.body).error, 'BadPathError');
      }
      const cases = [
        ['forged', v1Token({ gaiaChallenge: challenge(), iss: APP_PUB }, OTHER_KEY)],
        ['expired', v1Token({ gaiaChallenge: challenge(), iss: APP_PUB, exp: 1 })],
        ['wrong hub challenge', v1Token({ gaiaChallenge: challenge('elsewhere'), iss: APP_PUB })],
        ['wrong scope', v1Token({ gaiaChallenge: challenge(), iss: APP_PUB, scopes: [{ scope: 'putFile', domain: 'other.txt' }] })],
        ['garbage', 'bearer v1:abc.def.ghi'],
      ];
      for (const [what, auth] of cases) {
        const r = await store('keep.txt', 'overwritten', { Authorization: auth });
        assert.equal(r.status, 401, what);
        assert.equal((await r.json()).error, 'ValidationError', what);
      }
      // Wrong address: a valid token for this key used on another bucket.
      const wrong = await fetch(`${hub.url}/store/1FjG1mM47ydAe84j237QZMgcWYnwLo8tm2/x`, {
        method: 'POST', body: 'x', headers: { Authorization: good } });
      assert.equal(wrong.status, 401);
      // Over-long content type.
      const ct = await store('keep.txt', 'overwritten', { Authorization: good, 'Content-Type': 'a'.repeat(2000) });
      assert.equal(ct.status, 500);
      // A truncated upload: Content-Length promises more than arrives.
      await new Promise((resolve, reject) => {
        const sock = net.connect(hub.port, '127.0.0.1', () => {
          sock.write(`POST /store/${ADDRESS}/keep.txt HTTP/1.1\r\nHost: x\r\nAuthorization: ${good}\r\n` +
                     'Content-Length: 100000\r\n\r\npartial');
          setTimeout(() => sock.destroy(), 100);
        });
        sock.on('close', resolve);
        sock.on('error', reject);
      });
      assert.equal(await s.getFile('keep.txt', { decrypt: false }), 'original');

      // Racing writers with the same If-Match: exactly one wins, the rest get 409 or 412.
      const base = await store('race.txt', 'v0', { Authorization: good });
      const { etag } = await base.json();
      const racers = await Promise.all(Array.from({ length: 20 }, (_, i) =>
        store('race.txt', `v${i + 1}`, { Authorization: good, 'If-Match': etag })));
      const statuses = racers.map((r) => r.status);
      assert.equal(statuses.filter((st) => st === 202).length, 1, statuses.join(','));
      assert.ok(statuses.every((st) => [202, 409, 412].includes(st)), statuses.join(','));

      // Revocation: tokens issued before the timestamp stop working, newer ones work.
      const now = Math.floor(Date.now() / 1000);
      const old = v1Token({ gaiaChallenge: challenge(), iss: APP_PUB, iat: now - 100 });
      const revoke = await fetch(`${hub.url}/revoke-all/${ADDRESS}`, {
        method: 'POST', body: JSON.stringify({ oldestValidTimestamp: now - 10 }),
        headers: { Authorization: old, 'Content-Type': 'application/json' } });
      assert.equal(revoke.status, 202);
      const refused = await store('keep.txt', 'overwritten', { Authorization: old });
      assert.equal(refused.status, 401);
      assert.equal((await refused.json()).error, 'AuthTokenTimestampValidationError');
      const fresh = await store('fresh.txt', 'ok', { Authorization: good });
      assert.equal(fresh.status, 202);
      assert.equal(await s.getFile('keep.txt', { decrypt: false }), 'original');
    });
  });
}

// Both hubs start from the sample config files (etc/), changed only where a test
// must: ports, paths, the S3 endpoint and its credentials, and the server name
// its hand-made tokens sign (the original's default).
const sample = (name) => ({ ...JSON.parse(readFileSync(path.join(repoRoot, 'etc', name), 'utf8')), serverName: 'gaia-0' });

clientSuite('gaia-hub with the disk driver', async () => {
  const port = await freePort();
  return startGaiaHub({ port, config: sample('hub.json'), args: ['--read-url', `http://127.0.0.1:${port}/read/`] });
});

clientSuite('gaia-hub with the S3 driver (s3rver)', async () => {
  const s3port = await freePort();
  const s3 = new S3rver({ port: s3port, address: '127.0.0.1', silent: true, directory: tempDir('s3rver') });
  await s3.run();
  const hubPort = await freePort();
  const hub = await startGaiaHub({
    port: hubPort,
    args: ['--driver', 's3', '--read-url', `http://127.0.0.1:${hubPort}/read/`],
    config: {
      ...sample('hub-s3.json'),
      bucket: 'gaia-test',
      awsCredentials: {
        ...JSON.parse(readFileSync(path.join(repoRoot, 'etc', 'hub-s3.json'), 'utf8')).awsCredentials,
        endpoint: `http://127.0.0.1:${s3port}`, s3ForcePathStyle: true,
      },
    },
    // The keys stay out of the file, as doc/gaia.md advises.
    env: { GAIA_S3_ACCESS_KEY_ID: 'S3RVER', GAIA_S3_SECRET_ACCESS_KEY: 'S3RVER' },
  });
  hub.stop = () => s3.close();
  return hub;
});

clientSuite('gaia-hub with the azure driver (azurite)', async () => {
  const azurite = await startAzurite();
  const hubPort = await freePort();
  // Reads through the hub here, as in the S3 suite (the container's own public URL is tested below).
  const hub = await startGaiaHub({ port: hubPort, args: ['--driver', 'azure', '--read-url', `http://127.0.0.1:${hubPort}/read/`],
    config: { serverName: 'gaia-0', bucket: 'gaia-test' }, env: azurite.env });
  hub.stop = () => stopProcess(azurite.child);
  return hub;
});

describe('two gaia-hub processes on one azurite container (sharedStorage)', () => {
  test('conditional writes race across hubs, revocation holds on both, reads agree', async () => {
    const azurite = await startAzurite();
    const config = { serverName: 'gaia-0', bucket: 'shared', sharedStorage: true };
    const hubs = [];
    try {
      for (let i = 0; i < 2; i++) {
        const port = await freePort();
        hubs.push(await startGaiaHub({ port, args: ['--driver', 'azure', '--read-url', `http://127.0.0.1:${port}/read/`],
          config, env: azurite.env }));
      }
      const now = Math.floor(Date.now() / 1000);
      const good = v1Token({ gaiaChallenge: challenge(), iss: APP_PUB, iat: now });
      const store = (hub, file, body, headers) => fetch(`${hub.url}/store/${ADDRESS}/${file}`,
        { method: 'POST', body, headers: { 'Content-Type': 'text/plain', Authorization: good, ...headers } });

      // The same If-Match sent to both hubs at once: the service lets exactly one through.
      for (let round = 0; round < 3; round++) {
        const { etag } = await (await store(hubs[0], 'race.txt', `base ${round}`, {})).json();
        const racers = await Promise.all(Array.from({ length: 16 }, (_, i) =>
          store(hubs[i % 2], 'race.txt', `racer ${round}.${i}`, { 'If-Match': etag })));
        const statuses = racers.map((r) => r.status);
        assert.equal(statuses.filter((st) => st === 202).length, 1, statuses.join(','));
        assert.ok(statuses.every((st) => [202, 409, 412].includes(st)), statuses.join(','));
        const winner = racers.findIndex((r) => r.status === 202);
        for (const hub of hubs) {
          assert.equal(await (await fetch(`${hub.url}/read/${ADDRESS}/race.txt`)).text(), `racer ${round}.${winner}`);
        }
      }
      // If-None-Match: * from both: one file is created, once.
      const creators = await Promise.all(Array.from({ length: 16 }, (_, i) =>
        store(hubs[i % 2], 'created-once.txt', `creator ${i}`, { 'If-None-Match': '*' })));
      assert.equal(creators.filter((r) => r.status === 202).length, 1, creators.map((r) => r.status).join(','));

      // Written through one hub, read and listed through the other; @stacks/storage on both.
      const a = storageFor(hubs[0].url);
      const b = storageFor(hubs[1].url);
      await a.putFile('through-a.txt', 'from hub A', { encrypt: true });
      assert.equal(await b.getFile('through-a.txt'), 'from hub A');
      const listed = [];
      await b.listFiles((f) => { listed.push(f); return true; });
      assert.deepEqual(listed.sort(), ['created-once.txt', 'race.txt', 'through-a.txt']);

      // A revocation through hub B holds on hub A at once; a newer token works on both.
      const old = v1Token({ gaiaChallenge: challenge(), iss: APP_PUB, iat: now - 100 });
      assert.equal((await store(hubs[0], 'old-token.txt', 'before', { Authorization: old })).status, 202);
      const revoke = await fetch(`${hubs[1].url}/revoke-all/${ADDRESS}`, { method: 'POST',
        body: JSON.stringify({ oldestValidTimestamp: now - 10 }), headers: { Authorization: good, 'Content-Type': 'application/json' } });
      assert.equal(revoke.status, 202);
      const refused = await store(hubs[0], 'old-token.txt', 'after', { Authorization: old });
      assert.equal(refused.status, 401);
      assert.equal((await refused.json()).error, 'AuthTokenTimestampValidationError');
      assert.equal((await store(hubs[0], 'new-token.txt', 'ok', {})).status, 202);
      // Two revocations racing never move the timestamp backwards.
      await Promise.all([now - 5, now - 50, now - 1, now - 30].map((t, i) => fetch(`${hubs[i % 2].url}/revoke-all/${ADDRESS}`,
        { method: 'POST', body: JSON.stringify({ oldestValidTimestamp: t }), headers: { Authorization: good, 'Content-Type': 'application/json' } })));
      const between = v1Token({ gaiaChallenge: challenge(), iss: APP_PUB, iat: now - 3 });
      for (const hub of hubs) assert.equal((await store(hub, 'between.txt', 'x', { Authorization: between })).status, 401);
    } finally {
      for (const hub of hubs) await stopProcess(hub.child);
      await stopProcess(azurite.child);
    }
  });
});

describe('gaia-hub limits and configuration', () => {
  test('a config mistake stops the hub naming the key (or the line) and the file', async () => {
    const dir = tempDir('gaia-config');
    const cases = [
      ['typo.json', '{"readUrl": "http://127.0.0.1:1/read/"}', /unknown config key 'readUrl'; did you mean 'readURL'\?/],
      ['nested.json', '{"diskSettings": {"storageRootDir": "/tmp"}}', /did you mean 'diskSettings.storageRootDirectory'\?/],
      ['cut.json', '{\n  "port": 4000,\n  "driver": "disk",\n', /does not parse as JSON \(line 4\)/],
      ['https.json', '{"enableHttps": "acme"}', /not fetched by this hub/],
      ['https-files.json', '{"enableHttps": "cert_files"}', /needs tlsCertConfig.certFile and keyFile/],
    ];
    for (const [name, text, message] of cases) {
      const file = path.join(dir, name);
      writeFileSync(file, text);
      const r = await run('gaia-hub', ['--config', file, '--listen', '127.0.0.1:0']);
      assert.equal(r.code, 2, `${name}: ${r.stderr}`);
      assert.match(r.stderr, message, name);
      assert.ok(r.stderr.includes(file), `${name} names the file: ${r.stderr}`);
    }
  });

  test('an original config file works unchanged; uploads over maxFileUploadSize get 413', async () => {
    const root = tempDir('gaia-root');
    const hub = await startGaiaHub({
      args: ['--storage-root', root],
      config: { port: 4000, serverName: 'hub.example', pageSize: 20, maxFileUploadSize: 0.01, driver: 'disk',
        diskSettings: { storageRootDirectory: '/ignored/because/flag' }, requireCorrectHubUrl: false,
        whitelist: null, validHubUrls: ['https://hub.example'] },
    });
    try {
      const info = await (await fetch(`${hub.url}/hub_info`)).json();
      assert.equal(info.challenge_text, challenge('hub.example'));
      // Each request is logged at info, its time with the zone.
      await waitFor(() => /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d info GET \/hub_info 200 in 0 B out \d+ B [\d.]+ ms from 127\.0\.0\.1/
        .test(hub.child.output), { what: 'the request logged' });
      assert.equal(info.max_file_upload_size_megabytes, 0.01);
      const s = storageFor(hub.url);
      await s.putFile('small.txt', 'x'.repeat(1000), { encrypt: false });
      const big = await fetch(`${hub.url}/store/${ADDRESS}/big.bin`, {
        method: 'POST', body: new Uint8Array(20000),
        headers: { Authorization: v1Token({ gaiaChallenge: challenge('hub.example'), iss: APP_PUB }) } });
      assert.equal(big.status, 413);
      assert.equal((await big.json()).error, 'PayloadTooLargeError');
      assert.equal(big.headers.get('access-control-allow-origin'), '*');
      assert.deepEqual(readdirSync(path.join(root, ADDRESS)), ['small.txt']);
    } finally {
      await stopProcess(hub.child);
    }
  });

  test('idle and byte-a-second connections do not stop the hub serving others', async () => {
    const hub = await startGaiaHub();
    const sockets = [];
    try {
      for (let i = 0; i < 100; i++) {
        sockets.push(await new Promise((resolve) => {
          const sock = net.connect(hub.port, '127.0.0.1', () => resolve(sock));
          sock.on('error', () => {});
        }));
      }
      const slow = sockets[0];
      const timer = setInterval(() => slow.write('P'), 1000);
      const r = await fetch(`${hub.url}/hub_info`);
      assert.equal(r.status, 200);
      clearInterval(timer);
    } finally {
      for (const s of sockets) s.destroy();
      await stopProcess(hub.child);
    }
  });

  test('a bucket quota refuses @stacks/storage writes over it and keeps the old content', async () => {
    const hub = await startGaiaHub({ config: { bucketQuota: { maxBytes: 1000, maxFiles: 3 } } });
    try {
      const s = storageFor(hub.url);
      const first = 'a'.repeat(600);
      await s.putFile('one.txt', first, { encrypt: false, dangerouslyIgnoreEtag: true });
      // @stacks/storage maps no error class to 507: its message is its generic one
      // (the hub's JSON message is checked below).
      await assert.rejects(s.putFile('two.txt', 'b'.repeat(600), { encrypt: false, dangerouslyIgnoreEtag: true }),
        /Error when uploading to Gaia hub/);
      await assert.rejects(s.putFile('one.txt', 'c'.repeat(1001), { encrypt: false, dangerouslyIgnoreEtag: true }));
      assert.equal(await s.getFile('one.txt', { decrypt: false }), first);
      await s.putFile('one.txt', 'd'.repeat(900), { encrypt: false, dangerouslyIgnoreEtag: true });
      await s.deleteFile('one.txt');
      await s.putFile('two.txt', 'e'.repeat(999), { encrypt: false, dangerouslyIgnoreEtag: true });
      const token = (await cli(hub.url, ['token'])).stdout.trim();
      const { address } = JSON.parse((await run('blockstack', ['--json', 'gaia', 'token', '--hub', hub.url, '--key', APP_KEY])).stdout);
      const raw = await fetch(`${hub.url}/store/${address}/three.txt`, { method: 'POST', body: 'xx',
        headers: { Authorization: token, 'Content-Type': 'text/plain' } });
      assert.equal(raw.status, 507);
      assert.match((await raw.json()).message, /Bucket quota exceeded: the bucket holds 999 of its 1000 bytes/);
    } finally {
      await stopProcess(hub.child);
    }
  });

  test('the S3 driver over TLS: the endpoint certificate is checked against --ca-file', async () => {
    const dir = tempDir('s3-tls');
    const good = makeCertificates(dir, { ips: ['127.0.0.1'] });
    const s3port = await freePort();
    const s3 = new S3rver({ port: s3port, address: '127.0.0.1', silent: true, directory: tempDir('s3rver-tls'),
      key: good.key, cert: good.cert });
    await s3.run();
    const config = {
      ...sample('hub-s3.json'),
      bucket: 'gaia-tls',
      awsCredentials: {
        ...JSON.parse(readFileSync(path.join(repoRoot, 'etc', 'hub-s3.json'), 'utf8')).awsCredentials,
        endpoint: `https://127.0.0.1:${s3port}`, s3ForcePathStyle: true,
      },
    };
    const hubPort = await freePort();
    const keys = { GAIA_S3_ACCESS_KEY_ID: 'S3RVER', GAIA_S3_SECRET_ACCESS_KEY: 'S3RVER' };
    const hub = await startGaiaHub({ port: hubPort, args: ['--driver', 's3', '--read-url', `http://127.0.0.1:${hubPort}/read/`,
      '--ca-file', good.ca], config, env: keys });
    try {
      const st = storageFor(hub.url);
      await st.putFile('tls.txt', 'over TLS', { encrypt: false, dangerouslyIgnoreEtag: true });
      assert.equal(await st.getFile('tls.txt', { decrypt: false }), 'over TLS');
    } finally {
      await stopProcess(hub.child);
    }
    // Without the CA (the system's store), and with the CA through GAIA_CA_FILE
    // but a certificate for another name: the hub does not start, and says why.
    for (const [label, args, env] of [['untrusted', [], { ...keys }], ['other name', [], { ...keys }]]) {
      let endpoint = `https://127.0.0.1:${s3port}`;
      let other;
      if (label === 'other name') {
        const wrong = makeCertificates(tempDir('s3-tls-wrong'), { hosts: ['storage.example'] });
        other = new S3rver({ port: await freePort(), address: '127.0.0.1', silent: true, directory: tempDir('s3rver-wrong'),
          key: wrong.key, cert: wrong.cert });
        const { port } = await other.run();
        endpoint = `https://127.0.0.1:${port}`;
        env.GAIA_CA_FILE = wrong.ca;
      }
      const file = path.join(dir, `${label.replace(' ', '-')}.json`);
      writeFileSync(file, JSON.stringify({ ...config, port: await freePort(),
        awsCredentials: { ...config.awsCredentials, endpoint } }));
      const r = await run('gaia-hub', ['--driver', 's3', '--config', file, ...args], { env, timeoutMs: 30000 });
      assert.notEqual(r.code, 0, label);
      assert.match(r.stderr, /certificate/i, `${label}: ${r.stderr}`);
      if (other) await other.close();
    }
    await s3.close();
  });

  test('HTTPS beside HTTP (enableHttps "cert_files"): @stacks/storage and the CLI over TLS', async () => {
    const dir = tempDir('hub-https');
    const certs = makeCertificates(dir, { ips: ['127.0.0.1'] });
    writeFileSync(path.join(dir, 'hub.key'), certs.key);
    const hub = await startGaiaHub({ config: { enableHttps: 'cert_files', httpsPort: 0,
      tlsCertConfig: { certFile: certs.cert.toString(), keyFile: path.join(dir, 'hub.key') } } });
    try {
      const httpsUrl = hub.child.output.match(/listening on (https:\/\/127\.0\.0\.1:\d+)/)[1];
      // The read URL the hub gives is the HTTPS one.
      const info = await run('curl', ['-sS', '--cacert', certs.ca, `${httpsUrl}/hub_info`], { dir: '' });
      assert.equal(info.code, 0, info.stderr);
      assert.equal(JSON.parse(info.stdout).read_url_prefix, `${httpsUrl}/read/`);
      const put = await run('blockstack', ['--ca-file', certs.ca, 'gaia', 'put', 'tls.txt', '--text', '--data', 'over https',
        '--hub', httpsUrl, '--key', APP_KEY]);
      assert.equal(put.code, 0, put.stderr);
      // @stacks/storage in a process that trusts the test CA (fetch takes it from NODE_EXTRA_CA_CERTS).
      const script = path.join(dir, 'client.mjs');
      writeFileSync(script, `
        import { createRequire } from 'node:module';
        const require = createRequire(${JSON.stringify(path.join(repoRoot, 'package.json'))});
        const { UserSession, AppConfig } = require('@stacks/auth');
        const { Storage } = require('@stacks/storage');
        require('@stacks/common').config.logLevel = 'error';
        const userSession = new UserSession({ appConfig: new AppConfig(['store_write'], 'http://localhost'),
          sessionOptions: { userData: { appPrivateKey: '${APP_KEY}', hubUrl: '${httpsUrl}' } } });
        const s = new Storage({ userSession });
        const url = await s.putFile('js.txt', 'from js over https', { encrypt: true });
        console.log(JSON.stringify({ url, back: await s.getFile('js.txt'), cli: await s.getFile('tls.txt', { decrypt: false }) }));
      `);
      const js = await run(process.execPath, [script], { dir: '', env: { NODE_EXTRA_CA_CERTS: certs.ca } });
      assert.equal(js.code, 0, js.stderr);
      const out = JSON.parse(js.stdout.trim().split('\n').pop());
      assert.equal(out.url, `${httpsUrl}/read/${ADDRESS}/js.txt`);
      assert.equal(out.back, 'from js over https');
      assert.equal(out.cli, 'over https');
      // Plain HTTP still serves the same hub; a client without the CA is refused.
      assert.equal(await (await fetch(`${hub.url}/read/${ADDRESS}/tls.txt`)).text(), 'over https');
      const untrusted = await run('blockstack', ['gaia', 'list', '--hub', httpsUrl, '--key', APP_KEY]);
      assert.notEqual(untrusted.code, 0);
      assert.match(untrusted.stderr, /certificate/);
    } finally {
      await stopProcess(hub.child);
    }
    // A key that is not the certificate's stops the hub at start, saying so.
    const other = makeCertificates(tempDir('hub-https-other'), { ips: ['127.0.0.1'] });
    const file = path.join(dir, 'mismatch.json');
    writeFileSync(file, JSON.stringify({ enableHttps: 'cert_files', httpsPort: 0,
      tlsCertConfig: { certFile: certs.cert.toString(), keyFile: other.key.toString() } }));
    const r = await run('gaia-hub', ['--config', file, '--listen', '127.0.0.1:0', '--storage-root', path.join(dir, 's')]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /TLS: the private key does not match the certificate/);
  });

  test('the admin API: get and set the config, reload it in place, keys checked', async () => {
    const KEY = 'admin-key-0123456789abcdef';
    const dir = tempDir('hub-admin');
    const hub = await startGaiaHub({ config: { serverName: 'gaia-0', whitelist: [ADDRESS],
      diskSettings: { storageRootDirectory: path.join(dir, 'first') }, adminApi: { port: 0, apiKeys: [KEY] } },
    args: ['--driver', 'disk'] });
    const configFile = path.join(hub.dir, 'config.json');
    const admin = hub.child.output.match(/admin API on (http:\/\/127\.0\.0\.1:\d+)/)[1];
    const call = async (method, route, { key = KEY, body } = {}) => {
      const headers = key === null ? {} : { Authorization: `bearer ${key}` };
      const res = await fetch(admin + route, { method, headers, body });
      return { status: res.status, json: await res.json() };
    };
    const other = storageFor(hub.url, OTHER_KEY);
    try {
      // Keys: none, a wrong one, and a wrong scheme are refused alike, even for routes that do not exist.
      for (const [key, route] of [[null, '/v1/admin/config'], ['not-the-key-at-all-000', '/v1/admin/config'],
        [`x${KEY}`, '/v1/admin/reload'], [null, '/v1/admin/nothing']]) {
        const r = await call('GET', route, { key });
        assert.equal(r.status, 403, `${key} ${route}`);
        assert.deepEqual(r.json, { error: 'forbidden' });
      }
      const res = await fetch(`${admin}/v1/admin/config`, { headers: { Authorization: `Bearer ${KEY}` } });
      assert.equal(res.status, 200);
      const shown = (await res.json()).config;
      assert.deepEqual(shown.whitelist, [ADDRESS]);
      assert.equal(shown.adminApi, undefined, 'the admin keys are not shown');

      // The whitelist keeps the other key out until it is set and the hub reloaded.
      await assert.rejects(other.putFile('a.txt', 'x', { encrypt: false, dangerouslyIgnoreEtag: true }));
      const before = readFileSync(configFile, 'utf8');
      for (const [body, more] of [['{"pageSize": "many"}', /pageSize/], ['{"adminApi": {"port": 1}}', /adminApi/],
        ['[1]', /not a JSON object/], ['{"whitelist": ', /not JSON/], ['{"driver": "disk", "colour": 1}', /colour/]]) {
        const r = await call('POST', '/v1/admin/config', { body });
        assert.equal(r.status, 400, body);
        assert.equal(r.json.error, 'Invalid Gaia configuration');
        assert.match(r.json.more, more, body);
      }
      assert.equal(readFileSync(configFile, 'utf8'), before, 'a refused change leaves the file as it was');
      const otherAddress = JSON.parse((await run('blockstack', ['--json', 'gaia', 'token', '--hub', hub.url,
        '--key', OTHER_KEY])).stdout).address;
      const set = await call('POST', '/v1/admin/config', { body: JSON.stringify({ whitelist: [ADDRESS, otherAddress],
        diskSettings: { storageRootDirectory: path.join(dir, 'second') } }) });
      assert.equal(set.status, 200);
      assert.deepEqual(set.json, { message: 'Config updated -- you should reload your Gaia hub now.' });
      assert.deepEqual(JSON.parse(readFileSync(configFile, 'utf8')).whitelist, [ADDRESS, otherAddress]);
      await assert.rejects(other.putFile('a.txt', 'x', { encrypt: false, dangerouslyIgnoreEtag: true }),
        undefined, 'not before the reload');
      const reload = await call('POST', '/v1/admin/reload');
      assert.equal(reload.status, 200);
      assert.deepEqual(reload.json, { result: 'OK' });
      await other.putFile('a.txt', 'let in', { encrypt: false, dangerouslyIgnoreEtag: true });
      assert.equal(await other.getFile('a.txt', { decrypt: false }), 'let in');
      assert.ok(readdirSync(path.join(dir, 'second', otherAddress)).includes('a.txt'), 'the new storage root is used');

      // A change a reload cannot apply is named; a file that no longer loads is
      // refused and the running config stays.
      assert.equal((await call('POST', '/v1/admin/config', { body: '{"serverLimits": {"maxConnections": 50}}' })).status, 200);
      assert.deepEqual((await call('POST', '/v1/admin/reload')).json,
        { result: 'OK', restartNeeded: ['serverLimits/maxFileUploadSize'] });
      writeFileSync(configFile, '{"driver": "disk", "pageSize": ');
      const broken = await call('POST', '/v1/admin/reload');
      assert.equal(broken.status, 500);
      assert.match(broken.json.error, /does not parse as JSON/);
      assert.equal(await other.getFile('a.txt', { decrypt: false }), 'let in');
    } finally {
      await stopProcess(hub.child);
    }
    // No key, or a short one: the hub does not start.
    for (const [adminApi, message] of [[{ port: 0 }, /needs adminApi.apiKeys/], [{ port: 0, apiKeys: ['hello'] }, /at least 16/]]) {
      const file = path.join(dir, 'bad-admin.json');
      writeFileSync(file, JSON.stringify({ adminApi }));
      const r = await run('gaia-hub', ['--config', file, '--listen', '127.0.0.1:0', '--storage-root', path.join(dir, 's')]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
    }
  });

  test('google-cloud: the S3-interoperable XML API with HMAC keys (s3rver standing in for GCS)', async () => {
    const s3port = await freePort();
    const s3 = new S3rver({ port: s3port, address: '127.0.0.1', silent: true, directory: tempDir('s3rver-gcs') });
    await s3.run();
    const hubPort = await freePort();
    const config = { serverName: 'gaia-0', driver: 'google-cloud', bucket: 'gaia-gcs',
      gcCredentials: { endpoint: `http://127.0.0.1:${s3port}` } };
    const hub = await startGaiaHub({ port: hubPort, args: ['--read-url', `http://127.0.0.1:${hubPort}/read/`], config,
      env: { GAIA_GCS_ACCESS_KEY_ID: 'S3RVER', GAIA_GCS_SECRET_ACCESS_KEY: 'S3RVER' } });
    try {
      const st = storageFor(hub.url);
      await st.putFile('g.txt', 'in a bucket', { encrypt: false, dangerouslyIgnoreEtag: true });
      assert.equal(await st.getFile('g.txt', { decrypt: false }), 'in a bucket');
      // The object is in the bucket under {address}/{path}, as with S3.
      const { address } = JSON.parse((await run('blockstack', ['--json', 'gaia', 'token', '--hub', hub.url, '--key', APP_KEY])).stdout);
      assert.equal(await (await fetch(`http://127.0.0.1:${s3port}/gaia-gcs/${address}/g.txt`)).text(), 'in a bucket');
    } finally {
      await stopProcess(hub.child);
      await s3.close();
    }
    // The original's service-account keys alone, and no keys at all: refused at start, saying what to give.
    const dir = tempDir('gcs-config');
    for (const [gc, pattern] of [[{ keyFilename: '/key.json', projectId: 'p' }, /service-account credentials .* not supported/],
      [{}, /needs HMAC keys/]]) {
      const file = path.join(dir, 'c.json');
      writeFileSync(file, JSON.stringify({ driver: 'google-cloud', bucket: 'b', gcCredentials: gc, port: await freePort() }));
      const r = await run('gaia-hub', ['--config', file]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, pattern);
    }
  });

  test('bad options exit with a message', async () => {
    const r = await run('gaia-hub', ['--driver', 'ftp', '--listen', '127.0.0.1:0']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown driver 'ftp'/);
    const c = await run('gaia-hub', ['--config', '/nonexistent.json']);
    assert.equal(c.code, 2);
    assert.match(c.stderr, /cannot read config file/);
  });
});
