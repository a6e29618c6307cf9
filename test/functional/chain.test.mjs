// The foundation end to end: a real bcoin regtest node, a transaction with an
// OP_RETURN output built and signed by our code, read back through our BlockSource.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { BcoinNode, binDir, cliJson, run, startProcess, stopProcess, tempDir, waitFor } from './harness.mjs';

let node;
let key;

before(async () => {
  node = await new BcoinNode().start();
  key = await cliJson(['keys', 'generate']);
});

after(async () => {
  await node?.stop();
});

test('mines 101 blocks and reads the tip through our RPC client', async () => {
  await node.mine(101, key.address.regtest);
  const info = await cliJson(['--bitcoind', node.url, 'chain', 'info']);
  assert.equal(info.height, 101);
  assert.equal(info.last_block.hash, await node.rpc('getblockhash', [101]));
  assert.equal(info.last_block.merkle_root_valid, true);
});

test('an OP_RETURN transaction built and signed by our code is mined and found', async () => {
  // Block 1's coinbase pays our key and is mature at height 101.
  const block1 = await cliJson(['--bitcoind', node.url, 'chain', 'block', '1']);
  const coinbase = block1.tx[0];
  const paid = coinbase.outputs.find((o) => o.type === 'p2pkh');
  assert.ok(paid, 'coinbase pays a p2pkh output');
  const vout = coinbase.outputs.indexOf(paid);

  const payload = Buffer.concat([Buffer.from('id?'), Buffer.alloc(36, 0xab)]).toString('hex');
  const built = await cliJson(['--network', 'regtest', 'tx', 'data', '--key', key.wif.regtest,
    '--utxo', `${coinbase.txid}:${vout}:${paid.value}`, '--data', payload, '--fee', '10000']);
  const sent = await cliJson(['--network', 'regtest', '--bitcoind', node.url, 'tx', 'data', '--broadcast',
    '--key', key.wif.regtest, '--utxo', `${coinbase.txid}:${vout}:${paid.value}`, '--data', payload,
    '--fee', '10000']);
  assert.equal(sent.txid, built.txid, 'the node reports the txid we computed');
  await node.inMempool(sent.txid);

  await node.mine(1, key.address.regtest);
  const block = await cliJson(['--bitcoind', node.url, 'chain', 'block', '102']);
  const found = block.tx.find((t) => t.txid === sent.txid);
  assert.ok(found, 'our transaction is in block 102');
  assert.equal(found.op_return, payload);
  assert.equal(block.merkle_root_valid, true);
  // bcoin's own view agrees.
  const verbose = await node.rpc('getblock', [block.hash, true]);
  assert.ok(verbose.tx.map((t) => (typeof t === 'string' ? t : t.txid)).includes(sent.txid));
});

test('bad credentials, an unreachable node and bad input get clear errors', async () => {
  const wrong = node.url.replace(node.apiKey, 'wrong-key');
  let r = await run('blockstack', ['--bitcoind', wrong, 'chain', 'info']);
  assert.equal(r.code, 6);
  assert.match(r.stderr, /rejected the RPC credentials/);

  r = await run('blockstack', ['--bitcoind', 'http://u:p@127.0.0.1:1', 'chain', 'info']);
  assert.equal(r.code, 5);
  assert.match(r.stderr, /cannot reach bitcoin node/);

  r = await run('blockstack', ['--bitcoind', node.url, 'chain', 'block', '100000']);
  assert.equal(r.code, 4);

  r = await run('blockstack', ['--network', 'regtest', 'tx', 'data', '--key', 'notakey', '--utxo', 'x', '--data', '00']);
  assert.equal(r.code, 3);
  r = await run('blockstack', ['--network', 'regtest', 'tx', 'data', '--key', key.wif.regtest,
    '--utxo', `${'00'.repeat(32)}:0:100000`, '--data', 'zz']);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /--data/);
});

test('blockstackd indexes the chain and refuses a node without a transaction index', async () => {
  const dataDir = tempDir('bsd');
  const daemon = startProcess(`${binDir}/blockstackd`, [
    '--network', 'regtest', '--bitcoind', node.url, '--first-block', '100', '--poll-seconds', '0.2',
    '--data-dir', dataDir, '--api', '127.0.0.1:0']);
  try {
    await waitFor(() => /at block 102 consensus hash [0-9a-f]{32}/.test(daemon.output),
      { what: 'blockstackd to index block 102' });
    await node.mine(1, key.address.regtest);
    await waitFor(() => /at block 103 consensus hash [0-9a-f]{32}/.test(daemon.output),
      { what: 'blockstackd to index block 103' });
  } finally {
    await stopProcess(daemon);
  }
  assert.equal(daemon.exitCode, 0, daemon.output);

  const bare = await new BcoinNode({ indexTx: false }).start();
  try {
    await bare.mine(2, key.address.regtest);
    const r = await run('blockstackd', ['--network', 'regtest', '--bitcoind', bare.url, '--data-dir', tempDir('bsd'),
      '--api', 'off']);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /no transaction index/);
  } finally {
    await bare.stop();
  }
});
