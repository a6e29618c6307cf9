// Multisig and segwit keys for name operations, on bcoin regtest: a name
// preordered, registered and owned by a 2-of-3 p2sh multisig, renewed and
// transferred to another 2-of-3 with a p2sh-p2wpkh payer, then updated by the new
// owner with a p2sh-p2wsh multisig payer. (A namespace's revealer must be one
// p2pkh key, as the node reads its public key; the CLI says so.) bcoin must accept every transaction and
// the node must accept every operation and name the multisig owner. The same
// transactions signed by bitcoinjs-lib (the library the original CLI signed with)
// must be byte-identical (both sign deterministically, RFC 6979). A registrar
// gives out subdomains of a domain owned by a 2-of-3 of a keychain's owner keys.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import {
  binDir, createNamespace, freePort, run, startProcess, startStack, stopProcess, tempDir, toBcoinAddress, waitFor,
} from './harness.mjs';

const fromBlockstack = createRequire(createRequire(import.meta.url).resolve('blockstack'));
const bitcoin = fromBlockstack('bitcoinjs-lib');

let stack;
let dir;
const keys = {};
const spenders = {};
let mnemonicFile;

async function show(spec) { return stack.cli(['keys', 'show', spec]); }

before(async () => {
  dir = tempDir('multisig');
  stack = await startStack(dir, ['alice']);
  for (const k of ['a', 'b', 'c', 'd', 'e', 'f', 's', 'w1', 'w2']) keys[k] = await stack.cli(['keys', 'generate']);
  const hex = (k) => keys[k].private_key;
  spenders.ms = { spec: `2,${hex('a')},${hex('b')},${hex('c')}` };
  spenders.ms2 = { spec: `2,${hex('d')},${hex('e')},${hex('f')}` };
  spenders.sw = { spec: `segwit:p2sh:1,${hex('s')}` };
  spenders.wsh = { spec: `segwit:p2sh:2,${hex('w1')},${hex('w2')},${hex('a')}` };
  // A keychain's owner keys 0-2, as a 2-of-3.
  mnemonicFile = path.join(dir, 'mnemonic');
  writeFileSync(mnemonicFile, 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about\n');
  spenders.kc = { spec: '2,owner:0,owner:1,owner:2' };
  for (const s of Object.values(spenders)) {
    s.info = await stack.cli(['keys', 'show', s.spec, ...(s === spenders.kc ? ['--mnemonic-file', mnemonicFile] : [])]);
  }
  assert.equal(spenders.ms.info.type, 'p2sh-multisig 2-of-3');
  assert.equal(spenders.sw.info.type, 'p2sh-p2wpkh');
  assert.equal(spenders.wsh.info.type, 'p2sh-p2wsh-multisig 2-of-3');

  // bcoin activates segwit on regtest by BIP9 signalling: three windows of 144 blocks.
  const segwitActive = async () => (await stack.bcoin.rpc('getblockchaininfo')).bip9_softforks.segwit.status === 'active';
  while (!(await segwitActive())) await stack.bcoin.mine(144, stack.keys.miner.address.regtest);

  // Fund them from alice's wallet, then watch them: bcoin's default wallet cannot
  // import addresses, so a watch-only wallet answers listunspent from here on.
  const w = stack.bcoin;
  for (const name of ['ms', 'ms', 'sw', 'sw', 'wsh', 'kc', 'kc']) {
    await w.walletRpc('sendtoaddress', [toBcoinAddress(spenders[name].info.address.regtest), 20]);
  }
  await w.mine(1, stack.keys.miner.address.regtest);
  const auth = `Basic ${Buffer.from(`${w.user}:${w.apiKey}`).toString('base64')}`;
  const made = await fetch(`http://127.0.0.1:${w.walletPort}/wallet/watch`, {
    method: 'PUT', headers: { Authorization: auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ watchOnly: true }),
  });
  assert.equal(made.status, 200, await made.text());
  await w.walletRpc('selectwallet', ['watch']);
  for (const s of Object.values(spenders)) {
    await w.walletRpc('importaddress', [toBcoinAddress(s.info.address.regtest), '', true]);
  }
});

after(async () => { await stack?.stop(); });

