// Sign-in with a Blockstack name: `blockstack authenticator` against a real app.
// The app is a static page on its own loopback port using npm blockstack v21
// (UserSession: redirectToSignIn to our authenticator, handlePendingSignIn,
// putFile / getFile encrypted and signed, and a signed file read back through the
// name's profile `apps` map), driven in Debian's Chromium by puppeteer-core.
// Also: the profile on the hub gains the app's bucket; handlePendingSignIn refuses
// a response for a name the key does not own; Decline sends nothing; malformed,
// expired, wrongly signed, replayed, off-origin and manifest-less requests get a
// clear refusal page and write nothing. Screenshots go to build/screenshots/authenticator/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http, { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import puppeteer from 'puppeteer-core';

import {
  binDir, createNamespace, freePort, loadBlockstackJs, repoRoot, run, startProcess, startStack, stopProcess, tempDir,
  waitFor,
} from './harness.mjs';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const shots = process.env.BLOCKSTACK_SCREENSHOTS || path.join(repoRoot, 'build', 'screenshots', 'authenticator');
const bsk = loadBlockstackJs();
const jsontokens = createRequire(createRequire(import.meta.url).resolve('blockstack'))('jsontokens');

let dir, stack, browser, app, appOrigin, authd, authUrl, mnemonicFile, keys, keys1, hubInfo;
const kc = () => ['--mnemonic-file', mnemonicFile];

// The test app: index.html, the blockstack.js v21 browser bundle, the app script,
// its manifest, and a config script naming the node and the authenticator.
function appFiles() {
  const bundle = readFileSync(path.join(path.dirname(createRequire(import.meta.url).resolve('blockstack')), '..', 'dist', 'blockstack.js'));
  const script = `
const appConfig = new blockstack.AppConfig(['store_write', 'publish_data'], location.origin, '/', '/manifest.json',
  window.CORE_NODE, window.AUTHENTICATOR);
const session = new blockstack.UserSession({ appConfig });
const out = document.getElementById('out');
function show(o) { out.textContent = JSON.stringify(o); document.body.dataset.state = o.state; }
document.getElementById('signin').onclick = () => session.redirectToSignIn();
async function main() {
  if (session.isSignInPending()) {
    try {
      const user = await session.handlePendingSignIn();
      const text = 'a note from the app, ' + new Date().toISOString();
      await session.putFile('notes/hello.txt', text, { encrypt: true, sign: true });
      const back = await session.getFile('notes/hello.txt', { decrypt: true, verify: true });
      const card = 'public card of ' + user.username;
      await session.putFile('public/card.txt', card, { encrypt: false, sign: true });
      const viaName = await session.getFile('public/card.txt',
        { decrypt: false, verify: true, username: user.username, app: location.origin });
      show({ state: 'signed-in', username: user.username, hubUrl: user.hubUrl, coreNode: user.coreNode,
        appPrivateKey: user.appPrivateKey, profile: user.profile, written: text, read: back, card, viaName });
    } catch (e) {
      show({ state: 'failed', error: String((e && e.message) || e) });
    }
    return;
  }
  show({ state: session.isUserSignedIn() ? 'signed-in-before' : 'signed-out' });
}
main();`;
  return { bundle, script };
}

