// A node that cannot silently go wrong: blockstackd's config file takes each key
// as --help spells it (dashes) or with underscores, and refuses an unknown key, a
// wrong type or a section, naming the key, its line and the file; it refuses a
// Bitcoin node on another chain than --network, naming both; it says so while
// the chain is below the first block; its data directory is per user and printed.
// The CLI says what to do: a --node that is another server is named so (never
// "expired"), and a mistyped command gets the nearest one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import {
  BcoinNode, base58checkEncode, binDir, freePort, repoRoot, run, startGaiaHub, startProcess, stopProcess, tempDir,
  waitFor,
} from './harness.mjs';

let btc;
let dir;

before(async () => {
  dir = tempDir('config');
  btc = await new BcoinNode().start();
  await btc.mine(3, base58checkEncode(Buffer.concat([Buffer.from([0x6f]), Buffer.alloc(20, 7)])));
});

after(async () => { await btc?.stop(); });

function toml(name, text) {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

test('config keys as --help spells them work; mistakes stop the node naming key, line and file', async () => {
  const port = await freePort();
  const good = toml('good.toml', `network = "regtest"\nbitcoind = "${btc.url}"\nfirst-block = 2\n` +
    `data-dir = "${path.join(dir, 'data')}"\napi = "127.0.0.1:${port}"\npoll-seconds = 0.1\n`);
  const node = startProcess(path.join(binDir, 'blockstackd'), ['--config', good]);
  try {
    await waitFor(() => /indexed block 3\/3/.test(node.output) || node.exitCode !== null, { what: 'the node to index' });
    assert.match(node.output, /data directory .*\/data\b/);
    assert.match(node.output, /from block 2 /);
    const info = await (await fetch(`http://127.0.0.1:${port}/v1/info`)).json();
    assert.equal(info.last_block_processed, 3);
  } finally {
    await stopProcess(node);
  }
  const cases = [
    ['typo.toml', 'network = "regtest"\nfirst-blok = 100\n', /unknown key 'first-blok' \(line 2\); did you mean 'first_block'\?/],
    ['section.toml', '[atlas]\npeers = "127.0.0.1:1"\n', /\[atlas\] \(line 1\) is a section/],
    ['type.toml', 'first-block = "100"\n', /'first_block' must be a non-negative integer/],
    ['twice.toml', 'first-block = 1\nfirst_block = 2\n', /given twice/],
    ['broken.toml', 'network = "regtest\n', /line 1/],
  ];
  for (const [name, text, message] of cases) {
    const file = toml(name, text);
    const r = await run('blockstackd', ['--config', file, '--bitcoind', btc.url, '--data-dir', path.join(dir, 'never')]);
    assert.equal(r.code, 2, `${name}: ${r.stderr}`);
    assert.match(r.stderr, message, name);
    assert.ok(r.stderr.includes(file), `${name} names the file: ${r.stderr}`);
  }
});

test('a Bitcoin node on another chain than --network is refused, naming both', async () => {
  for (const network of ['testnet', 'mainnet']) {
    const r = await run('blockstackd', ['--network', network, '--bitcoind', btc.url, '--data-dir',
      path.join(dir, `wrong-${network}`), '--api', 'off'], { timeoutMs: 30000 });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr + r.stdout, new RegExp(`is on regtest \\(genesis block 0f9188f1[0-9a-f]+\\), but --network is ${network}`));
    assert.match(r.stderr + r.stdout, /give --network regtest/);
  }
});

test('below the first block the node says it is waiting; the default data directory is per user', async () => {
  const home = tempDir('home');
  const node = startProcess(path.join(binDir, 'blockstackd'), ['--network', 'regtest', '--bitcoind', btc.url,
    '--first-block', '1000', '--api', 'off', '--poll-seconds', '0.1'],
  { env: { ...process.env, HOME: home, XDG_DATA_HOME: '' } });
  try {
    await waitFor(() => /waiting: the Bitcoin node's chain is at block 3, below the first block 1000/.test(node.output),
      { what: 'the waiting message' });
    assert.ok(node.output.includes(`data directory ${home}/.local/share/blockstack/regtest`), node.output);
  } finally {
    await stopProcess(node);
  }
});