test('names owned by a 2-of-3 multisig, renewed and transferred with segwit payers', async () => {
  const ms = ['--key', spenders.ms.spec, '--wait'];
  // A namespace's revealer signs as one key: the node takes its public key from
  // the signature. The CLI refuses a multisig before spending anything.
  const refused = await run('blockstack', ['--network', 'regtest', '--bitcoind', stack.bcoin.url, '--node', stack.api,
    'namespace', 'preorder', 'msig', '--key', spenders.ms.spec]);
  assert.equal(refused.code, 3, refused.stderr);
  assert.match(refused.stderr, /single p2pkh key, not p2sh-multisig 2-of-3/);
  await stack.bcoin.walletRpc('selectwallet', ['primary']);
  await createNamespace(stack, 'msig');
  await stack.bcoin.walletRpc('selectwallet', ['watch']);

  const zone = path.join(dir, 'vault.zone');
  writeFileSync(zone, '$ORIGIN vault.msig\n$TTL 3600\n_http._tcp URI 10 1 "https://example.com/vault.json"\n');
  const reg = await stack.mined(['name', 'register', 'vault.msig', '--zonefile', zone, ...ms]);
  assert.equal(reg.owner, spenders.ms.info.address.regtest);
  let who = await stack.cli(['whois', 'vault.msig']);
  assert.equal(who.owner, spenders.ms.info.address.regtest);
  const expiry = who.expire_block;

  await stack.mined(['name', 'renew', 'vault.msig', '--payer-key', spenders.sw.spec, ...ms]);
  who = await stack.cli(['whois', 'vault.msig']);
  assert.ok(who.expire_block > expiry, `renewal moved the expiry: ${expiry} -> ${who.expire_block}`);

  await stack.mined(['name', 'transfer', 'vault.msig', '--to', spenders.ms2.info.address.regtest,
    '--payer-key', spenders.sw.spec, ...ms]);
  who = await stack.cli(['whois', 'vault.msig']);
  assert.equal(who.owner, spenders.ms2.info.address.regtest);

  // The new owner's 5500-satoshi output from the transfer is its input 0.
  const zone2 = path.join(dir, 'vault2.zone');
  writeFileSync(zone2, '$ORIGIN vault.msig\n$TTL 3600\n_http._tcp URI 10 1 "https://example.com/v2.json"\n');
  await stack.mined(['name', 'update', 'vault.msig', '--zonefile', zone2, '--key', spenders.ms2.spec,
    '--payer-key', spenders.wsh.spec, '--wait']);
  who = await stack.cli(['whois', 'vault.msig']);
  assert.equal(who.owner, spenders.ms2.info.address.regtest);
  const names = await stack.cli(['names', spenders.ms2.info.address.regtest]);
  assert.deepEqual(names.names, ['vault.msig']);
  const history = await (await fetch(`${stack.api}/v1/names/vault.msig/history`)).json();
  const ops = Object.values(history).flat().map((h) => h.opcode);
  for (const op of ['NAME_PREORDER', 'NAME_REGISTRATION', 'NAME_RENEWAL', 'NAME_TRANSFER', 'NAME_UPDATE']) {
    assert.ok(ops.includes(op), `${op} in ${ops}`);
  }
});

test('signatures are byte-identical with bitcoinjs-lib for every kind of spender', async () => {
  const net = bitcoin.networks.testnet;
  const txid = 'aa'.repeat(32);
  const pair = (k) => bitcoin.ECPair.fromPrivateKey(Buffer.from(keys[k].private_key.slice(0, 64), 'hex'), { network: net });
  const pubs = (...ks) => ks.map((k) => pair(k).publicKey);
  const cases = [
    { spec: spenders.ms.spec, sign: (txb) => {
      const redeem = bitcoin.payments.p2ms({ m: 2, pubkeys: pubs('a', 'b', 'c'), network: net }).output;
      txb.sign(0, pair('a'), redeem); txb.sign(0, pair('b'), redeem);
    } },
    { spec: spenders.sw.spec, sign: (txb) => {
      const redeem = bitcoin.payments.p2wpkh({ pubkey: pair('s').publicKey, network: net }).output;
      txb.sign(0, pair('s'), redeem, null, 100000);
    } },
    { spec: spenders.wsh.spec, sign: (txb) => {
      const witness = bitcoin.payments.p2ms({ m: 2, pubkeys: pubs('w1', 'w2', 'a'), network: net }).output;
      const redeem = bitcoin.payments.p2wsh({ redeem: { output: witness }, network: net }).output;
      txb.sign(0, pair('w1'), redeem, null, 100000, witness);
      txb.sign(0, pair('w2'), redeem, null, 100000, witness);
    } },
  ];
  const to = keys.d.address.regtest;
  for (const c of cases) {
    const r = await run('blockstack', ['--json', '--network', 'regtest', 'tx', 'build', '--key', c.spec,
      '--utxo', `${txid}:1:100000`, '--output', `${to}:40000`, '--fee', '2000']);
    assert.equal(r.code, 0, r.stderr);
    const ours = JSON.parse(r.stdout);
    const info = await show(c.spec);
    const txb = new bitcoin.TransactionBuilder(net);
    txb.setVersion(1);
    txb.addInput(txid, 1, 0xffffffff);
    txb.addOutput(to, 40000);
    txb.addOutput(info.address.regtest, 58000);
    c.sign(txb);
    assert.equal(ours.hex, txb.build().toHex(), info.type);
  }
});

