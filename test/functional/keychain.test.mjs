// Keys from a seed phrase: for 24 random mnemonics (every length, half with a
// passphrase, some not ASCII) `blockstack keys derive` must give exactly the keys
// the original wallet gives (npm blockstack 21's BlockstackWallet): owner keys by
// identity index, the payment key, the app key of an origin (both of the
// original's paths), and their addresses on every network. Encrypted mnemonics go
// both ways between the CLI and the JS library; keychains reach every command
// that takes --key, from a file or the environment; bad input gets exit code 3
// (malformed) or 6 (wrong password) with a message naming the problem.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { loadBlockstackJs, run, tempDir } from './harness.mjs';

const bsk = loadBlockstackJs();
const fromBlockstack = createRequire(createRequire(import.meta.url).resolve('blockstack'));
const bip39 = fromBlockstack('bip39');
const bitcoin = fromBlockstack('bitcoinjs-lib');

const EXIT_INVALID = 3;
const EXIT_UNAUTHORIZED = 6;
let dir;
let n = 0;
function file(text) {
  const p = path.join(dir, `f${n++}`);
  writeFileSync(p, text);
  return p;
}
async function cli(args, env) {
  const r = await run('blockstack', args, { env });
  return { ...r, json: r.code === 0 && args.includes('--json') ? JSON.parse(r.stdout) : undefined };
}

before(() => { dir = tempDir('keychain'); });

const passphrases = ['', 'TREZOR', 'correct horse battery staple', 'caf\u00e9 \u2126 \u00c5ngstr\u00f6m', ' spaced ', '\u3042\u3044'];
const origins = ['https://app.example.com', 'http://localhost:8080', 'https://banter.pub', 'https://x.y.z:4443'];

test('keys derive gives the keys of the original wallet for 24 mnemonics', async () => {
  for (let i = 0; i < 24; i++) {
    const bytes = [16, 20, 24, 28, 32][i % 5];
    const mnemonic = bip39.entropyToMnemonic(randomBytes(bytes).toString('hex'));
    const passphrase = i % 2 ? passphrases[(i >> 1) % passphrases.length] : '';
    const index = i % 4;
    const origin = origins[i % origins.length];
    const args = ['--json', 'keys', 'derive', '--mnemonic-file', file(`${mnemonic}\n`), '--index', String(index),
      '--app', origin];
    if (passphrase) args.push('--passphrase-file', file(passphrase));
    const r = await cli(args);
    assert.equal(r.code, 0, r.stderr);
    const ours = r.json;

    const seed = await bip39.mnemonicToSeed(mnemonic, passphrase);
    const wallet = bsk.BlockstackWallet.fromSeedBuffer(seed);
    const id = wallet.getIdentityKeyPair(index);
    const what = `mnemonic ${i} (${mnemonic.split(' ').length} words, passphrase ${JSON.stringify(passphrase)})`;
    assert.equal(ours.owner.private_key, id.key, what);
    assert.equal(ours.owner.public_key, id.keyID, what);
    assert.equal(ours.owner.address.mainnet, id.address, what);
    assert.equal(ours.owner.id_address, `ID-${id.address}`, what);
    assert.equal(ours.apps_node_key, id.appsNodeKey, what);
    assert.equal(ours.salt, id.salt, what);
    assert.equal(ours.payment.private_key, wallet.getBitcoinPrivateKey(0), what);
    assert.equal(ours.payment.address.mainnet, wallet.getBitcoinAddress(0), what);
    assert.equal(ours.app.private_key.slice(0, 64),
      bsk.BlockstackWallet.getLegacyAppPrivateKey(id.appsNodeKey, id.salt, origin), what);
    assert.equal(ours.app_v2.private_key.slice(0, 64),
      bsk.BlockstackWallet.getAppPrivateKey(id.appsNodeKey, id.salt, origin), what);
    // Addresses and WIFs on the test networks, as bitcoinjs makes them.
    for (const role of ['owner', 'payment', 'app']) {
      const pair = bitcoin.ECPair.fromPrivateKey(Buffer.from(ours[role].private_key.slice(0, 64), 'hex'),
        { network: bitcoin.networks.testnet });
      const testnet = bitcoin.payments.p2pkh({ pubkey: pair.publicKey, network: bitcoin.networks.testnet }).address;
      assert.equal(ours[role].address.testnet, testnet, what);
      assert.equal(ours[role].address.regtest, testnet, what);
      assert.equal(ours[role].wif.testnet, pair.toWIF(), what);
    }
  }
});

