// `make demo`: a local regtest Bitcoin node (bcoin), our node following it, and our
// client reading the chain. Everything listens on 127.0.0.1 and is stopped at the end.
import path from 'node:path';

process.env.BLOCKSTACK_BIN_DIR ||= path.resolve('build/release/apps');
const { BcoinNode, base58checkDecode, binDir, cliJson, hash160, run, startGaiaHub, startProcess, stopProcess, tempDir,
  waitFor } = await import('../test/functional/harness.mjs');

const say = (s) => console.log(`\n==> ${s}`);
let bcoin;
let daemon;
let peer;
let hub;
try {
  say('starting a bcoin regtest node on loopback');
  bcoin = await new BcoinNode().start();
  console.log(`    RPC at http://127.0.0.1:${bcoin.port}`);

  say('making a key with our CLI');
  const key = await cliJson(['keys', 'generate']);
  console.log(`    regtest address ${key.address.regtest}`);

  say('mining 101 blocks to it');
  await bcoin.mine(101, key.address.regtest);

  say('starting blockstackd, following the chain');
  const dataDir = tempDir('blockstack-demo');
  daemon = startProcess(path.join(binDir, 'blockstackd'),
    ['--network', 'regtest', '--bitcoind', bcoin.url, '--first-block', '95', '--poll-seconds', '0.2',
      '--data-dir', dataDir, '--api', '127.0.0.1:0']);
  await waitFor(() => daemon.output.includes('at block 101 consensus hash'), { what: 'blockstackd to index block 101' });

  say('spending the first coinbase into an OP_RETURN transaction signed by our code');
  const block1 = await cliJson(['--bitcoind', bcoin.url, 'chain', 'block', '1']);
  const cb = block1.tx[0];
  const vout = cb.outputs.findIndex((o) => o.type === 'p2pkh');
  const payload = Buffer.from('id#demo-announcement').toString('hex');
  const sent = await cliJson(['--network', 'regtest', '--bitcoind', bcoin.url, 'tx', 'data', '--broadcast',
    '--key', key.wif.regtest, '--utxo', `${cb.txid}:${vout}:${cb.outputs[vout].value}`, '--data', payload]);
  console.log(`    broadcast ${sent.txid}`);
  await bcoin.inMempool(sent.txid);
  await bcoin.mine(1, key.address.regtest);
  await waitFor(() => daemon.output.includes('at block 102 consensus hash'), { what: 'blockstackd to index block 102' });

  // --- a name, registered with transactions our CLI builds and signs ---
  const query = async (...args) => JSON.parse((await run('blockstackd', ['query', '--data-dir', dataDir, ...args])).stdout);
  const opData = async (...args) => (await cliJson(['--network', 'regtest', 'payload', ...args])).payload;
  const utxos = [];
  for (let h = 2; h <= 4; h++) {
    const b = await cliJson(['--bitcoind', bcoin.url, 'chain', 'block', String(h)]);
    const o = b.tx[0].outputs.findIndex((x) => x.type === 'p2pkh');
    utxos.push(`${b.tx[0].txid}:${o}:${b.tx[0].outputs[o].value}`);
  }
  let utxo = utxos.shift();
  const send = async (data, outputs = [], changeIndex) => {
    const args = ['--network', 'regtest', '--bitcoind', bcoin.url, 'tx', 'build', '--broadcast', '--key',
      key.wif.regtest, '--utxo', utxo, '--data', data, '--fee', '20000'];
    for (const o of outputs) args.push('--output', o);
    if (changeIndex !== undefined) args.push('--change-index', String(changeIndex));
    const r = await cliJson(args);
    utxo = `${r.txid}:${r.change_index}:${r.change_value}`;
    await bcoin.inMempool(r.txid);
    const height = (await bcoin.mine(1, key.address.regtest)).length && await bcoin.rpc('getblockcount');
    await waitFor(async () => (await query('consensus')).last_block === height, { what: `block ${height} indexed` });
    const ops = await query('ops', String(height));
    if (!ops.length || !ops[0].accepted) throw new Error(`operation refused: ${JSON.stringify(ops)}`);
    return ops[0].opcode;
  };
  const ch = async () => (await query('consensus')).consensus_hash;
  say('creating the namespace "demo" and registering hello.demo');
  console.log(`    ${await send(await opData('namespace-preorder', 'demo', '--key', key.wif.regtest,
    '--consensus-hash', await ch()), ['burn:40000000'], 1)}`);
  console.log(`    ${await send(await opData('namespace-reveal', 'demo', '--lifetime', '52595', '--coeff', '250',
    '--base', '4', '--buckets', '6,5,4,3,2,1,0,0,0,0,0,0,0,0,0,0', '--nonalpha-discount', '10',
    '--no-vowel-discount', '10'), [`${key.address.regtest}:5500`])}`);
  console.log(`    ${await send(await opData('namespace-ready', 'demo'))}`);
  say('starting gaia-hub (disk driver); the zone file will point at the owner\'s bucket');
  hub = await startGaiaHub();
  const info = await (await fetch(`${hub.url}/hub_info`)).json();
  const profileUrl = `${info.read_url_prefix}${key.address.mainnet}/profile.json`;
  console.log(`    hub at ${hub.url}, profile at ${profileUrl}`);
  const zonefile = `$ORIGIN hello.demo\n$TTL 3600\n_http._tcp URI 10 1 "${profileUrl}"\n`;
  const zonefileHash = hash160(zonefile);
  console.log(`    ${await send(await opData('name-preorder', 'hello.demo', '--key', key.wif.regtest,
    '--consensus-hash', await ch()), ['burn:100000'], 1)}`);
  console.log(`    ${await send(await opData('name-register', 'hello.demo', '--zonefile-hash', zonefileHash),
    [`${key.address.regtest}:5500`])}`);
  const rec = await query('name', 'hello.demo');
  if (rec.value_hash !== zonefileHash || rec.address !== key.address.regtest) throw new Error('unexpected record');
  console.log(`    hello.demo -> owner ${rec.address}, zone-file hash ${rec.value_hash}`);
  console.log(`    consensus hash at block ${(await query('consensus')).last_block}: ${await ch()}`);

  say('publishing the zone file to our node\'s REST API, then reading the name through it');
  const apiUrl = /REST API listening on (http:\/\/\S+)/.exec(daemon.output)[1];
  const posted = await (await fetch(`${apiUrl}/v1/zonefile`, { method: 'POST',
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ zonefile }) })).json();
  if (posted.status !== true) throw new Error(`zone file refused: ${JSON.stringify(posted)}`);
  const viaApi = await (await fetch(`${apiUrl}/v1/names/hello.demo`)).json();
  if (viaApi.zonefile !== zonefile) throw new Error('the API does not serve the zone file');
  console.log(`    GET ${apiUrl}/v1/names/hello.demo -> status ${viaApi.status}, zonefile_hash ${viaApi.zonefile_hash}`);

  say('a second blockstackd, seeded with the first, gets the zone file over Atlas');
  const started = Date.now();
  peer = startProcess(path.join(binDir, 'blockstackd'),
    ['--network', 'regtest', '--bitcoind', bcoin.url, '--first-block', '95', '--poll-seconds', '0.2',
      '--data-dir', tempDir('blockstack-demo-peer'), '--api', '127.0.0.1:0',
      '--atlas-peers', apiUrl.replace('http://', '')]);
  const peerUrl = await waitFor(() => /REST API listening on (http:\/\/\S+)/.exec(peer.output)?.[1],
    { what: 'the second node to listen' });
  const replicated = await waitFor(async () => {
    const r = await (await fetch(`${peerUrl}/v1/names/hello.demo`)).json();
    return r.zonefile === zonefile ? r : null;
  }, { timeoutMs: 60000, intervalMs: 200, what: 'the zone file to reach the second node' });
  const peerInfo = await (await fetch(`${peerUrl}/v1/info`)).json();
  console.log(`    GET ${peerUrl}/v1/names/hello.demo -> zonefile_hash ${replicated.zonefile_hash} ` +
    `(${Date.now() - started} ms after start; ${peerInfo.zonefiles_present} present, ${peerInfo.zonefiles_missing} missing)`);

  say('storing a signed profile in the owner\'s Gaia bucket');
  const gaia = (...args) => cliJson(['gaia', ...args, '--hub', hub.url, '--key', key.wif.regtest]);
  const profile = JSON.stringify({ name: 'hello.demo', description: 'stored on gaia-hub, signed by the name owner' });
  console.log(`    ${(await gaia('put', 'profile.json', '--data', profile, '--sign', '--text',
    '--content-type', 'application/json')).publicURL}`);

  say('resolving hello.demo over the API: record -> zone file (hash checked) -> URL -> data (signature checked)');
  const resolved = await (await fetch(`${apiUrl}/v1/names/hello.demo`)).json();
  const zfHash = hash160(resolved.zonefile);
  if (zfHash !== resolved.zonefile_hash || zfHash !== (await query('name', 'hello.demo')).value_hash) {
    throw new Error('zone file does not match the chain');
  }
  const url = /URI 10 1 "([^"]+)"/.exec(resolved.zonefile)[1];
  const prefix = url.slice(0, url.lastIndexOf('/', url.lastIndexOf('/') - 1) + 1);
  const bucket = url.slice(prefix.length, url.lastIndexOf('/'));
  // The bucket must belong to the name's owner: the same key hash under both version bytes.
  const ownerHash = base58checkDecode(rec.address).subarray(1).toString('hex');
  if (base58checkDecode(bucket).subarray(1).toString('hex') !== ownerHash) throw new Error('bucket is not the owner\'s');
  const got = await gaia('get', 'profile.json', '--verify', '--address', bucket, '--read-url', prefix);
  if (got.content !== profile) throw new Error('profile differs');
  console.log(`    ${got.content}`);
  console.log('    signature verified against the owner\'s key');

  say('blockstackd log');
  console.log(daemon.output.trim().split('\n').slice(-4).map((l) => `    ${l}`).join('\n'));

  say('the chain height and the last block, read through our RPC client');
  const r = await run('blockstack', ['--bitcoind', bcoin.url, 'chain', 'info']);
  if (r.code !== 0) throw new Error(r.stderr);
  console.log(r.stdout.trim().split('\n').map((l) => `    ${l}`).join('\n'));
  say('demo finished: every step checked');
} catch (e) {
  console.error(`\ndemo failed: ${e.message}`);
  process.exitCode = 1;
} finally {
  if (hub) await stopProcess(hub.child);
  if (peer) await stopProcess(peer);
  if (daemon) await stopProcess(daemon);
  if (bcoin) await bcoin.stop();
}