test('bad multisig and segwit specs are refused', async () => {
  const hex = keys.a.private_key;
  for (const [spec, pattern] of [
    [`3,${hex},${hex}`, /3-of-n multisig needs at least 3 keys; 2 given/],
    [`0,${hex}`, /M at least 1/],
    [`2,${hex},nonsense`, /key 2 of the multisig/],
    [`segwit:p2sh:${hex}`, /M,KEY1/],
    [`16,${Array(16).fill(hex).join(',')}`, /n <= 15/],
  ]) {
    const r = await run('blockstack', ['keys', 'show', spec]);
    assert.equal(r.code, 3, `${spec}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
  }
});

test('a registrar whose domain a 2-of-3 of keychain keys owns', async () => {
  const kc = ['--key', spenders.kc.spec, '--mnemonic-file', mnemonicFile];
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const zone = path.join(dir, 'desk.zone');
  writeFileSync(zone, `$ORIGIN desk.msig\n$TTL 3600\n_resolver\tIN\tURI\t10\t1\t"${url}"\n`);
  await stack.mined(['name', 'register', 'desk.msig', '--zonefile', zone, '--wait', ...kc]);
  assert.equal((await (await fetch(`${stack.api}/v1/names/desk.msig`)).json()).address, spenders.kc.info.address.regtest);
  const keyFile = path.join(dir, 'registrar.key');
  writeFileSync(keyFile, `${spenders.kc.spec}\n`);
  const registrar = startProcess(path.join(binDir, 'bns-registrar'), ['--domain', 'desk.msig', '--key-file', keyFile,
    '--mnemonic-file', mnemonicFile, '--network', 'regtest', '--bitcoind', stack.bcoin.url, '--wallet-rpc',
    stack.bcoin.walletUrl, '--node', stack.api, '--db', path.join(dir, 'registrar.db'), '--listen', `127.0.0.1:${port}`,
    '--batch-interval', '0']);
  try {
    await waitFor(() => {
      if (registrar.exitCode !== null) throw new Error(`bns-registrar exited: ${registrar.output}`);
      return /listening on/.test(registrar.output);
    }, { what: 'bns-registrar to listen' });
    const r = await fetch(`${url}/register`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'ann', owner_address: keys.a.address.regtest, zonefile: '$ORIGIN ann\n' }) });
    assert.equal(r.status, 202);
    await stack.bcoin.whileMining(waitFor(async () => (await (await fetch(`${url}/status/ann`)).json()).status ===
      'Subdomain propagated', { timeoutMs: 60000, what: 'the batch anchored' }), stack.keys.miner.address.regtest);
    const rec = await (await fetch(`${stack.api}/v1/names/ann.desk.msig`, { redirect: 'manual' })).json();
    assert.equal(rec.status, 'registered_subdomain');
    assert.equal(rec.address, keys.a.address.regtest);
  } finally {
    await stopProcess(registrar);
  }
  // A key file that is not the owner's is refused at start, naming both.
  writeFileSync(keyFile, `${spenders.ms.spec}\n`);
  const wrong = await run('bns-registrar', ['--domain', 'desk.msig', '--key-file', keyFile, '--network', 'regtest',
    '--bitcoind', stack.bcoin.url, '--node', stack.api, '--db', path.join(dir, 'wrong.db'), '--listen', '127.0.0.1:0']);
  assert.equal(wrong.code, 3, wrong.stderr);
  assert.match(wrong.stderr, new RegExp(`owned by ${spenders.kc.info.address.regtest}, not by the key given \\(${spenders.ms.info.address.regtest}\\)`));
  writeFileSync(keyFile, '2,owner:0,owner:1\n');
  const noKeychain = await run('bns-registrar', ['--domain', 'desk.msig', '--key-file', keyFile, '--network', 'regtest',
    '--bitcoind', stack.bcoin.url, '--node', stack.api]);
  assert.equal(noKeychain.code, 2);
  assert.match(noKeychain.stderr, /owner:0 needs --mnemonic-file/);
});
