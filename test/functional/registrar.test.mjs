// bns-registrar and `blockstack name register-subdomain` on bcoin regtest: the
// registrar queues requests in the original registrar API, answers for them at
// once (the node redirects lookups of a pending subdomain to the registrar named
// in the domain's zone file, and `blockstack lookup` and blockstack.js follow),
// and anchors them in a batch (one NAME_UPDATE of the domain) that the node then
// serves from the chain. Refusals carry the original's messages; a registrar that
// answers garbage or never answers gets a clear error from the CLI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import {
  base58checkEncode, binDir, createNamespace, freePort, loadBlockstackJs, run, startProcess, startStack, stopProcess,
  tempDir, waitFor,
} from './harness.mjs';

const bsk = loadBlockstackJs();
let stack;
let dir;
let registrar;
let registrarUrl;
let bob;
let carol;
let bobZone;

const base = () => ['--network', 'regtest', '--node', stack.api, '--bitcoind', stack.bcoin.url,
  '--wallet-rpc', stack.bcoin.walletUrl];
async function cli(args, opts) {
  const r = await run('blockstack', [...base(), '--json', ...args], { timeoutMs: 120000, ...opts });
  return { ...r, json: r.code === 0 ? JSON.parse(r.stdout) : undefined };
}
function file(name, text) {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}
async function register(body, headers = {}) {
  const res = await fetch(`${registrarUrl}/register`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

before(async () => {
  dir = tempDir('registrar');
  stack = await startStack(dir, ['alice']);
  await createNamespace(stack, 'reg');
  // The domain's zone file names its registrar, so nodes redirect pending lookups there.
  const port = await freePort();
  registrarUrl = `http://127.0.0.1:${port}`;
  const domainZone = file('corp.zone', `$ORIGIN corp.reg\n$TTL 3600\n_resolver\tIN\tURI\t10\t1\t"${registrarUrl}"\n`);
  await stack.mined(['name', 'register', 'corp.reg', '--key', stack.keys.alice.wif.regtest, '--zonefile', domainZone]);
  const keyFile = file('owner.key', `${stack.keys.alice.wif.regtest}\n`);
  registrar = startProcess(path.join(binDir, 'bns-registrar'), ['--domain', 'corp.reg', '--key-file', keyFile,
    '--network', 'regtest', '--bitcoind', stack.bcoin.url, '--wallet-rpc', stack.bcoin.walletUrl, '--node', stack.api,
    '--db', path.join(dir, 'registrar.db'), '--listen', `127.0.0.1:${port}`, '--batch-interval', '2',
    '--batch-size', '50', '--api-key', 'operator-key']);
  await waitFor(() => {
    if (registrar.exitCode !== null) throw new Error(`bns-registrar exited: ${registrar.output}`);
    return /listening on/.test(registrar.output);
  }, { what: 'bns-registrar to listen' });

  bob = (await cli(['keys', 'generate'])).json;
  carol = (await cli(['keys', 'generate'])).json;
  const put = await cli(['profile', 'put', file('bob.json', '{"@type":"Person","name":"Bob"}'), '--key', bob.wif.regtest,
    '--hub', stack.hub.url]);
  assert.equal(put.code, 0, put.stderr);
  bobZone = (await cli(['zonefile', 'make', 'bob.corp.reg', '--url', put.json.public_url])).json.zonefile;
});

after(async () => {
  if (registrar) await stopProcess(registrar);
  await stack?.stop();
});

test('a subdomain resolves at once while pending, then from the chain once its batch is anchored', async () => {
  const req = await cli(['name', 'register-subdomain', 'bob.corp.reg', '--registrar', registrarUrl, '--owner',
    bob.address.regtest, '--zonefile', file('bob.zone', bobZone)]);
  assert.equal(req.code, 0, req.stderr);
  assert.equal(req.json.accepted, true);
  assert.match(req.json.status, /queued|registered in transaction/);

  // Pending: the node redirects to the registrar; both clients follow.
  const pending = await cli(['lookup', 'bob.corp.reg']);
  assert.equal(pending.code, 0, pending.stderr);
  assert.equal(pending.json.pending, true);
  assert.equal(pending.json.owner, bob.address.regtest);
  assert.equal(pending.json.profile.name, 'Bob');
  bsk.config.network = new bsk.network.LocalRegtest(stack.api, stack.api);
  const info = await bsk.config.network.getNameInfo('bob.corp.reg');
  assert.match(info.status, /pending_subdomain|submitted_subdomain/);
  assert.equal(info.zonefile, bobZone);
  // blockstack.js checks a profile token against the mainnet form of the owner's
  // address only (publicKeyToAddress), so on regtest it is given that form, and
  // lookupProfile asks through a network whose addresses are mainnet's (it follows
  // the redirect, then coerces the address).
  assert.equal((await bsk.resolveZoneFileToProfile(info.zonefile, bob.address.mainnet)).name, 'Bob');
  const asMainnet = new bsk.network.BlockstackNetwork(stack.api, stack.api, new bsk.network.BlockchainInfoApi());
  const lookupProfile = async (name) => {
    const saved = bsk.config.network;
    bsk.config.network = asMainnet;
    try { return await bsk.lookupProfile(name); } finally { bsk.config.network = saved; }
  };
  assert.equal((await lookupProfile('bob.corp.reg')).name, 'Bob');

  // Anchored: one NAME_UPDATE of corp.reg, then the node has it from the chain.
  await stack.bcoin.whileMining(waitFor(async () => {
    const s = await (await fetch(`${registrarUrl}/status/bob`)).json();
    return s.status === 'Subdomain propagated';
  }, { timeoutMs: 60000, what: 'the batch to be anchored' }), stack.keys.miner.address.regtest);
  const onChain = await (await fetch(`${stack.api}/v1/names/bob.corp.reg`)).json();
  assert.equal(onChain.status, 'registered_subdomain');
  assert.equal(onChain.address, bob.address.regtest);
  assert.equal(onChain.resolver, registrarUrl);
  const anchored = await cli(['lookup', 'bob.corp.reg']);
  assert.equal(anchored.code, 0, anchored.stderr);
  assert.equal(anchored.json.pending, undefined);
  assert.equal(anchored.json.profile.name, 'Bob');
  assert.equal((await lookupProfile('bob.corp.reg')).name, 'Bob');
  const history = await (await fetch(`${stack.api}/v1/names/corp.reg/history`)).json();
  assert.ok(Object.values(history).flat().some((h) => h.opcode === 'NAME_UPDATE'), 'the batch is a NAME_UPDATE');
});

test('refusals carry the original registrar\'s messages', async () => {
  const owner = carol.address.regtest;
  const zonefile = '$ORIGIN x\n$TTL 3600\n';
  let r = await register({ name: 'bob', owner_address: owner, zonefile });
  assert.equal(r.status, 409);
  assert.match(r.body.message, /already queued for this name/);
  r = await register({ name: 'Not_Valid', owner_address: owner, zonefile });
  assert.equal(r.status, 409);
  assert.match(r.body.message, /invalid/);
  r = await register({ name: 'carol', owner_address: carol.address.mainnet, zonefile });
  assert.equal(r.status, 409);
  assert.match(r.body.message, /not a regtest address/);
  r = await register({ name: 'carol.other.reg', owner_address: owner, zonefile });
  assert.match(r.body.message, /Wrong domain/);
  r = await register({ name: 'carol', owner_address: owner, zonefile: 'x'.repeat(5000) });
  assert.equal(r.status, 413);
  const garbage = await fetch(`${registrarUrl}/register`, { method: 'POST', body: '{not json' });
  assert.equal(garbage.status, 400);
  assert.equal((await garbage.json()).status, false);
  // One subdomain per owner, unless the request carries an API key.
  r = await register({ name: 'carol', owner_address: owner, zonefile });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  r = await register({ name: 'carol2', owner_address: owner, zonefile });
  assert.equal(r.status, 409);
  assert.match(r.body.message, /Owner already registered/);
  r = await register({ name: 'carol3', owner_address: owner, zonefile }, { Authorization: 'bearer operator-key' });
  assert.equal(r.status, 202);
  // The registrar's own answers: status, the pending record, the list.
  assert.equal((await fetch(`${registrarUrl}/status/nobody`)).status, 404);
  const rec = await (await fetch(`${registrarUrl}/v1/names/carol.corp.reg`)).json();
  assert.equal(rec.status, 'pending_subdomain');
  assert.equal(rec.address, owner);
  assert.equal((await fetch(`${registrarUrl}/v1/names/carol.elsewhere.reg`)).status, 400);
  const list = await (await fetch(`${registrarUrl}/list/0`)).json();
  assert.deepEqual(list.map((e) => e.name).slice(0, 3), ['bob.corp.reg', 'carol.corp.reg', 'carol3.corp.reg']);
  assert.deepEqual(await (await fetch(`${registrarUrl}/index`)).json(), { status: true, domainName: 'corp.reg' });

  // The CLI says what the registrar said, with exit code 3.
  const cliRefused = await cli(['name', 'register-subdomain', 'carol.corp.reg', '--registrar', registrarUrl,
    '--owner', owner]);
  assert.equal(cliRefused.code, 8);
  assert.match(cliRefused.stderr, /already queued/);
});

test('a registrar that answers garbage or never answers gets a clear error', async () => {
  const garbage = http.createServer((req, res) => { res.writeHead(200); res.end('<html>hello</html>'); });
  const silent = http.createServer(() => {});
  for (const s of [garbage, silent]) await new Promise((r) => s.listen(0, '127.0.0.1', r));
  try {
    const args = (srv) => ['name', 'register-subdomain', 'dave.corp.reg', '--registrar',
      `http://127.0.0.1:${srv.address().port}`, '--owner', carol.address.regtest, '--timeout', '2'];
    const g = await cli(args(garbage));
    assert.equal(g.code, 7, g.stderr);
    assert.match(g.stderr, /registrar/);
    const started = Date.now();
    const t = await cli(args(silent));
    assert.equal(t.code, 5, t.stderr);
    assert.ok(Date.now() - started < 20000, 'gave up in time');
  } finally {
    garbage.close();
    silent.closeAllConnections();
    silent.close();
  }
});

// The registrar again on the same database and port, with these batch settings.
const restart = async (batchSize, interval, { bitcoind = stack.bcoin.url, wallet = stack.bcoin.walletUrl,
  node = stack.api } = {}) => {
  await stopProcess(registrar);
  registrar = startProcess(path.join(binDir, 'bns-registrar'), ['--domain', 'corp.reg', '--key-file',
    path.join(dir, 'owner.key'), '--network', 'regtest', '--bitcoind', bitcoind, '--wallet-rpc', wallet,
    '--node', node, '--db', path.join(dir, 'registrar.db'), '--listen',
    registrarUrl.replace('http://', ''), '--batch-interval', String(interval), '--batch-size', String(batchSize),
    '--api-key', 'operator-key', '--resend-after', '5']);
  await waitFor(() => {
    if (registrar.exitCode !== null) throw new Error(`bns-registrar exited: ${registrar.output}`);
    return /listening on/.test(registrar.output);
  }, { what: 'bns-registrar to listen' });
};
const statusOf = async (label) => (await (await fetch(`${registrarUrl}/status/${label}`)).json()).status;
// How many of the domain's accepted zone files (on the node's chain) carry each subdomain.
async function anchoredCounts() {
  const history = await (await fetch(`${stack.api}/v1/names/corp.reg/history`)).json();
  const seen = new Map();
  for (const entry of Object.values(history).flat()) {
    if (entry.opcode !== 'NAME_UPDATE' || !entry.value_hash) continue;
    const zf = await (await fetch(`${stack.api}/v1/zonefiles/${entry.value_hash}`)).text();
    for (const m of zf.matchAll(/^(\S+)\tIN\tTXT/gm)) seen.set(m[1], (seen.get(m[1]) || 0) + 1);
  }
  return seen;
}

test('kill -9 of the registrar at any point: nothing lost, nothing anchored twice', async () => {
  const labels = [];
  // Three rounds: requests go in, and the registrar is killed while their batch is
  // being built, sent or followed; it restarts on the same database.
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 10; i++) {
      const label = `crash${round}x${i}`;
      labels.push(label);
      const r = await register({ name: label, owner_address: carol.address.regtest, zonefile: `$ORIGIN ${label}\n` },
        { Authorization: 'bearer operator-key' });
      assert.equal(r.status, 202, JSON.stringify(r.body));
    }
    await waitFor(async () => /registered in transaction|queued/.test(await statusOf(labels[labels.length - 10])) &&
      (round === 0 || /transaction/.test(await statusOf(labels[labels.length - 10]))), { timeoutMs: 20000, what: 'a batch' })
      .catch(() => {});
    registrar.kill('SIGKILL');
    await stack.bcoin.mine(1, stack.keys.miner.address.regtest);
    await restart(8, 1);
  }
  // Every request is anchored in the end.
  await stack.bcoin.whileMining(waitFor(async () => {
    for (const label of labels) if ((await statusOf(label)) !== 'Subdomain propagated') return false;
    return true;
  }, { timeoutMs: 120000, what: 'every request anchored' }), stack.keys.miner.address.regtest);
  // Each subdomain is in exactly one accepted zone file of the domain.
  const seen = await anchoredCounts();
  for (const label of labels) {
    assert.equal(seen.get(label), 1, `${label} in ${seen.get(label) || 0} anchored zone files`);
    const rec = await (await fetch(`${stack.api}/v1/names/${label}.corp.reg`)).json();
    assert.equal(rec.status, 'registered_subdomain', label);
    assert.equal(rec.address, carol.address.regtest);
  }
});