async function startApp(port) {
  const { bundle, script } = appFiles();
  const origin = `http://127.0.0.1:${port}`;
  const server = createServer((req, res) => {
    const url = new URL(req.url, origin);
    const send = (status, type, body) => { res.writeHead(status, { 'Content-Type': type, 'Access-Control-Allow-Origin': '*' }); res.end(body); };
    if (url.pathname === '/') {
      return send(200, 'text/html', '<!doctype html><html><head><meta charset="utf-8"><title>Notes</title></head><body>'
        + '<h1>Notes</h1><button id="signin">Sign in with Blockstack</button><pre id="out"></pre>'
        + '<script src="/config.js"></script><script src="/blockstack.js"></script><script src="/app.js"></script></body></html>');
    }
    if (url.pathname === '/config.js') {
      return send(200, 'text/javascript', `window.CORE_NODE=${JSON.stringify(stack.api)};window.AUTHENTICATOR=${JSON.stringify(authUrl)};`);
    }
    if (url.pathname === '/blockstack.js') return send(200, 'text/javascript', bundle);
    if (url.pathname === '/app.js') return send(200, 'text/javascript', script);
    if (url.pathname === '/manifest.json') {
      return send(200, 'application/json', JSON.stringify({ name: 'Notes <b>bold</b>', start_url: origin,
        icons: [{ src: '/icon.png', sizes: '64x64', type: 'image/png' }] }));
    }
    if (url.pathname === '/broken-manifest.json') return send(200, 'application/json', '[not json');
    return send(404, 'text/plain', 'not found');
  });
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  return { server, origin };
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

async function profileFile() {
  const r = await fetch(`${hubInfo.read_url_prefix}${keys.owner.address.mainnet}/profile.json`);
  return r.status === 200 ? r.text() : `HTTP ${r.status}`;
}

function decodeProfile(text) {
  return jsontokens.decodeToken(JSON.parse(text)[0].token).payload.claim;
}

// An auth request made by blockstack.js itself, as an app would make it.
function authRequest({ key = bsk.makeECPrivateKey(), redirect = `${appOrigin}/`, manifest = `${appOrigin}/manifest.json`,
  scopes = ['store_write'], domain = appOrigin, expiresAt } = {}) {
  return bsk.makeAuthRequest(key, redirect, manifest, scopes, domain, expiresAt);
}

before(async () => {
  assert.ok(existsSync(CHROMIUM), `Chromium is not at ${CHROMIUM} (scripts/setup.sh installs Debian's chromium)`);
  mkdirSync(shots, { recursive: true });
  dir = tempDir('authenticator-test');
  // blockstack.js v21 compares /v1/names' owner with a mainnet-form address.
  stack = await startStack(dir, ['alice'], { daemonArgs: ['--api-mainnet-addresses', 'true'] });
  hubInfo = await (await fetch(`${stack.hub.url}/hub_info`)).json();
  app = await startApp(await freePort());
  appOrigin = app.origin;

  // A keychain whose identities 0 and 1 each own a name; identity 0's has a profile.
  mnemonicFile = path.join(dir, 'mnemonic');
  writeFileSync(mnemonicFile, JSON.parse((await run('blockstack', ['--json', 'keys', 'new'])).stdout).mnemonic);
  const derive = async (i) => JSON.parse((await run('blockstack', ['--json', 'keys', 'derive', ...kc(), '--index',
    String(i), '--app', appOrigin])).stdout);
  keys = await derive(0);
  keys1 = await derive(1);
  await createNamespace(stack, 'auth');
  const profile = path.join(dir, 'profile.json');
  writeFileSync(profile, JSON.stringify({ '@type': 'Person', name: 'Alice', description: 'kept across sign-ins' }));
  const put = await stack.cli(['profile', 'put', profile, '--hub', stack.hub.url, ...kc()]);
  const zf = await stack.cli(['zonefile', 'make', 'alice.auth', '--url', put.public_url]);
  const zfile = path.join(dir, 'alice.zone');
  writeFileSync(zfile, zf.zonefile);
  await stack.mined(['name', 'register', 'alice.auth', '--key', stack.keys.alice.wif.regtest, '--owner',
    keys.owner.address.regtest, '--zonefile', zfile]);
  await stack.mined(['name', 'register', 'carol.auth', '--key', stack.keys.alice.wif.regtest, '--owner',
    keys1.owner.address.regtest]);
  // A name the keychain does not own.
  await stack.mined(['name', 'register', 'other.auth', '--key', stack.keys.alice.wif.regtest]);
  await waitFor(async () => (await fetch(`${stack.api}/v1/names/alice.auth`)).status === 200
    && (await (await fetch(`${stack.api}/v1/names/alice.auth/zonefile`)).text()).includes(put.public_url),
  { what: 'alice.auth and its zone file', timeoutMs: 30000 });

  const port = await freePort();
  authd = startProcess(path.join(binDir, 'blockstack'), ['--network', 'regtest', '--node',
    stack.api, 'authenticator', '--hub', stack.hub.url, '--port', String(port), ...kc()]);
  await waitFor(() => {
    if (authd.exitCode !== null) throw new Error(`authenticator exited: ${authd.output}`);
    return /authenticator: http/.test(authd.output);
  }, { what: 'the authenticator to listen' });
  authUrl = `http://127.0.0.1:${port}/auth`;

  browser = await puppeteer.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
  });
});

