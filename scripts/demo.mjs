// `make demo`: a local regtest Bitcoin node (bcoin), our node following it, and our
// client reading the chain. Everything listens on 127.0.0.1 and is stopped at the end.
import path from 'node:path';

process.env.BLOCKSTACK_BIN_DIR ||= path.resolve('build/release/apps');
const { BcoinNode, binDir, cliJson, run, startProcess, stopProcess, tempDir, waitFor } =
  await import('../test/functional/harness.mjs');

const say = (s) => console.log(`\n==> ${s}`);
let bcoin;
let daemon;
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
      '--data-dir', dataDir]);
  await waitFor(() => daemon.output.includes('at block 101 consensus hash'), { what: 'blockstackd to index block 101' });

  say('spending the first coinbase into an OP_RETURN transaction signed by our code');
  const block1 = await cliJson(['--bitcoind', bcoin.url, 'chain', 'block', '1']);
  const cb = block1.tx[0];
  const vout = cb.outputs.findIndex((o) => o.type === 'p2pkh');
  const payload = Buffer.from('id#demo-announcement').toString('hex');
  const sent = await cliJson(['--network', 'regtest', '--bitcoind', bcoin.url, 'tx', 'data', '--broadcast',
    '--key', key.wif.regtest, '--utxo', `${cb.txid}:${vout}:${cb.outputs[vout].value}`, '--data', payload]);
  console.log(`    broadcast ${sent.txid}`);
  await bcoin.mine(1, key.address.regtest);
  await waitFor(() => daemon.output.includes('at block 102 consensus hash'), { what: 'blockstackd to index block 102' });

  say('blockstackd log');
  console.log(daemon.output.trim().split('\n').slice(-4).map((l) => `    ${l}`).join('\n'));

  say('the chain height and the last block, read through our RPC client');
  const r = await run('blockstack', ['--bitcoind', bcoin.url, 'chain', 'info']);
  if (r.code !== 0) throw new Error(r.stderr);
  console.log(r.stdout.trim().split('\n').map((l) => `    ${l}`).join('\n'));
  if (!r.stdout.includes(sent.txid)) throw new Error('our transaction is not in the last block');
  say('demo finished: every step checked');
} catch (e) {
  console.error(`\ndemo failed: ${e.message}`);
  process.exitCode = 1;
} finally {
  if (daemon) await stopProcess(daemon);
  if (bcoin) await bcoin.stop();
}