test('300 requests from three clients at once: refusals as the original, every one resolvable on two nodes',
  { timeout: 300000 }, async () => {
    await restart(120, 2);
    // A second node that learns the zone files from the first through Atlas only.
    const node2 = startProcess(path.join(binDir, 'blockstackd'), ['--network', 'regtest', '--bitcoind', stack.bcoin.url,
      '--first-block', '100', '--poll-seconds', '0.1', '--data-dir', path.join(dir, 'node2'), '--api', '127.0.0.1:0',
      '--atlas-peers', stack.api.replace('http://', '')]);
    try {
      const node2Url = await waitFor(() => {
        if (node2.exitCode !== null) throw new Error(`blockstackd exited: ${node2.output}`);
        return node2.output.match(/REST API listening on (http:\/\/[0-9.:]+)/)?.[1];
      }, { what: 'the second node to listen' });
      const owner = () => base58checkEncode(Buffer.concat([Buffer.from([0x6f]), randomBytes(20)]));
      // 280 good requests (10 of their labels also asked for by a second client),
      // 10 bad names: 300 in all, from three clients at once.
      const good = Array.from({ length: 280 }, (_, i) => ({ label: `u${i}-${i % 7 === 0 ? 'x_y+z' : 'ok'}`, owner: owner() }));
      const bad = ['Upper', 'dot.ted', 'sp ace', 'x'.repeat(38), 'é', '', 'a/b', '$ORIGIN', 'tab\t', '😀'];
      const viaCli = good.slice(0, 90);
      const viaFetch = [...good.slice(90, 185), ...bad.slice(0, 5).map((label) => ({ label, owner: owner(), bad: true }))];
      const viaHttp = [...good.slice(185), ...bad.slice(5).map((label) => ({ label, owner: owner(), bad: true }))];
      const dups = good.slice(0, 10).map((g) => ({ label: g.label, owner: owner(), dup: true }));
      viaHttp.push(...dups);  // 95 + 5 + 10 = 110; 90 + 100 + 110 = 300
      const zone = (label) => `$ORIGIN ${label}\n$TTL 3600\n_http._tcp\tIN\tURI\t10\t1\t"https://example.org/${label}"\n`;
      const answers = new Map();
      const note = (r, a) => answers.set(`${r.label}/${r.owner}`, a);
      const cliClient = async () => {
        for (let i = 0; i < viaCli.length; i += 3) {
          await Promise.all(viaCli.slice(i, i + 3).map(async (r) => {
            const out = await cli(['name', 'register-subdomain', `${r.label}.corp.reg`, '--registrar', registrarUrl,
              '--owner', r.owner, '--zonefile', file(`${r.label}.zone`, zone(r.label))]);
            note(r, { status: out.code === 0 ? 202 : out.code, message: out.stderr });
          }));
        }
      };
      const fetchClient = async () => {
        for (const r of viaFetch) {
          const got = await register({ name: r.label, owner_address: r.owner, zonefile: zone(r.label) });
          note(r, { status: got.status, message: got.body.message });
        }
      };
      const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
      const httpClient = () => Promise.all(viaHttp.map((r) => new Promise((resolve, reject) => {
        const body = JSON.stringify({ name: r.label, owner_address: r.owner, zonefile: zone(r.label) });
        const req = http.request(`${registrarUrl}/register`, { method: 'POST', agent,
          headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
          let text = '';
          res.on('data', (c) => { text += c; });
          res.on('end', () => { note(r, { status: res.statusCode, message: JSON.parse(text).message }); resolve(); });
        });
        req.on('error', reject);
        req.end(body);
      })));
      await Promise.all([cliClient(), fetchClient(), httpClient()]);
      agent.destroy();
      assert.equal(answers.size, 300);
      for (const r of [...viaFetch, ...viaHttp].filter((x) => x.bad)) {
        const a = answers.get(`${r.label}/${r.owner}`);
        assert.ok([400, 409].includes(a.status), `${JSON.stringify(r.label)}: ${JSON.stringify(a)}`);
        assert.match(a.message, /Failed to validate your registration request/);
      }
      // Of each label asked for twice, exactly one request was taken.
      for (const d of dups) {
        const first = answers.get(`${d.label}/${good.find((g) => g.label === d.label).owner}`);
        const second = answers.get(`${d.label}/${d.owner}`);
        assert.deepEqual([first.status, second.status].filter((s) => s === 202), [202], d.label);
        const refused = first.status === 202 ? second : first;
        assert.match(refused.message, /already queued for this name/);
      }
      const taken = good.map((g) => {
        const a = answers.get(`${g.label}/${g.owner}`);
        if (a.status === 202) return g;
        return dups.find((d) => d.label === g.label);
      });
      // Pending: both nodes redirect to the registrar, which answers for each.
      const resolves = async (url, t, statusRe) => {
        const got = await fetch(`${url}/v1/names/${t.label}.corp.reg`);
        if (got.status !== 200) return false;
        const rec = await got.json();
        return statusRe.test(rec.status) && rec.address === t.owner && rec.zonefile === zone(t.label);
      };
      await waitFor(async () => (await fetch(`${node2Url}/v1/names/corp.reg`)).status === 200,
        { what: 'the second node to know corp.reg', timeoutMs: 60000 });
      for (const url of [stack.api, node2Url]) {
        for (const t of taken) {
          if (await resolves(url, t, /registered_subdomain/)) continue;  // anchored already
          assert.ok(await resolves(url, t, /pending_subdomain|submitted_subdomain/), `${t.label} pending at ${url}`);
        }
      }
      // Anchored: every one from the chain on both nodes (the second from Atlas),
      // in exactly one zone file.
      await stack.bcoin.whileMining(waitFor(async () => {
        for (const t of taken) if ((await statusOf(t.label)) !== 'Subdomain propagated') return false;
        return true;
      }, { timeoutMs: 180000, what: 'all 280 anchored' }), stack.keys.miner.address.regtest);
      for (const url of [stack.api, node2Url]) {
        let missing;
        await waitFor(async () => {
          for (const t of taken) {
            const got = await fetch(`${url}/v1/names/${t.label}.corp.reg`, { redirect: 'manual' });
            missing = `${t.label}: ${got.status} ${await got.text()}`;
            if (got.status !== 200) return false;
            const rec = JSON.parse(missing.slice(missing.indexOf(' 200 ') + 5));
            if (rec.status !== 'registered_subdomain' || rec.address !== t.owner) return false;
          }
          return true;
        }, { timeoutMs: 60000, what: `all 280 on chain at ${url}` }).catch((e) => {
          const log = stack.daemon.output.split('\n').filter((l) => /subdomain|zone/i.test(l)).slice(-15).join('\n');
          throw new Error(`${e.message} (${url === stack.api ? 'first' : 'second'} node); first missing ${missing}\n${log}`);
        });
      }
      // The second node says at info what Atlas fetched, and from whom.
      assert.match(node2.output, new RegExp(`info atlas: fetched \\d+ of \\d+ zone file\\(s\\) asked of ${stack.api.replace('http://', '')}`));
      const seen = await anchoredCounts();
      for (const t of taken) assert.equal(seen.get(t.label), 1, t.label);
      assert.ok(new Set([...seen.keys()]).size >= 280);
    } finally {
      await stopProcess(node2);
    }
  });

