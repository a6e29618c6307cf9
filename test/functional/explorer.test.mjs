// The explorer served by blockstackd (doc/explorer.md), driven in Debian's
// Chromium through puppeteer-core: names, a subdomain, an update (for the zone
// file diff), a transfer and a rejected operation on bcoin regtest, then every
// page kind, search with suggestions and the keyboard, reading without
// JavaScript, hostile zone-file and profile data shown as text under a strict
// CSP, Verify passing on the node and failing behind a lying proxy, and the
// phone width. Screenshots of each page kind go to build/screenshots/explorer/
// (or $BLOCKSTACK_SCREENSHOTS).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import puppeteer from 'puppeteer-core';

import { createNamespace, hash160, repoRoot, rewritingProxy, startStack, tempDir, waitFor } from './harness.mjs';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const shots = process.env.BLOCKSTACK_SCREENSHOTS || path.join(repoRoot, 'build', 'screenshots', 'explorer');

let stack;
let dir;
let browser;
let liar;

const getJson = async (url) => (await fetch(url)).json();

async function newPage({ width = 1200, js = true } = {}) {
  const page = await browser.newPage();
  await page.setViewport({ width, height: 900 });
  await page.setJavaScriptEnabled(js);
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  // A failed load is told by its response (a missing .sig is how an unsigned file looks).
  page.on('console', (m) => { if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) page.errors.push(m.text()); });
  page.on('response', (r) => { if (r.status() >= 400 && !r.url().endsWith('.sig')) page.errors.push(`${r.status()} ${r.url()}`); });
  page.on('dialog', async (d) => { page.errors.push(`dialog: ${d.message()}`); await d.dismiss(); });
  return page;
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

const text = (page, sel) => page.$eval(sel, (e) => e.textContent);
// Form controls without a label (accessibility: each must have one).
const unlabeled = (page) => page.$$eval('input, select, textarea', (l) => l.filter((e) => e.labels.length === 0).map((e) => e.id || e.name));

before(async () => {
  assert.ok(existsSync(CHROMIUM), `Chromium is not at ${CHROMIUM} (scripts/setup.sh installs Debian's chromium)`);
  mkdirSync(shots, { recursive: true });
  dir = tempDir('explorer-test');
  stack = await startStack(dir, ['alice', 'bob']);
  liar = await rewritingProxy(stack.api);
  browser = await puppeteer.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
  });
});

after(async () => {
  if (process.env.EXPLORER_TEST_DEBUG && stack) console.error(stack.daemon.output.slice(-4000), stack.daemon.exitCode, stack.daemon.signalCode);
  if (browser) await browser.close();
  if (liar) await liar.close();
  if (stack) await stack.stop();
});

