// Big files through gaia-hub on every driver (disk, S3 on s3rver, Azure on
// azurite): a 160 MiB upload and read back, streamed both ways, with the hub's
// peak memory (VmHWM) under 64 MB; an upload cut off halfway leaves the old
// content and nothing else. bench/gaia_bench.sh does the same at 1 GiB.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, openSync, writeSync, closeSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';

import { freePort, run, startAzurite, startGaiaHub, stopProcess, tempDir } from './harness.mjs';

const require = createRequire(import.meta.url);
const S3rver = require('s3rver');

const SIZE = 160 * 1024 * 1024;
const KEY = 'e0a0eab434faf2c609cac5919b71a2348a747cdf7618cc8847c2d55d98e3df4e';
const ADDRESS = '16mHK3nMEhVGjSYGbzEGA37vej7HYzJ9Xn';
const LIMITS = { maxFileUploadSize: 200, serverLimits: { maxBodyBytesInFlight: 512 * 1024 * 1024 } };

let dir, bigFile, bigSha;

function peakRssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(status.match(/VmHWM:\s+(\d+) kB/)[1]) / 1024;
}

// POSTs a file (or the first `cutAt` bytes of it, then drops the connection).
function upload(hubUrl, name, token, { cutAt } = {}) {
  const url = new URL(`${hubUrl}/store/${ADDRESS}/${name}`);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST',
      headers: { Authorization: token, 'Content-Type': 'application/octet-stream', 'Content-Length': SIZE } }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', (e) => (cutAt ? resolve({ cut: true }) : reject(e)));
    const stream = createReadStream(bigFile, cutAt ? { end: cutAt - 1 } : {});
    stream.pipe(req, { end: !cutAt });
    if (cutAt) stream.on('end', () => setTimeout(() => { req.destroy(); resolve({ cut: true }); }, 200));
  });
}

// Streams a read through the hub and hashes it.
function download(url) {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      const hash = createHash('sha256');
      let size = 0;
      res.on('data', (d) => { hash.update(d); size += d.length; });
      res.on('end', () => resolve({ status: res.statusCode, size, sha: hash.digest('hex') }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

before(() => {
  dir = tempDir('gaia-big');
  bigFile = path.join(dir, 'big.bin');
  const fd = openSync(bigFile, 'w');
  const hash = createHash('sha256');
  for (let done = 0; done < SIZE; done += 4 * 1024 * 1024) {
    const chunk = randomBytes(4 * 1024 * 1024);
    hash.update(chunk);
    writeSync(fd, chunk);
  }
  closeSync(fd);
  bigSha = hash.digest('hex');
});

const drivers = {
  disk: async () => ({ hub: await startGaiaHub({ config: LIMITS }), stop: async () => {} }),
  s3: async () => {
    const s3port = await freePort();
    const s3 = new S3rver({ port: s3port, address: '127.0.0.1', silent: true, directory: tempDir('s3rver-big') });
    await s3.run();
    const hubPort = await freePort();
    const hub = await startGaiaHub({ port: hubPort, args: ['--driver', 's3', '--read-url', `http://127.0.0.1:${hubPort}/read/`],
      config: { ...LIMITS, bucket: 'big', awsCredentials: { endpoint: `http://127.0.0.1:${s3port}`, s3ForcePathStyle: true,
        accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } } });
    return { hub, stop: () => s3.close() };
  },
  azure: async () => {
    const azurite = await startAzurite();
    const hubPort = await freePort();
    const hub = await startGaiaHub({ port: hubPort, args: ['--driver', 'azure', '--read-url', `http://127.0.0.1:${hubPort}/read/`],
      config: { ...LIMITS, bucket: 'big' }, env: azurite.env });
    return { hub, stop: () => stopProcess(azurite.child) };
  },
};

for (const [driver, start] of Object.entries(drivers)) {
  describe(`a 160 MiB file through the ${driver} driver`, () => {
    let hub, stop, token;
    before(async () => {
      ({ hub, stop } = await start());
      token = (await run('blockstack', ['gaia', 'token', '--hub', hub.url, '--key', KEY])).stdout.trim();
    });
    after(async () => { await stopProcess(hub.child); await stop(); });

    test('is streamed in and out, the hub staying under 64 MB', async () => {
      const put = await upload(hub.url, 'big.bin', token);
      assert.equal(put.status, 202, put.body);
      const afterUpload = peakRssMb(hub.child.pid);
      const got = await download(`${hub.url}/read/${ADDRESS}/big.bin`);
      assert.equal(got.status, 200);
      assert.equal(got.size, SIZE);
      assert.equal(got.sha, bigSha);
      const peak = peakRssMb(hub.child.pid);
      assert.ok(peak < 64, `${driver}: peak RSS ${peak.toFixed(1)} MB (${afterUpload.toFixed(1)} MB after the upload)`);
      console.log(`# ${driver}: 160 MiB in and out, hub peak RSS ${peak.toFixed(1)} MB`);
    });

    test('an upload cut off halfway leaves the old content and nothing else', async () => {
      const small = await fetch(`${hub.url}/store/${ADDRESS}/kept.txt`, { method: 'POST', body: 'old content',
        headers: { Authorization: token, 'Content-Type': 'text/plain' } });
      assert.equal(small.status, 202);
      for (const name of ['kept.txt', 'fresh.bin']) {
        const r = await upload(hub.url, name, token, { cutAt: 40 * 1024 * 1024 });
        assert.ok(r.cut || r.status >= 400, `${name}: ${JSON.stringify(r)}`);
      }
      assert.equal(await (await fetch(`${hub.url}/read/${ADDRESS}/kept.txt`)).text(), 'old content');
      assert.equal((await fetch(`${hub.url}/read/${ADDRESS}/fresh.bin`)).status, 404);
      const listed = await (await fetch(`${hub.url}/list-files/${ADDRESS}`, { method: 'POST', body: '{}',
        headers: { Authorization: token, 'Content-Type': 'application/json' } })).json();
      assert.deepEqual(listed.entries.sort(), ['big.bin', 'kept.txt']);
    });
  });
}