test('a reorganisation that drops an anchored batch: it is sent again and anchored once', async () => {
  const labels = ['reorg-a', 'reorg-b', 'reorg-c'];
  for (const label of labels) {
    const r = await register({ name: label, owner_address: carol.address.regtest, zonefile: `$ORIGIN ${label}\n` },
      { Authorization: 'bearer operator-key' });
    assert.equal(r.status, 202, JSON.stringify(r.body));
  }
  await stack.bcoin.whileMining(waitFor(async () => (await statusOf('reorg-c')) === 'Subdomain propagated',
    { timeoutMs: 60000, what: 'the batch anchored' }), stack.keys.miner.address.regtest);
  const txid = (await (await fetch(`${registrarUrl}/v1/names/reorg-a.corp.reg`)).json()).last_txid;
  const { block_height: height } = (await (await fetch(`${stack.api}/v1/blockchains/bitcoin/transactions/${txid}`))
    .json()).tx;
  assert.equal((await (await fetch(`${stack.api}/v1/names/reorg-a.corp.reg`, { redirect: 'manual' })).json()).status,
    'registered_subdomain');
  // Drop the batch's block and everything after (bcoin forgets their transactions),
  // then mine a longer branch without it.
  const tip = await stack.bcoin.rpc('getblockcount');
  await stack.bcoin.rpc('invalidateblock', [await stack.bcoin.rpc('getblockhash', [height])]);
  await stack.bcoin.mine(tip - height + 2, stack.keys.miner.address.regtest);
  await waitFor(() => /left block \d+ in a reorganisation/.test(registrar.output), { what: 'the registrar to notice' });
  // Sent again as it was, mined on the new branch, the zone file given out again.
  await stack.bcoin.whileMining(waitFor(async () => {
    const tx = await (await fetch(`${stack.api}/v1/blockchains/bitcoin/transactions/${txid}`)).json();
    return tx.tx.status === 'accepted' && (await statusOf('reorg-a')) === 'Subdomain propagated';
  }, { timeoutMs: 60000, what: 'the batch anchored again' }), stack.keys.miner.address.regtest);
  assert.match(registrar.output, new RegExp(`sent again in ${txid}`));
  const seen = await anchoredCounts();
  for (const label of labels) {
    assert.equal(seen.get(label), 1, label);
    const rec = await (await fetch(`${stack.api}/v1/names/${label}.corp.reg`, { redirect: 'manual' })).json();
    assert.equal(rec.status, 'registered_subdomain');
    assert.equal(rec.address, carol.address.regtest);
  }
});