test('every page kind, search, Verify and hostile data in a real browser', async () => {
  const { alice, bob } = stack.keys;
  const key = (who) => stack.keys[who].wif.regtest;
  const file = (name, body) => { const f = path.join(dir, name); writeFileSync(f, body); return f; };
  await createNamespace(stack, 'ex');

  // alice.ex: a profile on the hub whose fields try to be markup; registered, then updated.
  const hostileName = '<img src=x onerror="window.pwned=1">Alice';
  const profile = await stack.cli(['profile', 'make', '--name', hostileName]);
  profile.description = '</p><script>window.pwned=2</script>';
  profile.apps = { 'https://app.example': 'javascript:window.pwned=3' };
  const put = await stack.cli(['profile', 'put', file('profile.json', JSON.stringify(profile)), '--key', key('alice'),
    '--hub', stack.hub.url]);
  const gaia = (args) => stack.cli(['gaia', 'put', ...args, '--hub', stack.hub.url, '--key', key('alice')]);
  await gaia(['notes/hello.txt', '--data', 'hello from alice', '--text', '--sign']);
  await gaia(['notes/secret.txt', '--data', 'the secret plan', '--text', '--encrypt', '--sign']);
  await gaia(['hostile.html', '--data', '<script>window.pwned=5</script><img src=x onerror="window.pwned=6">', '--text']);
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
  await gaia(['dot.png', '--file', file('dot.png', png), '--content-type', 'image/png']);
  const zone1 = (await stack.cli(['zonefile', 'make', 'alice.ex', '--url', put.public_url])).zonefile;
  await stack.mined(['name', 'register', 'alice.ex', '--key', key('alice'), '--zonefile', file('a1.zone', zone1)]);
  const zone2 = `${zone1.replace('$TTL 3600', '$TTL 7200')}hostile IN TXT "<script>window.pwned=4</script>"\n`;
  await stack.mined(['name', 'update', 'alice.ex', '--key', key('alice'), '--zonefile', file('a2.zone', zone2), '--wait']);
  // corp.ex: bob's, carrying a subdomain; then transferred to alice.
  const subZone = (await stack.cli(['zonefile', 'make', 'www.corp.ex', '--url', 'https://example.org/p.json'])).zonefile;
  const txt = (await stack.cli(['zonefile', 'subdomain', 'www.corp.ex', '--owner', bob.address.mainnet,
    '--zonefile', file('www.zone', subZone)])).txt;
  const corpZone = (await stack.cli(['zonefile', 'make', 'corp.ex', '--url', 'https://example.org/c.json'])).zonefile;
  await stack.mined(['name', 'register', 'corp.ex', '--key', key('bob'), '--zonefile',
    file('corp.zone', `${corpZone}${txt}\n`)]);
  await stack.mined(['name', 'transfer', 'corp.ex', '--to', alice.address.regtest, '--key', key('bob'), '--wait']);
  // A rejected operation: an ANNOUNCE from a key that owns no announcer name.
  let rejected = null;
  try {
    await stack.mined(['announce', '--message-hash', hash160('hello'), '--key', key('bob'), '--wait']);
  } catch (e) {
    rejected = String(e.message);
  }
  assert.match(rejected || '', /exited 8/);
  await waitFor(async () => (await fetch(`${stack.api}/v1/names/www.corp.ex`)).status === 200,
    { what: 'the subdomain on the node', timeoutMs: 30000 });
  await waitFor(async () => (await getJson(`${stack.api}/v1/names/alice.ex`)).zonefile_hash === hash160(zone2),
    { what: 'the update of alice.ex', timeoutMs: 30000 });
  const info = await getJson(`${stack.api}/v1/info`);

  // Home: counts, the feed with the operations above, the rejected one with its reason.
  const page = await newPage();
  const home = await page.goto(`${stack.api}/`, { waitUntil: 'networkidle0' });
  assert.equal(home.status(), 200);
  const csp = home.headers()['content-security-policy'];
  assert.match(csp, /script-src 'self'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.ok(Number(await text(page, '#tip')) >= info.last_block_processed);
  const feed = await text(page, '#feed');
  assert.match(feed, /alice\.ex/);
  assert.match(feed, /corp\.ex/);
  assert.match(feed, /announcer/i);
  await shot(page, 'home');

  // Search: suggestions by prefix across names and subdomains, picked with the keyboard.
  await page.type('#q', 'w');
  await page.waitForSelector('#suggestions li', { visible: true });
  assert.match(await text(page, '#suggestions'), /www\.corp\.ex/);
  await page.$eval('#q', (e) => { e.value = ''; });
  await page.type('#q', 'ali');
  await page.waitForFunction(() => /alice\.ex/.test(document.querySelector('#suggestions')?.textContent || ''));
  await shot(page, 'search-suggestions');
  await page.keyboard.press('ArrowDown');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  assert.equal(new URL(page.url()).pathname, '/explorer/names/alice.ex');

  // The name page: owner, zone file read into records, hostile text as text,
  // the diff between versions, the calendar file.
  assert.match(await text(page, 'table.kv'), new RegExp(alice.address.regtest));
  assert.match(await text(page, 'table.records'), /<script>window\.pwned=4<\/script>/);
  assert.equal(await page.$$eval('main script, main img[src="x"]', (l) => l.length), 0);
  const diff = await page.$eval('pre.diff', (e) => e.textContent);
  assert.match(diff, /- \$TTL 3600/);
  assert.match(diff, /\+ \$TTL 7200/);
  const card = await text(page, '.profile');
  assert.ok(card.includes(hostileName), card);
  assert.ok(card.includes('Signed by the owner'));
  assert.equal(await page.$$eval('.profile a[href^="javascript"]', (l) => l.length), 0);
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  const ics = await (await fetch(`${stack.api}/explorer/names/alice.ex/expiry.ics`)).text();
  assert.match(ics, /BEGIN:VCALENDAR[\s\S]*SUMMARY:Renew alice\.ex[\s\S]*TRIGGER:-P7D/);
  await page.$$eval('details', (l) => l.forEach((d) => { d.open = true; }));
  assert.deepEqual(await unlabeled(page), []);
  // The keyboard reaches the search box first, then the page's links.
  await page.focus('body');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'q');
  await shot(page, 'name');

  // The bucket browser, from the name page's storage section: files opened by
  // path without a key; listed, checked and decrypted with alice's key.
  await Promise.all([page.waitForNavigation(), page.click('.buckets a[href^="/explorer/bucket"]')]);
  const bucketUrl = page.url();
  await page.$eval('#open-path', (e) => { e.value = ''; });
  await page.type('#open-path', 'hostile.html');
  await page.click('#bucket-open button');
  await page.waitForFunction(() => document.querySelector('#bucket-preview pre'));
  assert.match(await text(page, '#bucket-preview pre'), /<script>window\.pwned=5<\/script>/);
  assert.match(await text(page, '#bucket-preview .marks'), /not signed/);
  // A key that is not the bucket's is refused before anything is asked.
  await page.type('#bucket-key', bob.private_key);
  await page.click('#bucket-list button');
  await page.waitForFunction(() => document.querySelector('#bucket-status').className === 'bad');
  assert.match(await text(page, '#bucket-status'), /not the bucket's/);
  await page.$eval('#bucket-key', (e) => { e.value = ''; });
  await page.type('#bucket-key', alice.private_key);
  await page.click('#bucket-list button');
  await page.waitForFunction(() => document.querySelectorAll('#bucket-files tbody tr').length >= 4
    && /encrypted/.test(document.querySelector('#bucket-files tbody').textContent));
  const listing = await text(page, '#bucket-files tbody');
  for (const f of ['notes/hello.txt', 'notes/secret.txt', 'hostile.html', 'dot.png', 'profile.json']) {
    assert.ok(listing.includes(f), `${f} in ${listing}`);
  }
  assert.ok(!listing.includes('.sig'), listing);
  assert.match(await text(page, 'tr[data-path="notes/hello.txt"] .kind'), /signed/);
  assert.match(await text(page, 'tr[data-path="notes/secret.txt"] .kind'), /signed, encrypted/);
  await page.click('tr[data-path="notes/hello.txt"] a');
  await page.waitForFunction(() => /hello from alice/.test(document.querySelector('#bucket-preview')?.textContent || ''));
  assert.match(await text(page, '#bucket-preview .marks'), /signed by the bucket's key/);
  await page.click('tr[data-path="dot.png"] a');
  await page.waitForSelector('#bucket-preview img.preview-image');
  await page.click('tr[data-path="notes/secret.txt"] a');
  await page.waitForSelector('#decrypt');
  assert.match(await text(page, '#bucket-preview .marks'), /signed by the bucket's key · encrypted/);
  assert.doesNotMatch(await text(page, '#bucket-preview'), /the secret plan/);
  await page.click('#decrypt');
  await page.waitForFunction(() => /the secret plan/.test(document.querySelector('.decrypted')?.textContent || ''));
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  assert.deepEqual(await unlabeled(page), []);
  await shot(page, 'bucket');
  // The prefix narrows the list.
  await page.type('#list-prefix', 'notes/');
  await page.click('#bucket-list button');
  await page.waitForFunction(() => document.querySelectorAll('#bucket-files tbody tr').length === 2);
  // Without JavaScript the bucket page says what needs it.
  const noJs = await newPage({ js: false });
  await noJs.goto(bucketUrl);
  assert.match(await text(noJs, '#bucket-needs-js'), /need JavaScript/);
  await noJs.close();
  await page.goto(`${stack.api}/explorer/names/alice.ex`, { waitUntil: 'networkidle0' });

  // Verify against the node's consensus hash: passes.
  await page.type('#trusted', info.consensus);
  await page.click('#verify-form button');
  await page.waitForFunction(() => /verified|failed/.test(document.querySelector('#verify-result').className));
  assert.equal(await page.$eval('#verify-result', (e) => e.className), 'verified', await text(page, '#verify-result'));
  assert.match(await text(page, '#verify-result'), /2 operation\(s\) on alice\.ex/);
  await shot(page, 'name-verified');

  // Behind a lying node: a page that names another owner, and a bundle with an
  // operation altered; each caught with its step.
  const lies = {
    record: [(url, status, body) => (url.startsWith('/explorer/names/alice.ex')
      ? { status, body: body.replaceAll(alice.address.regtest, bob.address.regtest) } : undefined), /Failed at record/],
    bundle: [(url, status, body) => (url.startsWith('/v1/proofs/names/alice.ex')
      ? { status, body: body.replace(/"ops":\["([^"]{10})/, '"ops":["X$1') } : undefined), /Failed at (block|link)/],
  };
  for (const [what, [lie, expected]] of Object.entries(lies)) {
    liar.lie = lie;
    const lied = await newPage();
    await lied.goto(`${liar.url}/explorer/names/alice.ex`, { waitUntil: 'networkidle0' });
    await lied.type('#trusted', info.consensus);
    await lied.click('#verify-form button');
    await lied.waitForFunction(() => /verified|failed/.test(document.querySelector('#verify-result').className));
    assert.match(await text(lied, '#verify-result'), expected, what);
    await shot(lied, `name-lying-${what}`);
    await lied.close();
  }
  liar.lie = null;

  // The subdomain's page, and its domain's list of subdomains.
  await page.goto(`${stack.api}/explorer/names/www.corp.ex`, { waitUntil: 'networkidle0' });
  assert.match(await text(page, 'table.kv'), /corp\.ex/);
  // Verify replays the subdomain's records from its domain's proved zone files.
  const verifyHere = async (p) => {
    await p.type('#trusted', info.consensus);
    await p.click('#verify-form button');
    await p.waitForFunction(() => /verified|failed/.test(document.querySelector('#verify-result').className));
    return text(p, '#verify-result');
  };
  const subVerified = await verifyHere(page);
  assert.match(subVerified, /^Verified\./, subVerified);
  assert.match(subVerified, /sequence 0, carried by corp\.ex/);
  await shot(page, 'subdomain');
  liar.lie = (url, status, body) => (url.startsWith('/explorer/names/www.corp.ex')
    ? { status, body: body.replaceAll(bob.address.mainnet, alice.address.mainnet) } : undefined);
  const subLied = await newPage();
  await subLied.goto(`${liar.url}/explorer/names/www.corp.ex`, { waitUntil: 'networkidle0' });
  assert.match(await verifyHere(subLied), /Failed at record: .*replayed records say/);
  await subLied.close();
  liar.lie = null;
  await page.goto(`${stack.api}/explorer/names/corp.ex`, { waitUntil: 'networkidle0' });
  assert.match(await text(page, 'main'), /www\.corp\.ex/);

  // Namespace: the price table and its plot.
  await page.goto(`${stack.api}/explorer/namespaces/ex`, { waitUntil: 'networkidle0' });
  assert.equal(await page.$$eval('table.prices tbody tr', (l) => l.length), 16);
  assert.equal(await page.$$eval('svg.plot', (l) => l.length), 2);
  assert.equal(await page.$$eval('svg.plot', (l) => l[0].querySelectorAll('circle').length), 16);
  assert.match(await text(page, 'main'), /Registrations over time/);
  const regs = await getJson(`${stack.api}/v1/namespaces/ex/registrations`);
  assert.equal(regs.counts.reduce((a, b) => a + b, 0), 2);
  assert.match(await text(page, 'main'), /alice\.ex/);
  await shot(page, 'namespace');

  // Address: what alice owns now (the transferred domain too) and their operations.
  await page.goto(`${stack.api}/explorer/addresses/${alice.address.regtest}`, { waitUntil: 'networkidle0' });
  const owned = await text(page, 'main');
  assert.match(owned, /alice\.ex/);
  assert.match(owned, /corp\.ex/);
  await shot(page, 'address');

  // The block of the rejected ANNOUNCE, found by searching its txid.
  const blocks = await Promise.all(Array.from({ length: 6 }, (_, i) => getJson(
    `${stack.api}/v1/blocks/${info.last_block_processed - i}`)));
  const withRejection = blocks.find((b) => b.operations.some((o) => !o.accepted));
  assert.ok(withRejection, 'a block with the rejected operation');
  const bad = withRejection.operations.find((o) => !o.accepted);
  await page.goto(`${stack.api}/`, { waitUntil: 'networkidle0' });
  await page.type('#q', bad.txid);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  assert.equal(new URL(page.url()).pathname, `/explorer/blocks/${withRejection.height}`);
  assert.match(await text(page, `tr[id="tx-${bad.txid}"]`), /rejected: .*announcer/i);
  assert.match(await text(page, 'main'), new RegExp(withRejection.consensus_hash));
  await shot(page, 'block');
  // Searching a consensus hash, a height or the Bitcoin block's hash lands on the block too.
  const blockHash = await stack.bcoin.rpc('getblockhash', [withRejection.height]);
  assert.equal(withRejection.block_hash, blockHash);
  for (const q of [withRejection.consensus_hash, String(withRejection.height), blockHash]) {
    const r = await fetch(`${stack.api}/explorer/search?q=${q}`, { redirect: 'manual' });
    assert.equal(r.headers.get('location'), `/explorer/blocks/${withRejection.height}`);
  }

  // Every page has a JSON twin with the data it shows.
  const twin = await getJson(`${stack.api}/explorer/names/alice.ex?format=json`);
  assert.equal(twin.record.address, alice.address.regtest);
  assert.ok(twin.zonefiles[hash160(zone1)] && twin.zonefiles[hash160(zone2)]);
  assert.equal((await getJson(`${stack.api}/explorer/blocks/${withRejection.height}?format=json`)).consensus_hash,
    withRejection.consensus_hash);

  // Without JavaScript the pages still read.
  const plain = await newPage({ js: false });
  await plain.goto(`${stack.api}/explorer/names/alice.ex`);
  assert.match(await text(plain, 'table.kv'), new RegExp(alice.address.regtest));
  assert.match(await text(plain, '#verify-result'), /needs JavaScript/);
  await shot(plain, 'name-no-javascript');
  await plain.close();

  // At phone width nothing runs off the side.
  const phone = await newPage({ width: 375 });
  for (const [name, url] of [['home', '/'], ['name', '/explorer/names/alice.ex'], ['block', `/explorer/blocks/${withRejection.height}`]]) {
    await phone.goto(`${stack.api}${url}`, { waitUntil: 'networkidle0' });
    const wide = await phone.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 380, `${name} is ${wide} px wide at 375`);
    await shot(phone, `phone-${name}`);
  }
  assert.deepEqual(phone.errors, []);
  await phone.close();

  // Hostile requests: an odd name, a huge search, a page number that is not one.
  for (const [url, status] of [['/explorer/names/%3Cscript%3E.ex', 400], [`/explorer/search?q=${'x'.repeat(5000)}`, 400],
    ['/explorer/names/alice.ex?history_page=-1', 400], ['/explorer/blocks/abc', 400], ['/explorer/nothing', 404],
    ['/explorer/transactions/zz', 400], ['/explorer/names/nobody.ex', 404], ['/explorer/bucket?url=javascript:x', 400],
    ['/explorer/bucket?url=https://hub.example/read/not-an-address/', 400], ['/explorer/bucket', 400]]) {
    const r = await fetch(`${stack.api}${url}`);
    assert.equal(r.status, status, url);
    const body = await r.text();
    assert.doesNotMatch(body, /<script>/, url);
    assert.match(r.headers.get('content-security-policy') || '', /default-src 'none'/, url);
  }
  assert.deepEqual(page.errors, []);
  await page.close();
});