after(async () => {
  if (process.env.AUTH_TEST_DEBUG && authd) console.error(authd.output.slice(-4000));
  if (browser) await browser.close();
  if (authd) await stopProcess(authd);
  if (app) app.server.close();
  if (stack) await stack.stop();
});

async function newPage(context) {
  const page = await context.newPage();
  if (process.env.AUTH_TEST_DEBUG) {
    page.on('console', (m) => console.error('console:', m.text()));
    page.on('request', (r) => console.error('request:', r.method(), r.url().slice(0, 100)));
    page.on('requestfailed', (r) => console.error('failed:', r.url().slice(0, 100), r.failure()?.errorText));
    page.on('response', (r) => console.error('response:', r.status(), r.url().slice(0, 100)));
    page.on('framenavigated', (f) => console.error('navigated:', f.url().slice(0, 100)));
  }
  return page;
}

// Activates a button or link as a click does (form submission, navigation).
// Mouse events at computed coordinates were lost now and then in headless
// Chromium once the page had navigated a few times.
async function press(page, selector) {
  await page.waitForSelector(selector);
  await page.$eval(selector, (e) => e.click());
}

// From the app's page to the authenticator's, by the app's own sign-in button.
async function toAuthenticator(page) {
  await page.goto(`${appOrigin}/`);
  await page.waitForSelector('body[data-state="signed-out"]');
  await press(page, '#signin');
  await waitFor(() => page.url().startsWith(authUrl), { what: 'the app to send the user to the authenticator' });
  await page.waitForSelector('#app-name');
  return new URL(page.url()).searchParams.get('authRequest');
}

