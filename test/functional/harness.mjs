// Shared pieces of the functional tests: free loopback ports, a bcoin regtest node,
// our binaries, polling with deadlines, and clean-up of every process started.
import { spawn, execFile, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');

// The real blockstack.js v21 client. It passes `referrer: 'no-referrer'` to fetch,
// which Node's fetch refuses, so those options are dropped on the way.
export function loadBlockstackJs() {
  if (!globalThis.fetch.blockstackShim) {
    const realFetch = globalThis.fetch;
    globalThis.fetch = (url, init = {}) => {
      const opts = { ...init };
      delete opts.referrer;
      delete opts.referrerPolicy;
      return realFetch(url, opts);
    };
    globalThis.fetch.blockstackShim = true;
  }
  return createRequire(import.meta.url)('blockstack');
}
export const binDir = process.env.BLOCKSTACK_BIN_DIR || path.join(repoRoot, 'build', 'dev', 'apps');
// Test tools (chaingen) live beside the apps in the same build tree.
export const toolsDir = path.join(binDir, '..', 'test', 'tools');

const started = new Set();
const tempDirs = [];
const portClaims = [];
function cleanUp() {
  for (const child of started) {
    try { process.kill(child.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
  started.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  for (const claim of portClaims) rmSync(claim, { force: true });
}
process.on('exit', cleanUp);
// A test run stopped by a signal still stops what it started.
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
  process.once(signal, () => { cleanUp(); process.exit(code); });
}

// Test files run two at a time (scripts/test.sh), so a port one of them picked
// must not be picked by the other before its server binds it. Ports come from
// 20000-31999, below the kernel's ephemeral range (what port 0 and outgoing
// connections use), and each is claimed in a directory all test processes share
// (a file named by the port holding the claimer's PID; claims of dead processes
// are taken over) until this process exits.
const PORT_CLAIMS = path.join(os.tmpdir(), 'blockstack-test-ports');
function claimPort(port) {
  const claim = path.join(PORT_CLAIMS, String(port));
  try {
    writeFileSync(claim, String(process.pid), { flag: 'wx' });
  } catch {
    let holder = 0;
    try { holder = Number(readFileSync(claim, 'utf8')); } catch { return false; }
    try {
      process.kill(holder, 0);
      return false;  // a live process holds it
    } catch (e) {
      if (e.code !== 'ESRCH') return false;
      rmSync(claim, { force: true });
      return claimPort(port);
    }
  }
  portClaims.push(claim);
  return true;
}
function canBind(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

// Resolves with a port free on 127.0.0.1, claimed for this process.
export async function freePort() {
  mkdirSync(PORT_CLAIMS, { recursive: true });
  for (let tries = 0; tries < 2000; tries++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (claimPort(port) && await canBind(port)) return port;
  }
  throw new Error('no free port in 20000-31999');
}

// A fresh directory, removed when the process exits.
export function tempDir(prefix) {
  const dir = mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Calls fn until it returns a truthy value or the deadline passes; never a fixed sleep.
export async function waitFor(fn, { timeoutMs = 20000, intervalMs = 50, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      lastError = e;
    }
    await sleep(intervalMs);
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${lastError.message}` : ''}`);
}

// Starts a process and remembers it for clean-up. Output is kept in .output.
export function startProcess(cmd, args, opts = {}) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  child.output = '';
  child.stdout.on('data', (d) => { child.output += d; });
  child.stderr.on('data', (d) => { child.output += d; });
  started.add(child);
  child.on('exit', () => started.delete(child));
  return child;
}

// Stops a process by PID: SIGTERM, then SIGKILL after a grace period.
export async function stopProcess(child, graceMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => { try { child.kill('SIGKILL'); } catch { /* gone */ } }, graceMs);
  await exited;
  clearTimeout(timer);
}

// --- base58check and the regtest address prefixes ---------------------------------

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const sha256 = (b) => createHash('sha256').update(b).digest();

export function base58checkDecode(str) {
  let n = 0n;
  for (const c of str) {
    const i = ALPHABET.indexOf(c);
    if (i < 0) throw new Error(`bad base58 character ${c}`);
    n = n * 58n + BigInt(i);
  }
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = n === 0n ? Buffer.alloc(0) : Buffer.from(hex, 'hex');
  const zeros = str.match(/^1*/)[0].length;
  bytes = Buffer.concat([Buffer.alloc(zeros), bytes]);
  const payload = bytes.subarray(0, -4);
  if (!sha256(sha256(payload)).subarray(0, 4).equals(bytes.subarray(-4))) throw new Error('bad checksum');
  return payload;
}

export function base58checkEncode(payload) {
  const data = Buffer.concat([payload, sha256(sha256(payload)).subarray(0, 4)]);
  let n = BigInt(`0x${data.toString('hex') || '0'}`);
  let out = '';
  while (n > 0n) {
    out = ALPHABET[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const b of data) {
    if (b !== 0) break;
    out = `1${out}`;
  }
  return out;
}

// bcoin 1.0.2 writes regtest addresses with 0x3c (p2pkh) / 0x26 (p2sh) instead of
// bitcoind's 0x6f / 0xc4. Our code and bitcoind use the latter; convert for bcoin RPCs.
const TO_BCOIN = { 0x6f: 0x3c, 0xc4: 0x26 };
const FROM_BCOIN = { 0x3c: 0x6f, 0x26: 0xc4 };
export function toBcoinAddress(addr) {
  const p = base58checkDecode(addr);
  if (!(p[0] in TO_BCOIN)) return addr;
  return base58checkEncode(Buffer.concat([Buffer.from([TO_BCOIN[p[0]]]), p.subarray(1)]));
}
export function fromBcoinAddress(addr) {
  const p = base58checkDecode(addr);
  if (!(p[0] in FROM_BCOIN)) return addr;
  return base58checkEncode(Buffer.concat([Buffer.from([FROM_BCOIN[p[0]]]), p.subarray(1)]));
}

// --- bcoin regtest node ---------------------------------------------------------------

export class BcoinNode {
  constructor({ indexTx = true, indexAddress = false } = {}) {
    this.indexTx = indexTx;
    this.indexAddress = indexAddress;
    this.apiKey = randomBytes(12).toString('hex');
    this.user = 'bs';
  }

  get url() { return `http://${this.user}:${this.apiKey}@127.0.0.1:${this.port}`; }

  get walletUrl() { return `http://${this.user}:${this.apiKey}@127.0.0.1:${this.walletPort}`; }

  async start() {
    this.port = await freePort();
    this.walletPort = await freePort();
    const bin = path.join(repoRoot, 'node_modules', 'bcoin', 'bin', 'node');
    this.proc = startProcess(process.execPath, [
      bin, '--network=regtest', '--memory=true', '--http-host=127.0.0.1', `--http-port=${this.port}`,
      `--api-key=${this.apiKey}`, '--wallet-http-host=127.0.0.1', `--wallet-http-port=${this.walletPort}`,
      `--wallet-api-key=${this.apiKey}`, `--index-tx=${this.indexTx}`, `--index-address=${this.indexAddress}`,
      '--workers=false', '--listen=false',
      '--log-level=warning', `--prefix=${tempDir('bcoin')}`,
    ]);
    try {
      await waitFor(async () => (await this.rpc('getblockcount')) !== undefined,
        { timeoutMs: 30000, what: `bcoin RPC on port ${this.port}` });
    } catch (e) {
      throw new Error(`${e.message}\nbcoin output:\n${this.proc.output}`);
    }
    return this;
  }

  async stop() {
    if (this.proc) await stopProcess(this.proc);
  }

  // One JSON-RPC call; throws on an RPC error.
  rpc(method, params = []) { return this.#call(this.port, method, params); }

  // One JSON-RPC call to bcoin's wallet server.
  walletRpc(method, params = []) { return this.#call(this.walletPort, method, params); }

  async #call(port, method, params) {
    const res = await fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from(`${this.user}:${this.apiKey}`).toString('base64')}` },
      body: JSON.stringify({ method, params, id: 1 }),
    });
    const body = await res.json();
    if (body.error) throw new Error(`${method}: ${body.error.message}`);
    return body.result;
  }

  // bcoin's sendrawtransaction relays into the mempool asynchronously: wait for it
  // before mining a block that must hold the transaction.
  async inMempool(txid) {
    await waitFor(async () => (await this.rpc('getrawmempool')).includes(txid),
      { what: `transaction ${txid} in the mempool` });
  }

  // Mines n blocks paying a bitcoind-style regtest address.
  async mine(n, address) {
    return this.rpc('generatetoaddress', [n, toBcoinAddress(address)]);
  }

  // Imports a bitcoind-style regtest WIF into bcoin's wallet (whose regtest WIF
  // prefix differs), so that listunspent reports the key's outputs.
  async importKey(wif) {
    const p = base58checkDecode(wif);
    const bcoinWif = base58checkEncode(Buffer.concat([Buffer.from([0x5a]), p.subarray(1)]));
    await this.walletRpc('importprivkey', [bcoinWif, '', false]);
  }

  // Mines a block every intervalMs until promise settles; resolves with its value.
  async whileMining(promise, address, intervalMs = 150) {
    let done = false;
    const settled = promise.finally(() => { done = true; });
    while (!done) {
      await this.mine(1, address);
      await Promise.race([settled.catch(() => {}), sleep(intervalMs)]);
    }
    return settled;
  }
}

// --- our binaries ---------------------------------------------------------------------

// Runs one of our binaries to completion; resolves { code, stdout, stderr }.
export function run(binary, args, { timeoutMs = 60000, env, dir = binDir } = {}) {
  return new Promise((resolve) => {
    execFile(path.join(dir, binary), args, { timeout: timeoutMs, env: { ...process.env, ...env } },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
      });
  });
}

// Runs the blockstack CLI with --json and parses its output; throws on failure.
export async function cliJson(args) {
  const r = await run('blockstack', ['--json', ...args]);
  if (r.code !== 0) throw new Error(`blockstack ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

// hash160 (RIPEMD-160 of SHA-256) of a string or buffer, as lowercase hex.
export const hash160 = (data) => createHash('ripemd160').update(sha256(data)).digest('hex');

// A fresh key as a regtest wallet: { name, wif, address, utxos: [] }.
export async function newWallet(name) {
  const key = await cliJson(['keys', 'generate']);
  return { name, wif: key.wif.regtest, address: key.address.regtest, utxos: [] };
}

// A Blockstack operation payload (hex) built by our CLI for regtest.
export async function opPayload(...args) {
  return (await cliJson(['--network', 'regtest', 'payload', ...args])).payload;
}

// Builds, signs and broadcasts one transaction with our CLI from wallet w ({ wif,
// utxos }): spends its oldest output and keeps the change as its newest. Waits for
// bcoin to take it into the mempool unless wait is false (chains of transactions
// only need to wait for the last).
export async function sendTx(btc, w, { data, outputs = [], changeIndex, wait = true } = {}) {
  const utxo = w.utxos.shift();
  if (!utxo) throw new Error(`${w.name ?? 'the wallet'} has no spendable output`);
  const args = ['--network', 'regtest', '--bitcoind', btc.url, 'tx', 'build', '--broadcast', '--key', w.wif,
    '--utxo', `${utxo.txid}:${utxo.vout}:${utxo.value}`, '--fee', '20000'];
  if (data) args.push('--data', data);
  for (const o of outputs) args.push('--output', o);
  if (changeIndex !== undefined) args.push('--change-index', String(changeIndex));
  const r = await cliJson(args);
  w.utxos.push({ txid: r.txid, vout: r.change_index, value: r.change_value });
  if (wait) await btc.inMempool(r.txid);
  return r;
}

// --- hostile load ----------------------------------------------------------------------

// Keeps `count` connections to 127.0.0.1:port, from the local addresses given in
// turn, that never finish their request head, reopening any the server closes,
// until stop(). opened() counts the connections made so far.
export function halfOpen(port, count, addresses) {
  const socks = new Set();
  let stopped = false;
  let opened = 0;
  const open = (i) => {
    if (stopped) return;
    const sock = net.connect({ port, host: '127.0.0.1', localAddress: addresses[i % addresses.length] });
    socks.add(sock);
    sock.on('connect', () => { opened++; sock.write('POST /v1/x HTTP/1.1\r\nHost: x\r\n'); });
    sock.on('error', () => {});
    sock.on('close', () => { socks.delete(sock); setTimeout(() => open(i), 20); });
  };
  for (let i = 0; i < count; i++) open(i);
  return { stop: () => { stopped = true; for (const s of socks) s.destroy(); }, opened: () => opened };
}

// The share of n sequential GETs of url (each on a new connection, 3 s each at
// most) answered 200.
export async function servedShare(url, n) {
  let ok = 0;
  for (let i = 0; i < n; i++) {
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(3000), headers: { connection: 'close' } });
      if (r.status === 200) ok++;
      await r.arrayBuffer();
    } catch { /* counted as not answered */ }
  }
  return ok / n;
}

// --- gaia-hub -------------------------------------------------------------------------

// Starts gaia-hub on a free loopback port with the given extra arguments (and a JSON
// config when given, and extra environment variables); resolves { child, url, port }
// once it listens.
export async function startGaiaHub({ args = [], config, storageRoot, port: wanted, env } = {}) {
  const dir = tempDir('gaia-hub');
  const port = wanted || await freePort();
  const all = ['--listen', `127.0.0.1:${port}`, ...args];
  if (!args.includes('--storage-root') && !args.includes('--driver')) {
    all.push('--storage-root', storageRoot || path.join(dir, 'storage'));
  }
  if (config) {
    const { writeFileSync } = await import('node:fs');
    const file = path.join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(config));
    all.push('--config', file);
  }
  const child = startProcess(path.join(binDir, 'gaia-hub'), all, env ? { env: { ...process.env, ...env } } : {});
  await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`gaia-hub exited ${child.exitCode}: ${child.output}`);
    return /listening on/.test(child.output);
  }, { what: 'gaia-hub to listen' });
  return { child, port, url: `http://127.0.0.1:${port}`, dir };
}

