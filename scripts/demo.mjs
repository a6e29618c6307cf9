// `make demo`: bcoin regtest, blockstackd and gaia-hub on loopback, driven by the
// blockstack CLI: a namespace, two names registered with zone files pointing at
// Gaia (one of them carrying a subdomain for bob), signed profiles and an encrypted
// file, a transfer, a second node that receives the zone files over Atlas, and every
// name resolved end to end with what was verified and how long each step took.
// Everything started is stopped.
import { writeFileSync } from 'node:fs';
import path from 'node:path';

process.env.BLOCKSTACK_BIN_DIR ||= path.resolve('build/release/apps');
const { binDir, createNamespace, hash160, run, startProcess, startStack, stopProcess, tempDir, waitFor } =
  await import('../test/functional/harness.mjs');

const demoStart = Date.now();
const say = (s) => console.log(`\n==> ${s}  [${((Date.now() - demoStart) / 1000).toFixed(1)} s]`);
const indent = (text) => text.trim().split('\n').map((l) => `    ${l}`).join('\n');
let stack;
let peer;
try {
  const dir = tempDir('blockstack-demo');
  say('starting bcoin (regtest), blockstackd and gaia-hub on 127.0.0.1');
  stack = await startStack(dir, ['alice', 'bob']);
  const { api, apiPort, bcoin, cli, hub, keys, mined } = stack;
  console.log(`    bcoin RPC ${bcoin.port}; alice ${keys.alice.address.regtest}, bob ${keys.bob.address.regtest}`);
  console.log(`    blockstackd API ${api}, gaia-hub ${hub.url} (disk driver)`);

  say('creating the namespace "demo" (preorder, reveal, ready), each waited for');
  const alice = ['--key', keys.alice.wif.regtest];
  console.log(`    price of "demo": ${(await cli(['price', 'demo'])).satoshis} satoshis`);
  for (const r of await createNamespace(stack, 'demo')) {
    console.log(`    ${r.operation} ${r.txid} accepted in block ${r.block}`);
  }

  say('registering hello.demo and world.demo, zone files pointing at alice\'s Gaia bucket');
  // hello.demo's zone file also creates the subdomain bob.hello.demo, owned by bob,
  // whose own zone file points at bob's bucket.
  const subZone = path.join(dir, 'bob.hello.demo.zone');
  writeFileSync(subZone, (await cli(['zonefile', 'make', 'bob.hello.demo', '--hub', hub.url, '--key',
    keys.bob.wif.regtest])).zonefile);
  const subRecord = (await cli(['zonefile', 'subdomain', 'bob.hello.demo', '--owner', keys.bob.address.regtest,
    '--zonefile', subZone])).txt;
  const zone = {};
  for (const name of ['hello.demo', 'world.demo']) {
    zone[name] = (await cli(['zonefile', 'make', name, '--hub', hub.url, ...alice])).zonefile;
    if (name === 'hello.demo') zone[name] += `${subRecord}\n`;
    writeFileSync(path.join(dir, `${name}.zone`), zone[name]);
    const r = await mined(['name', 'register', name, ...alice, '--zonefile', path.join(dir, `${name}.zone`)]);
    console.log(`    ${name}: price ${r.price}, preorder in block ${r.preorder_block}, registration in block ` +
      `${r.register_block}, zone file ${r.zonefile_hash} published`);
  }

  say('a signed profile and an encrypted, signed file in alice\'s bucket');
  const profilePath = path.join(dir, 'profile.json');
  writeFileSync(profilePath, JSON.stringify(await cli(['profile', 'make', '--name', 'Alice', '--description',
    'the owner of hello.demo and world.demo'])));
  console.log(`    profile: ${(await cli(['profile', 'put', profilePath, ...alice, '--hub', hub.url])).public_url}`);
  const secret = await cli(['gaia', 'put', 'diary.txt', '--hub', hub.url, ...alice, '--data', 'dear diary: it works',
    '--text', '--encrypt', '--sign']);
  console.log(`    encrypted: ${secret.public_url}`);

  say('transferring world.demo from alice to bob');
  const xfer = await mined(['name', 'transfer', 'world.demo', '--to', keys.bob.address.regtest, ...alice, '--wait']);
  console.log(`    transfer accepted in block ${xfer.block}`);
  const who = await cli(['whois', 'world.demo']);
  if (who.owner !== keys.bob.address.regtest) throw new Error('world.demo did not change hands');
  console.log(`    whois world.demo -> owner ${who.owner}, zone file ${who.zonefile_hash}`);
  // bob signs his own profile, and points world.demo at it with an update
  const bob = ['--key', keys.bob.wif.regtest];
  writeFileSync(profilePath, JSON.stringify(await cli(['profile', 'make', '--name', 'Bob'])));
  await cli(['profile', 'put', profilePath, ...bob, '--hub', hub.url]);
  zone['world.demo'] = (await cli(['zonefile', 'make', 'world.demo', '--hub', hub.url, ...bob])).zonefile;
  writeFileSync(path.join(dir, 'world2.zone'), zone['world.demo']);
  const upd = await mined(['name', 'update', 'world.demo', ...bob, '--zonefile', path.join(dir, 'world2.zone'),
    '--wait']);
  console.log(`    bob's update accepted in block ${upd.block}; world.demo now points at bob's bucket`);

  say('a second blockstackd, seeded only with the first, receives the zone files over Atlas');
  const started = Date.now();
  peer = startProcess(path.join(binDir, 'blockstackd'), ['--network', 'regtest', '--bitcoind', bcoin.url,
    '--first-block', '100', '--poll-seconds', '0.1', '--data-dir', path.join(dir, 'node2'), '--api', '127.0.0.1:0',
    '--atlas-peers', `127.0.0.1:${apiPort}`]);
  const peerUrl = await waitFor(() => /REST API listening on (http:\/\/\S+)/.exec(peer.output)?.[1],
    { what: 'the second node to listen' });
  await waitFor(async () => {
    const info = await (await fetch(`${peerUrl}/v1/info`)).json();
    return info.zonefiles_missing === 0 && info.zonefiles_present >= 3 ? info : null;
  }, { timeoutMs: 60000, intervalMs: 200, what: 'the zone files to reach the second node' });
  console.log(`    ${peerUrl} holds every zone file ${Date.now() - started} ms after it started`);

  await waitFor(async () => (await fetch(`${peerUrl}/v1/names/bob.hello.demo`)).status === 200,
    { timeoutMs: 30000, intervalMs: 200, what: 'the second node to read the subdomain bob.hello.demo' });
  console.log('    and has read the subdomain bob.hello.demo out of hello.demo\'s zone file');

  say('resolving end to end: record -> zone file (hash) -> profile (owner\'s signature) -> data');
  const lookups = [['hello.demo'], ['world.demo'], ['bob.hello.demo'], ['hello.demo', '--data', 'diary.txt',
    '--decrypt-key', keys.alice.wif.regtest]];
  for (const args of lookups) {
    // The second node answers: it has the zone files only through Atlas.
    const out = await run('blockstack', ['--node', peerUrl, 'lookup', ...args]);
    if (out.code !== 0) throw new Error(`lookup ${args[0]} exited ${out.code}: ${out.stderr}`);
    console.log(indent(out.stdout));
    console.log('');
  }
  const resolved = await run('blockstack', ['--json', '--node', peerUrl, 'lookup', 'world.demo']);
  const w = JSON.parse(resolved.stdout);
  if (w.owner !== keys.bob.address.regtest || w.profile.name !== 'Bob' || w.zonefile_hash !== hash160(zone['world.demo'])) {
    throw new Error('world.demo did not resolve to bob\'s profile');
  }
  const sub = JSON.parse((await run('blockstack', ['--json', '--node', peerUrl, 'lookup', 'bob.hello.demo'])).stdout);
  if (sub.owner !== keys.bob.address.regtest || sub.profile.name !== 'Bob' || !sub.verified) {
    throw new Error('bob.hello.demo did not resolve to bob\'s profile');
  }
  // Every node is also an explorer: the page of world.demo, and its data.
  const page = await fetch(`${peerUrl}/explorer/names/world.demo`);
  const twin = await (await fetch(`${peerUrl}/explorer/names/world.demo?format=json`)).json();
  if (page.status !== 200 || twin.record.address !== keys.bob.address.regtest) {
    throw new Error('the explorer page of world.demo does not show bob as its owner');
  }
  console.log(`    explorer: ${peerUrl}/explorer/names/world.demo (owner ${twin.record.address}, ` +
    `${Object.keys(twin.history).length} block(s) of history)`);
  const fail = await run('blockstack', ['--node', peerUrl, 'lookup', 'nobody.demo']);
  console.log(`    lookup nobody.demo -> exit ${fail.code}: ${fail.stderr.trim()}`);

  say(`demo finished in ${((Date.now() - demoStart) / 1000).toFixed(1)} s: every step checked`);
} catch (e) {
  console.error(`\ndemo failed: ${e.message}`);
  process.exitCode = 1;
} finally {
  if (peer) await stopProcess(peer);
  if (stack) await stack.stop();
}