test('a blockstack.js v21 app signs in through the authenticator and uses its storage', async () => {
  const before = await profileFile();
  const context = await browser.createBrowserContext();
  const page = await newPage(context);
  const seen = [];
  page.on('request', (r) => { if (r.url().includes('authResponse=')) seen.push(r.url()); });
  const request = await toAuthenticator(page);
  assert.ok(request, 'the app sent an authRequest');
  // The consent page: the app's manifest name as text, its origin, the scopes, both names.
  assert.equal(await page.$eval('#app-name', (e) => e.textContent), 'Notes <b>bold</b>');
  assert.equal(await page.$$eval('#app-name b', (l) => l.length), 0, 'the manifest name is text');
  assert.equal(await page.$eval('#app-origin', (e) => e.textContent), appOrigin);
  const scopes = await page.$$eval('#scopes li', (l) => l.map((e) => e.dataset.scope).filter(Boolean));
  assert.deepEqual(scopes, ['store_write', 'publish_data']);
  const names = await page.$$eval('form.ids button', (l) => l.map((b) => b.dataset.name));
  assert.deepEqual(names, ['alice.auth', 'carol.auth']);
  assert.equal(await page.$eval('#app-icon', (e) => e.getAttribute('src')), `${appOrigin}/icon.png`);
  await shot(page, 'consent');

  await press(page, 'form.ids button[data-name="alice.auth"]');
  await page.waitForSelector('body[data-state="signed-in"], body[data-state="failed"]', { timeout: 30000 });
  const result = JSON.parse(await page.$eval('#out', (e) => e.textContent));
  await shot(page, 'app-signed-in');
  assert.equal(result.state, 'signed-in', result.error);
  assert.equal(result.username, 'alice.auth');
  assert.equal(result.hubUrl, stack.hub.url);
  assert.equal(result.coreNode, stack.api);
  assert.equal(result.read, result.written, 'the encrypted, signed note reads back');
  assert.equal(result.viaName, result.card, 'the signed card reads back through the profile apps map');
  // The app key is the keychain's app key for the app's origin (the original's derivation).
  assert.equal(result.appPrivateKey, keys.app.private_key.slice(0, 64));
  assert.equal(result.profile.name, 'Alice');

  // The auth response, decoded and checked with blockstack.js.
  const responseUrl = seen.find((u) => u.startsWith(`${appOrigin}/`));
  assert.ok(responseUrl, 'the app got an authResponse');
  const token = new URL(responseUrl).searchParams.get('authResponse');
  assert.ok(await bsk.verifyAuthResponse(token, `${stack.api}/v1/names`), 'blockstack.js verifies the response');
  const payload = jsontokens.decodeToken(token).payload;
  assert.equal(payload.version, '1.3.1');
  assert.equal(payload.username, 'alice.auth');
  assert.equal(payload.iss, `did:btc-addr:${keys.owner.address.mainnet}`);
  assert.equal(payload.blockstackAPIUrl, stack.api);
  assert.equal(payload.profile_url, `${hubInfo.read_url_prefix}${keys.owner.address.mainnet}/profile.json`);
  const assoc = jsontokens.decodeToken(payload.associationToken).payload;
  assert.equal(assoc.childToAssociate, keys.app.public_key);
  assert.equal(assoc.iss, keys.owner.public_key);
  assert.ok(payload.exp > Date.now() / 1000 + 29 * 86400);

  // The profile gained the app's bucket and kept the rest.
  const after = await profileFile();
  assert.notEqual(after, before);
  const claim = decodeProfile(after);
  assert.equal(claim.apps[appOrigin], `${hubInfo.read_url_prefix}${keys.app.address.mainnet}/`);
  assert.equal(claim.description, 'kept across sign-ins');
  const looked = await stack.cli(['lookup', 'alice.auth']);
  assert.equal(looked.profile.apps[appOrigin], claim.apps[appOrigin], 'the CLI resolves the new profile');

  // The same request again: refused, and nothing written.
  const again = await page.goto(`${authUrl}?authRequest=${request}`);
  assert.equal(again.status(), 409);
  assert.match(await page.$eval('#error', (e) => e.textContent), /was approved or declined before/);
  assert.equal(await profileFile(), after);
  await context.close();
});

test('handlePendingSignIn refuses a response for a name the key does not own', async () => {
  const context = await browser.createBrowserContext();
  const page = await newPage(context);
  const request = await toAuthenticator(page);
  const transit = jsontokens.decodeToken(request).payload.public_keys[0];
  // A response signed by identity 0's key naming other.auth, which another key owns.
  const forged = await bsk.makeAuthResponse(keys.owner.private_key.slice(0, 64), {}, 'other.auth',
    { profileUrl: null }, null, keys.app.private_key.slice(0, 64), undefined, transit, stack.hub.url, stack.api, null);
  await page.goto(`${appOrigin}/?authResponse=${forged}`);
  await page.waitForSelector('body[data-state="signed-in"], body[data-state="failed"]', { timeout: 30000 });
  const result = JSON.parse(await page.$eval('#out', (e) => e.textContent));
  assert.equal(result.state, 'failed');
  assert.match(result.error, /Invalid authentication response/);
  // And the same made for the name identity 0 owns passes blockstack.js's check.
  const honest = await bsk.makeAuthResponse(keys.owner.private_key.slice(0, 64), {}, 'alice.auth',
    { profileUrl: null }, null, keys.app.private_key.slice(0, 64), undefined, transit, stack.hub.url, stack.api, null);
  assert.ok(await bsk.verifyAuthResponse(honest, `${stack.api}/v1/names`));
  assert.equal(await bsk.verifyAuthResponse(forged, `${stack.api}/v1/names`), false);
  await context.close();
});