test('the CLI names a --node that is not a blockstackd API, and suggests the command meant', async () => {
  const hub = await startGaiaHub();
  try {
    for (const args of [['whois', 'alice.id'], ['lookup', 'alice.id'], ['zonefile', 'get', 'alice.id'],
      ['price', 'alice.id'], ['names', '1BoatSLRHtKNngkdXEeobR76b53LETtpyT']]) {
      const r = await run('blockstack', ['--node', hub.url, ...args]);
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.stderr, new RegExp(`not a blockstackd API at ${hub.url}`), `${args.join(' ')}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /expired/);
    }
  } finally {
    await stopProcess(hub.child);
  }
  for (const [args, hint] of [[['lokup', 'alice.id'], "unknown command 'lokup'; did you mean 'lookup'?"],
    [['--json', 'name', 'regster', 'a.id'], "unknown command 'regster'; did you mean 'register'?"],
    [['--node', 'http://127.0.0.1:1', 'wohis', 'a.id'], "unknown command 'wohis'; did you mean 'whois'?"]]) {
    const r = await run('blockstack', args);
    assert.equal(r.code, 2, args.join(' '));
    assert.ok(r.stderr.includes(hint), `${args.join(' ')}: ${r.stderr}`);
  }
  // Under --json every failure is one JSON document on stdout: the error and the exit code.
  const dead = `http://127.0.0.1:${await freePort()}`;
  for (const args of [['--json', 'lokup', 'a.id'], ['--json', '--node', dead, 'whois', 'a.id'],
    ['--json', '--node', dead, 'lookup', 'a.id'], ['--json', 'keys', 'show', 'not-a-key'],
    ['--json', '--node', dead, 'zonefile', 'get', 'a.id']]) {
    const r = await run('blockstack', args);
    assert.notEqual(r.code, 0, args.join(' '));
    const out = JSON.parse(r.stdout);
    assert.equal(typeof out.error, 'string', args.join(' '));
    assert.equal(out.exit_code, r.code, args.join(' '));
  }
});

// Every command of the CLI, found by walking `--help`.
function cliCommands(prefix = []) {
  const help = spawnSync(path.join(binDir, 'blockstack'), [...prefix, '--help'], { encoding: 'utf8' }).stdout;
  const section = help.split(/^Subcommands:$/m)[1];
  if (!section || prefix.length > 3) return [prefix];
  // "build, sign  ..." is one command with an alias.
  const names = [...section.split(/\n\s*\n/)[0].matchAll(/^ {2}([a-z][a-z-]*)/mg)].map((m) => m[1]);
  return names.flatMap((n) => cliCommands([...prefix, n]));
}

// Runs the CLI with standard input closed at once; resolves { code, stdout, stderr }.
function runClosed(args) {
  return new Promise((resolve) => {
    const child = spawn(path.join(binDir, 'blockstack'), args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30000);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
    child.stdin.end();
  });
}

test('under --json every command prints one JSON document: its result, or the error and the exit code', async () => {
  const commands = cliCommands();
  assert.ok(commands.length > 60, `the CLI's commands (found ${commands.length})`);
  const dead = `http://u:p@127.0.0.1:${await freePort()}`;
  const base = ['--json', '--network', 'regtest', '--node', dead, '--bitcoind', dead];
  const results = [];
  for (let i = 0; i < commands.length; i += 8) {
    results.push(...await Promise.all(commands.slice(i, i + 8).map(async (c) => [c, await runClosed([...base, ...c])])));
  }
  for (const [command, r] of results) {
    const what = `blockstack ${command.join(' ')} (exit ${r.code}): ${r.stdout} ${r.stderr}`;
    assert.notEqual(r.code, null, `${what}: it did not finish`);
    let out;
    assert.doesNotThrow(() => { out = JSON.parse(r.stdout); }, what);
    if (r.code !== 0) {
      assert.equal(typeof out.error, 'string', what);
      assert.equal(out.exit_code, r.code, what);
      assert.ok(r.stderr.includes(out.error.split('\n')[0]), `${what}: the message is on stderr too`);
    }
    if (out && typeof out === 'object' && !Array.isArray(out)) {
      for (const key of Object.keys(out)) assert.match(key, /^[a-z0-9_]+$|^@/, `${what}: snake_case keys`);
    }
  }
});

test("the README's table of exit codes is the CLI's, code for code", () => {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const table = readme.split('### Exit codes of `blockstack`')[1].split('###')[0];
  const documented = [...table.matchAll(/^\| (\d+) \|/mg)].map((m) => Number(m[1]));
  const header = readFileSync(path.join(repoRoot, 'src', 'cli', 'cli.h'), 'utf8');
  const defined = [...header.matchAll(/^ {2}EXIT_[A-Z_]+ = (\d+),/mg)].map((m) => Number(m[1]));
  assert.ok(defined.length >= 19, 'the exit codes defined');
  assert.deepEqual(documented, defined);
});

test('the systemd units of the operator kit verify clean, their binaries and options ours', () => {
  const units = tempDir('units');
  for (const name of ['blockstackd', 'gaia-hub', 'bns-registrar']) {
    const text = readFileSync(path.join(repoRoot, 'etc', 'systemd', `${name}.service`), 'utf8');
    const unit = path.join(units, `${name}.service`);
    writeFileSync(unit, text.replaceAll('/usr/local/bin/', `${binDir}/`));
    const r = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${name}: ${r.stderr}`);
    assert.equal(r.stderr.trim(), '', `${name}: ${r.stderr}`);
    // Every option its ExecStart passes is one the binary takes.
    const exec = text.match(/^ExecStart=(.*(?:\\\n.*)*)/m)[1].replace(/\\\n/g, ' ');
    for (const option of exec.match(/--[a-z-]+/g)) {
      const help = spawnSync(path.join(binDir, name), ['--help'], { encoding: 'utf8' }).stdout;
      assert.ok(help.includes(option), `${name} takes ${option}`);
    }
  }
});
