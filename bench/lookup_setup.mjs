// Sets up the lookup benchmark's world and keeps it running until stdin closes:
// bcoin regtest, blockstackd and a disk-backed gaia-hub (release build), a
// namespace, LOOKUP_BENCH_NAMES names (default 10) each with its own owner, zone
// file and signed profile. Writes DIR/targets ("NAME GAIA_RELATIVE_PATH" lines),
// DIR/node_url and DIR/gaia_root, then DIR/ready.
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const dir = process.argv[2];
process.env.BLOCKSTACK_BIN_DIR ||= path.resolve('build/release/apps');
const { createNamespace, startStack } = await import('../test/functional/harness.mjs');

const count = Number(process.env.LOOKUP_BENCH_NAMES || 10);
const people = ['payer', ...Array.from({ length: count }, (_, i) => `p${i}`)];
const stack = await startStack(dir, people);
let stopping = false;
const stop = async (code) => {
  if (stopping) return;
  stopping = true;
  await stack.stop();
  process.exit(code);
};
try {
  const { cli, hub, keys, mined } = stack;
  await createNamespace(stack, 'bench', 'payer');
  const targets = [];
  for (let i = 0; i < count; i++) {
    const name = `user${i}.bench`;
    const key = ['--key', keys[`p${i}`].wif.regtest];
    const zone = (await cli(['zonefile', 'make', name, '--hub', hub.url, ...key])).zonefile;
    writeFileSync(path.join(dir, 'zone'), zone);
    await mined(['name', 'register', name, '--key', keys.payer.wif.regtest, '--owner', keys[`p${i}`].address.regtest,
      '--zonefile', path.join(dir, 'zone'), '--quiet']);
    writeFileSync(path.join(dir, 'profile.json'), JSON.stringify(await cli(['profile', 'make', '--name', `User ${i}`,
      '--description', 'a profile of the lookup benchmark'])));
    const url = (await cli(['profile', 'put', path.join(dir, 'profile.json'), ...key, '--hub', hub.url])).public_url;
    targets.push(`${name} ${url.split('/').slice(-2).join('/')}`);
  }
  writeFileSync(path.join(dir, 'targets'), `${targets.join('\n')}\n`);
  writeFileSync(path.join(dir, 'node_url'), stack.api);
  writeFileSync(path.join(dir, 'gaia_root'), path.join(dir, 'gaia'));
  writeFileSync(path.join(dir, 'ready'), '');
} catch (e) {
  console.error(`lookup_setup: ${e.message}`);
  await stop(1);
}
process.stdin.on('end', () => stop(0));
process.stdin.on('close', () => stop(0));
process.stdin.resume();