test('Decline sends the app nothing and writes nothing', async () => {
  const before = await profileFile();
  const context = await browser.createBrowserContext();
  const page = await newPage(context);
  const seen = [];
  page.on('request', (r) => { if (r.url().includes('authResponse=')) seen.push(r.url()); });
  await toAuthenticator(page);
  await press(page, '#decline');
  await page.waitForSelector('#declined');
  assert.match(await page.$eval('#declined', (e) => e.textContent), /declined/);
  await shot(page, 'declined');
  await press(page, '#back');
  await page.waitForSelector('body[data-state]');
  assert.equal(await page.$eval('body', (e) => e.dataset.state), 'signed-out');
  assert.deepEqual(seen, []);
  assert.equal(await profileFile(), before);
  await context.close();
});

test('bad sign-in requests get a clear refusal page and write nothing', async () => {
  const before = await profileFile();
  const context = await browser.createBrowserContext();
  const page = await newPage(context);
  const refuse = async (label, token, status, pattern) => {
    const res = await page.goto(`${authUrl}?authRequest=${encodeURIComponent(token)}`);
    assert.equal(res.status(), status, label);
    const message = await page.$eval('#error', (e) => e.textContent);
    assert.match(message, pattern, label);
    assert.equal(await page.$$eval('form.ids', (l) => l.length), 0, `${label}: no approve form`);
    return message;
  };
  await refuse('malformed', 'not-a-token', 400, /not a signed token/);
  await refuse('expired', authRequest({ expiresAt: Date.now() - 3600 * 1000 }), 400, /expired/);
  const valid = authRequest();
  const [h, p, s] = valid.split('.');
  const payload = JSON.parse(Buffer.from(p, 'base64url'));
  payload.redirect_uri = `${appOrigin}/elsewhere`;
  await refuse('wrongly signed', [h, Buffer.from(JSON.stringify(payload)).toString('base64url'), s].join('.'), 400,
    /signature does not verify/);
  const unsigned = `${Buffer.from('{"typ":"JWT","alg":"none"}').toString('base64url')}.${p}.`;
  await refuse('alg none', unsigned, 400, /not signed with ES256K/);
  await refuse('off-origin redirect', authRequest({ redirect: 'http://127.0.0.2:9/steal' }), 400,
    /redirect URI http:\/\/127\.0\.0\.2:9\/steal is not on the app's origin/);
  await refuse('manifest missing', authRequest({ manifest: `${appOrigin}/nowhere.json` }), 502, /manifest .* could not be fetched: HTTP 404/);
  await refuse('manifest not JSON', authRequest({ manifest: `${appOrigin}/broken-manifest.json` }), 502, /not a JSON object/);
  const deadPort = await freePort();
  await refuse('manifest unreachable', authRequest({ domain: `http://127.0.0.1:${deadPort}`,
    redirect: `http://127.0.0.1:${deadPort}/`, manifest: `http://127.0.0.1:${deadPort}/manifest.json` }), 502,
  /could not be fetched/);
  await refuse('no request', '', 400, /authRequest/);
  await shot(page, 'refused');

  // A form posted from another site is refused, and a stale form id too.
  const form = await fetch(authUrl.replace('/auth', '/approve'), { method: 'POST', headers: {
    'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://evil.example' }, body: 'request=00&identity=0' });
  assert.equal(form.status, 403);
  const stale = await fetch(authUrl.replace('/auth', '/approve'), { method: 'POST', headers: {
    'Content-Type': 'application/x-www-form-urlencoded' }, body: 'request=00&identity=0' });
  assert.equal(stale.status, 410);
  // A request addressed to another host name (DNS rebinding) is refused.
  const rebound = await new Promise((resolve, reject) => {
    http.get(`${authUrl}?authRequest=${valid}`, { headers: { Host: 'evil.example' } }, (res) => { res.resume(); resolve(res.statusCode); })
      .on('error', reject);
  });
  assert.equal(rebound, 421);
  assert.equal(await profileFile(), before);
  await context.close();
});