test('encrypted mnemonics go both ways between the CLI and blockstack.js', async () => {
  const mnemonic = bip39.entropyToMnemonic(randomBytes(16).toString('hex'));
  const password = file('pass w\u00f6rd');
  const enc = await cli(['--json', 'keys', 'encrypt-mnemonic', '--mnemonic-file', file(mnemonic), '--password-file', password]);
  assert.equal(enc.code, 0, enc.stderr);
  assert.equal(await bsk.decryptMnemonic(enc.json.encrypted_mnemonic, 'pass w\u00f6rd'), mnemonic);

  const theirs = (await bsk.encryptMnemonic(mnemonic, 'pass w\u00f6rd')).toString('hex');
  const dec = await cli(['--json', 'keys', 'decrypt-mnemonic', '--mnemonic-file', file(theirs), '--password-file', password]);
  assert.equal(dec.code, 0, dec.stderr);
  assert.equal(dec.json.mnemonic, mnemonic);

  // An encrypted mnemonic is a keychain too, with its password.
  const plain = await cli(['--json', 'keys', 'derive', '--mnemonic-file', file(mnemonic)]);
  const viaEnc = await cli(['--json', 'keys', 'derive', '--mnemonic-file', file(theirs), '--password-file', password]);
  assert.equal(viaEnc.code, 0, viaEnc.stderr);
  assert.deepEqual(viaEnc.json, plain.json);
  const viaEnv = await cli(['--json', 'keys', 'derive'], { BLOCKSTACK_MNEMONIC: theirs, BLOCKSTACK_PASSWORD: 'pass w\u00f6rd' });
  assert.deepEqual(viaEnv.json, plain.json);

  const wrong = await cli(['keys', 'decrypt-mnemonic', '--mnemonic-file', file(theirs), '--password-file', file('nope')]);
  assert.equal(wrong.code, EXIT_UNAUTHORIZED);
  assert.match(wrong.stderr, /wrong password/);
  const noPassword = await cli(['keys', 'derive', '--mnemonic-file', file(theirs)], { BLOCKSTACK_PASSWORD: '' });
  assert.equal(noPassword.code, EXIT_UNAUTHORIZED, noPassword.stderr);

  const fresh = await cli(['--json', 'keys', 'new', '--words', '24', '--encrypt', '--password-file', password]);
  assert.equal(fresh.code, 0, fresh.stderr);
  assert.equal(fresh.json.mnemonic.split(' ').length, 24);
  assert.ok(bip39.validateMnemonic(fresh.json.mnemonic));
  assert.equal(await bsk.decryptMnemonic(fresh.json.encrypted_mnemonic, 'pass w\u00f6rd'), fresh.json.mnemonic);
  const seed = await bip39.mnemonicToSeed(fresh.json.mnemonic);
  assert.equal(fresh.json.owner.private_key, bsk.BlockstackWallet.fromSeedBuffer(seed).getIdentityKeyPair(0).key);
});

test('keychain keys reach --key from a file or the environment', async () => {
  const mnemonic = bip39.entropyToMnemonic(randomBytes(16).toString('hex'));
  const wallet = bsk.BlockstackWallet.fromSeedBuffer(await bip39.mnemonicToSeed(mnemonic));
  const env = { BLOCKSTACK_MNEMONIC: mnemonic };
  const show = async (spec, extra = [], e = env) => cli(['--json', 'keys', 'show', spec, ...extra], e);
  assert.equal((await show('owner')).json.private_key, wallet.getIdentityKeyPair(0).key);
  assert.equal((await show('owner:3')).json.private_key, wallet.getIdentityKeyPair(3).key);
  assert.equal((await show('owner', ['--identity-index', '2'])).json.private_key, wallet.getIdentityKeyPair(2).key);
  assert.equal((await show('payment:1')).json.private_key, wallet.getBitcoinPrivateKey(1));
  const id1 = wallet.getIdentityKeyPair(1);
  assert.equal((await show('app:https://app.example.com', ['--identity-index', '1'])).json.private_key.slice(0, 64),
    bsk.BlockstackWallet.getLegacyAppPrivateKey(id1.appsNodeKey, id1.salt, 'https://app.example.com'));
  const wif = (await show('owner')).json.wif.regtest;
  assert.equal((await show('env:MY_KEY', [], { MY_KEY: wif })).json.private_key, wallet.getIdentityKeyPair(0).key);
  assert.equal((await show(`file:${file(`${wif}\n`)}`, [], {})).json.private_key, wallet.getIdentityKeyPair(0).key);
  assert.equal((await show('file:' + file('owner:5\n'))).json.private_key, wallet.getIdentityKeyPair(5).key);

  // Commands that take --key use the keychain's owner key when --key is left out.
  const hubless = await cli(['--json', 'zonefile', 'subdomain', 'a.b.id', '--owner', id1.address, '--zonefile',
    file('$ORIGIN a\n'), '--seqn', '1', '--mnemonic-file', file(mnemonic), '--identity-index', '1']);
  assert.equal(hubless.code, 0, hubless.stderr);
  assert.match(hubless.json.txt, /sig=/);
  const profile = await cli(['profile', 'sign', file('{"@type":"Person"}'), '--mnemonic-file', file(mnemonic)]);
  assert.equal(profile.code, 0, profile.stderr);
  const verified = await cli(['profile', 'verify', file(profile.stdout), '--address', wallet.getIdentityKeyPair(0).address]);
  assert.equal(verified.code, 0, verified.stderr);
  const none = await cli(['profile', 'sign', file('{}')], { BLOCKSTACK_MNEMONIC: '' });
  assert.equal(none.code, EXIT_INVALID);
  assert.match(none.stderr, /--key .*--mnemonic-file/);
});