test('a Bitcoin node or node that is down: clear errors, the queue kept, each anchored once after', async () => {
  // The node behind a switch; the Bitcoin node nowhere.
  let up = true;
  const proxy = http.createServer(async (req, res) => {
    if (!up) { req.socket.destroy(); return; }
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const got = await fetch(`${stack.api}${req.url}`, { method: req.method, headers: { 'Content-Type': 'application/json' },
      body: req.method === 'POST' ? Buffer.concat(chunks) : undefined, redirect: 'manual' });
    res.writeHead(got.status, { 'Content-Type': got.headers.get('content-type') || 'application/json' });
    res.end(Buffer.from(await got.arrayBuffer()));
  });
  await new Promise((r) => proxy.listen(0, '127.0.0.1', r));
  const dead = `http://user:pass@127.0.0.1:${await freePort()}`;
  try {
    await restart(2, 0, { bitcoind: dead, wallet: dead, node: `http://127.0.0.1:${proxy.address().port}` });
    const labels = ['down-a', 'down-b', 'down-c'];
    for (const label of labels) {
      const r = await register({ name: label, owner_address: carol.address.regtest, zonefile: `$ORIGIN ${label}\n` },
        { Authorization: 'bearer operator-key' });
      assert.equal(r.status, 202, JSON.stringify(r.body));
    }
    await waitFor(() => /registrar: (batch \d+|cannot anchor the queue|cannot check the published batches): .*bitcoin node/
      .test(registrar.output), { what: 'the registrar to meet the missing Bitcoin node' });
    for (const label of labels) assert.match(await statusOf(label), /queued/);
    up = false;
    const refused = await register({ name: 'down-d', owner_address: carol.address.regtest, zonefile: '' },
      { Authorization: 'bearer operator-key' });
    assert.equal(refused.status, 503);
    assert.equal(refused.body.status, false);
    assert.match(refused.body.message, /cannot ask the node/);
    assert.equal((await fetch(`${registrarUrl}/status/down-d`)).status, 404);
    assert.equal(registrar.exitCode, null, 'still running');
  } finally {
    proxy.closeAllConnections();
    proxy.close();
  }
  // Both back: every request anchored, once.
  await restart(2, 0);
  await stack.bcoin.whileMining(waitFor(async () => {
    for (const label of ['down-a', 'down-b', 'down-c']) if ((await statusOf(label)) !== 'Subdomain propagated') return false;
    return true;
  }, { timeoutMs: 60000, what: 'the queue anchored' }), stack.keys.miner.address.regtest);
  const seen = await anchoredCounts();
  for (const label of ['down-a', 'down-b', 'down-c']) assert.equal(seen.get(label), 1, label);
});