// Azurite (Microsoft's Azure Storage emulator), blob service only, on a free
// loopback port: { child, endpoint, accountName, accountKey, env }. The account is
// the emulator's well-known one; endpoint is path-style (/devstoreaccount1).
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
export async function startAzurite() {
  const port = await freePort();
  const child = startProcess(path.join(repoRoot, 'node_modules', '.bin', 'azurite-blob'),
    ['--blobHost', '127.0.0.1', '--blobPort', String(port), '--location', tempDir('azurite'), '--silent',
      '--skipApiVersionCheck', '--disableTelemetry']);
  await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`azurite exited ${child.exitCode}: ${child.output}`);
    return /successfully listens/i.test(child.output);
  }, { what: 'azurite to listen', timeoutMs: 30000 });
  const endpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
  return { child, endpoint, accountName: AZURITE_ACCOUNT, accountKey: AZURITE_KEY,
    env: { GAIA_AZURE_ACCOUNT_NAME: AZURITE_ACCOUNT, GAIA_AZURE_ACCOUNT_KEY: AZURITE_KEY, GAIA_AZURE_ENDPOINT: endpoint } };
}

// --- the whole stack, for the demo and the lookup benchmark ----------------------------

// Starts bcoin regtest, one blockstackd following it and a disk-backed gaia-hub,
// makes a key per name in `people` (imported into bcoin's wallet, the first one
// funded with mature coins), and returns { bcoin, api, apiPort, hub, keys, cli,
// mined, stop }. cli(args) runs the blockstack CLI against all three with --json;
// mined(args) runs it while mining a block every 150 ms.
export async function startStack(dir, people = ['alice'], { daemonArgs = [] } = {}) {
  const stack = {};
  stack.bcoin = await new BcoinNode().start();
  stack.apiPort = await freePort();
  stack.api = `http://127.0.0.1:${stack.apiPort}`;
  const base = ['--network', 'regtest', '--bitcoind', stack.bcoin.url, '--wallet-rpc', stack.bcoin.walletUrl,
    '--node', stack.api];
  stack.cli = async (args, { json = true } = {}) => {
    const r = await run('blockstack', [...base, ...(json ? ['--json'] : []), ...args], { timeoutMs: 120000 });
    if (r.code !== 0) throw new Error(`blockstack ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return json ? JSON.parse(r.stdout) : r.stdout;
  };
  stack.keys = {};
  for (const who of [...people, 'miner']) stack.keys[who] = await stack.cli(['keys', 'generate']);
  stack.mined = (args) => stack.bcoin.whileMining(stack.cli(args), stack.keys.miner.address.regtest);
  for (const who of people) await stack.bcoin.importKey(stack.keys[who].wif.regtest);
  for (const who of people.slice(1)) await stack.bcoin.mine(1, stack.keys[who].address.regtest);
  await stack.bcoin.mine(105, stack.keys[people[0]].address.regtest);
  const height = await stack.bcoin.rpc('getblockcount');
  stack.daemon = startProcess(path.join(binDir, 'blockstackd'), ['--network', 'regtest', '--bitcoind', stack.bcoin.url,
    '--first-block', '100', '--poll-seconds', '0.1', '--data-dir', path.join(dir, 'node1'),
    '--api', `127.0.0.1:${stack.apiPort}`, '--config', path.join(repoRoot, 'etc', 'blockstackd.toml'), ...daemonArgs]);
  await waitFor(async () => {
    try { return (await (await fetch(`${stack.api}/v1/info`)).json()).last_block_processed >= height; } catch { return false; }
  }, { what: 'blockstackd to index the chain', timeoutMs: 30000 });
  stack.hub = await startGaiaHub({ storageRoot: path.join(dir, 'gaia') });
  stack.stop = async () => {
    await stopProcess(stack.hub.child);
    await stopProcess(stack.daemon);
    await stack.bcoin.stop();
  };
  return stack;
}

// Creates a namespace with the demo's prices, each step waited for, paid by `who`.
export async function createNamespace(stack, id, who = 'alice', lifetime = '52595') {
  const key = ['--key', stack.keys[who].wif.regtest, '--wait'];
  const out = [];
  out.push(await stack.mined(['namespace', 'preorder', id, ...key]));
  out.push(await stack.mined(['namespace', 'reveal', id, '--lifetime', lifetime, '--coeff', '250', '--base', '4',
    '--buckets', '6,5,4,3,2,1,0,0,0,0,0,0,0,0,0,0', '--nonalpha-discount', '10', '--no-vowel-discount', '10', ...key]));
  out.push(await stack.mined(['namespace', 'ready', id, ...key]));
  return out;
}

// A CA and a server certificate it signed for the given host names and IP
// addresses, made with openssl in dir: { ca (its path), key, cert }.
export function makeCertificates(dir, { hosts = [], ips = [] } = {}) {
  const ssl = (...args) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key',
    '-out', 'ca.pem', '-days', '2', '-subj', '/CN=blockstack test CA');
  ssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'server.key',
    '-out', 'server.csr', '-subj', `/CN=${hosts[0] ?? ips[0]}`);
  const names = [...hosts.map((h) => `DNS:${h}`), ...ips.map((ip) => `IP:${ip}`)];
  writeFileSync(path.join(dir, 'server.ext'), `subjectAltName=${names.join(',')}\n`);
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem',
    '-days', '2', '-extfile', 'server.ext');
  return { ca: path.join(dir, 'ca.pem'), key: readFileSync(path.join(dir, 'server.key')),
    cert: readFileSync(path.join(dir, 'server.pem')) };
}

// An HTTP server in front of `target` that passes everything on (redirects as
// they are), except what `lie(url, status, body)` rewrites: it returns
// { status, body } or nothing. The test double of a lying node or hub.
export async function rewritingProxy(target) {
  const port = await freePort();
  const proxy = { url: `http://127.0.0.1:${port}`, lie: null };
  proxy.server = http.createServer(async (req, res) => {
    try {
      const upstream = await fetch(target + req.url, { method: req.method, redirect: 'manual' });
      let status = upstream.status;
      let body = Buffer.from(await upstream.arrayBuffer()).toString('latin1');
      const told = proxy.lie && proxy.lie(req.url, status, body);
      if (told) ({ status, body } = told);
      const headers = { 'content-type': upstream.headers.get('content-type') || 'application/json' };
      for (const h of ['content-security-policy', 'location']) {
        if (upstream.headers.get(h)) headers[h] = upstream.headers.get(h);
      }
      res.writeHead(status, headers);
      res.end(Buffer.from(body, 'latin1'));
    } catch (e) {
      res.writeHead(502);
      res.end(String(e));
    }
  });
  await new Promise((resolve) => proxy.server.listen(port, '127.0.0.1', resolve));
  proxy.close = () => new Promise((resolve) => proxy.server.close(resolve));
  return proxy;
}

// The JavaScript subdomain verifier (web/proofs/subdomains.mjs) with node:crypto's
// hashes and @noble/secp256k1's signature check, as the explorer's page builds it.
export async function jsSubdomainVerifier() {
  const secp = await import('@noble/secp256k1');
  const { makeVerifier } = await import('../../web/proofs/verify.mjs');
  const { makeSubdomainVerifier } = await import('../../web/proofs/subdomains.mjs');
  const hashWith = (algorithm) => (bytes) => new Uint8Array(createHash(algorithm).update(bytes).digest());
  const hashes = { sha256: hashWith('sha256'), ripemd160: hashWith('ripemd160') };
  return makeSubdomainVerifier({
    ...hashes, history: makeVerifier(hashes),
    verifyCompact: (sig, digest, pub) => { try { return secp.verify(sig, digest, pub, { prehash: false, lowS: false }); } catch { return false; } },
    isPublicKey: (pub) => { try { secp.Point.fromBytes(pub); return true; } catch { return false; } },
  });
}
