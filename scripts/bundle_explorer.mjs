// Bundles the explorer's page script (web/explorer/explorer.mjs, with the proofs
// verifier and @noble/hashes) into one file: node scripts/bundle_explorer.mjs OUT
import { build } from 'esbuild';

const out = process.argv[2];
if (!out) {
  console.error('usage: node scripts/bundle_explorer.mjs OUT');
  process.exit(2);
}
try {
  await build({
    entryPoints: ['web/explorer/explorer.mjs'],
    bundle: true,
    format: 'esm',
    target: 'es2020',
    minify: true,
    legalComments: 'inline',
    outfile: out,
    logLevel: 'warning',
  });
} catch (e) {
  console.error(`bundle_explorer: ${e.message}\n(run scripts/setup.sh: it installs esbuild and the libraries)`);
  process.exit(1);
}
