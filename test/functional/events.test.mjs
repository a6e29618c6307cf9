// The node's one fan-out of "a zone file was stored": a zone file POSTed to a
// node that runs without Atlas reaches the DHT at once, as one that Atlas stores
// does (before, it was published only at the next start). A second node, which
// neither holds the file nor has mirrors or Atlas peers, reads it from the DHT.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';

import { binDir, createNamespace, hash160, startProcess, startStack, stopProcess, tempDir, waitFor } from './harness.mjs';

let dir;
let stack;
let reader;

before(async () => {
  dir = tempDir('events-test');
  stack = await startStack(dir, ['alice'], { daemonArgs: ['--no-atlas', '--dht', '127.0.0.1:0'] });
  const dhtPort = /DHT node on UDP port (\d+)/.exec(stack.daemon.output)?.[1];
  assert.ok(dhtPort, stack.daemon.output);
  const child = startProcess(path.join(binDir, 'blockstackd'), ['--network', 'regtest', '--bitcoind', stack.bcoin.url,
    '--first-block', '100', '--poll-seconds', '0.2', '--data-dir', path.join(dir, 'reader'), '--api', '127.0.0.1:0',
    '--no-atlas', '--dht', '127.0.0.1:0', '--dht-bootstrap', `127.0.0.1:${dhtPort}`]);
  reader = await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`blockstackd exited: ${child.output}`);
    const api = /REST API listening on (http:\/\/\S+)/.exec(child.output)?.[1];
    return api ? { child, api } : null;
  }, { what: 'the reading node to start' });
  await createNamespace(stack, 'evt');
});

after(async () => {
  if (reader) await stopProcess(reader.child);
  if (stack) await stack.stop();
});

test('a zone file POSTed to a node without Atlas is published to the DHT at once', async () => {
  const zone = '$ORIGIN posted.evt\n$TTL 3600\n_http._tcp URI 10 1 "https://example.org/posted.json"\n';
  const hash = hash160(Buffer.from(zone));
  await stack.mined(['name', 'register', 'posted.evt', '--key', stack.keys.alice.wif.regtest, '--zonefile-hash', hash,
    '--wait', '--quiet']);
  // Not stored anywhere yet: the reader finds it nowhere.
  assert.equal((await fetch(`${reader.api}/v1/dht/records/${hash}`)).status, 404);
  const posted = await fetch(`${stack.api}/v1/zonefile`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ zonefile: zone }) });
  assert.equal(posted.status, 200, await posted.text());
  const got = await waitFor(async () => {
    const res = await fetch(`${reader.api}/v1/dht/records/${hash}`);
    return res.status === 200 ? { source: res.headers.get('x-record-source'), body: await res.text() } : null;
  }, { what: 'the zone file in the DHT', timeoutMs: 20000, intervalMs: 250 });
  assert.equal(got.source, 'dht');
  assert.equal(got.body, zone);
});