test('bad mnemonics, passphrases and specs are refused with the reason', async () => {
  const good = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
  const cases = [
    [good.replace('abandon about', 'abandonn about'), /word 11 'abandonn' is not in the BIP39 English wordlist/],
    [good.replace('about', 'abandon'), /checksum does not match/],
    ['abandon abandon abandon', /has 3/],
    ['', /has 0/],
    [`${good} abandon`, /has 13/],
  ];
  for (const [text, pattern] of cases) {
    const r = await cli(['keys', 'derive', '--mnemonic-file', file(text)]);
    assert.equal(r.code, EXIT_INVALID, `${text}: ${r.stderr}`);
    assert.match(r.stderr, /malformed mnemonic/);
    assert.match(r.stderr, pattern);
    const j = await cli(['--json', 'keys', 'show', 'owner'], { BLOCKSTACK_MNEMONIC: text });
    assert.equal(j.code, EXIT_INVALID);
  }
  const badPass = await cli(['keys', 'derive', '--mnemonic-file', file(good), '--passphrase-file', file(Buffer.from([0xff, 0xfe]))]);
  assert.equal(badPass.code, EXIT_INVALID);
  assert.match(badPass.stderr, /UTF-8/);
  for (const spec of ['owner:x', 'owner:99999999999', 'app:', 'env:NOT_SET_ANYWHERE', 'file:/nonexistent/key', 'nonsense']) {
    const r = await cli(['keys', 'show', spec], { BLOCKSTACK_MNEMONIC: good });
    assert.notEqual(r.code, 0, spec);
    assert.ok(r.stderr.startsWith('error: '), `${spec}: ${r.stderr}`);
  }
  const missing = await cli(['keys', 'derive', '--mnemonic-file', path.join(dir, 'absent')]);
  assert.equal(missing.code, 4);
});

test('addresses convert between networks', async () => {
  const r = await cli(['--json', 'keys', 'convert-address', 'ID-19Zr9EqFt9eT4mNBwMsxa8sF5UFWe9C6Ya']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.json.type, 'p2pkh');
  assert.equal(r.json.address.testnet, 'mp5oSHvEhB5hqsqoevrLQ45ZwTrDZiYaKn');
  assert.equal(r.json.id_address.mainnet, 'ID-19Zr9EqFt9eT4mNBwMsxa8sF5UFWe9C6Ya');
  const p2sh = await cli(['--json', 'keys', 'convert-address', '2N2JD6wb56AfK4tfmM6PwdVmoYk2dCKf4Br']);
  assert.equal(p2sh.json.type, 'p2sh');
  assert.match(p2sh.json.address.mainnet, /^3/);
  const bad = await cli(['keys', 'convert-address', '1BoatSLRHtKNngkdXEeobR76b53LETtpyX']);
  assert.equal(bad.code, EXIT_INVALID);
  const mnemonic = bip39.entropyToMnemonic(randomBytes(16).toString('hex'));
  const wallet = bsk.BlockstackWallet.fromSeedBuffer(await bip39.mnemonicToSeed(mnemonic));
  const found = await cli(['--json', 'keys', 'find-identity', `ID-${wallet.getIdentityKeyPair(7).address}`,
    '--mnemonic-file', file(mnemonic)]);
  assert.equal(found.json.identity_index, 7);
});
