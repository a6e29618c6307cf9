// The explorer's page script: search suggestions, the live feed on the home page,
// and Verify on a name page. The pages read without it; everything here adds to
// what the server rendered, and puts data in the page only as text.
import { sha256 } from '@noble/hashes/sha2.js';
import { ripemd160 } from '@noble/hashes/legacy.js';
import { makeVerifier, VerifyError, toHex } from '../proofs/verify.mjs';
import * as secp from '@noble/secp256k1';
import { makeSubdomainVerifier } from '../proofs/subdomains.mjs';
import { setUpBucket } from './bucket.mjs';

const $ = (sel, root = document) => root.querySelector(sel);

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k === 'href') e.setAttribute('href', v);
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

async function getJson(url) {
  const r = await fetch(url, { headers: { accept: 'application/json' } });
  let body = null;
  try { body = await r.json(); } catch { /* not JSON */ }
  return { status: r.status, body };
}

const enc = (s) => encodeURIComponent(s);

// --- search suggestions ---

function setUpSuggestions() {
  const input = $('#q');
  const list = $('#suggestions');
  if (!input || !list) return;
  let timer = null;
  let active = -1;
  let asked = 0;
  const items = () => [...list.querySelectorAll('li')];
  const close = () => { list.hidden = true; list.replaceChildren(); active = -1; input.removeAttribute('aria-activedescendant'); };
  const highlight = (i) => {
    const all = items();
    all.forEach((li, k) => li.setAttribute('aria-selected', k === i ? 'true' : 'false'));
    active = i;
    if (all[i]) input.setAttribute('aria-activedescendant', all[i].id);
  };
  async function suggest() {
    const prefix = input.value.trim().toLowerCase();
    if (!prefix || prefix.length > 64) { close(); return; }
    const mine = ++asked;
    const { status, body } = await getJson(`/v1/search?prefix=${enc(prefix)}&count=8`);
    if (mine !== asked) return;  // a newer keystroke asked since
    if (status !== 200 || !body) { close(); return; }
    const entries = [
      ...(body.namespaces || []).map((n) => [n, `/explorer/namespaces/${enc(n)}`, 'namespace']),
      ...(body.names || []).map((n) => [n, `/explorer/names/${enc(n)}`, 'name']),
      ...(body.subdomains || []).map((n) => [n, `/explorer/names/${enc(n)}`, 'subdomain']),
    ].filter(([n]) => typeof n === 'string').slice(0, 12);
    list.replaceChildren(...entries.map(([n, href, kind], i) =>
      el('li', { id: `suggestion-${i}`, role: 'option', 'aria-selected': 'false' },
        el('a', { href }, n), el('span', { class: 'kind' }, kind))));
    list.hidden = entries.length === 0;
    active = -1;
  }
  input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(suggest, 120); });
  input.addEventListener('keydown', (ev) => {
    const all = items();
    if (ev.key === 'ArrowDown' && all.length) { ev.preventDefault(); highlight((active + 1) % all.length); }
    else if (ev.key === 'ArrowUp' && all.length) { ev.preventDefault(); highlight((active - 1 + all.length) % all.length); }
    else if (ev.key === 'Escape') close();
    else if (ev.key === 'Enter' && active >= 0 && all[active]) {
      ev.preventDefault();
      window.location.href = all[active].querySelector('a').getAttribute('href');
    }
  });
  input.addEventListener('blur', () => setTimeout(close, 200));
}

// --- the live feed ---

function feedRow(op, height) {
  const rec = op.record || {};
  const what = typeof rec.name === 'string' ? el('a', { href: `/explorer/names/${enc(rec.name)}` }, rec.name)
    : typeof rec.namespace_id === 'string' ? el('a', { href: `/explorer/namespaces/${enc(rec.namespace_id)}` }, rec.namespace_id)
      : '';
  const txid = String(op.txid || '');
  return el('tr', { class: 'fresh' },
    el('td', {}, el('a', { href: `/explorer/blocks/${height}` }, height)),
    el('td', {}, String(op.opcode || '')),
    el('td', {}, what),
    el('td', { class: op.accepted ? 'ok' : 'bad' }, op.accepted ? 'accepted' : String(op.reason || '')),
    el('td', { class: 'hash' }, el('a', { href: `/explorer/transactions/${enc(txid)}` }, txid)));
}

function setUpFeed() {
  const status = $('#status');
  const feed = $('#feed tbody');
  if (!status || !feed) return;
  let last = Number(status.dataset.lastBlock) || 0;
  const set = (id, text) => { const e = document.getElementById(id); if (e) e.textContent = String(text); };
  async function poll() {
    try {
      const { status: code, body: info } = await getJson('/v1/info');
      if (code !== 200 || !info) return;
      const tip = Number(info.last_block_processed) || 0;
      const seen = Number(info.last_block_seen) || 0;
      set('tip', tip);
      set('chain-tip', seen);
      set('sync', seen ? `${Math.min(100, (100 * tip) / seen).toFixed(1)}%` : '0.0%');
      set('peers', info.atlas_peers ?? 0);
      set('zonefiles', `${info.zonefiles_present ?? 0} of ${info.zonefile_count ?? 0}`);
      set('consensus', info.consensus ?? '');
      for (let h = Math.max(last + 1, tip - 9); h <= tip; h++) {
        const { status: bc, body: block } = await getJson(`/v1/blocks/${h}`);
        if (bc !== 200 || !block || !Array.isArray(block.operations)) continue;
        for (const op of [...block.operations].reverse()) feed.prepend(feedRow(op, h));
        if (block.operations.length) $('#feed-empty')?.remove();
      }
      while (feed.rows.length > 50) feed.deleteRow(feed.rows.length - 1);
      if (tip > last) { last = tip; status.dataset.lastBlock = String(tip); }
    } finally {
      setTimeout(poll, 3000);
    }
  }
  setTimeout(poll, 3000);
}

// --- Verify ---

const verifier = makeVerifier({ sha256, ripemd160 });
const subdomains = makeSubdomainVerifier({
  sha256, ripemd160, history: verifier,
  verifyCompact: (sig, digest, pub) => { try { return secp.verify(sig, digest, pub, { prehash: false, lowS: false }); } catch { return false; } },
  isPublicKey: (pub) => { try { secp.Point.fromBytes(pub); return true; } catch { return false; } },
});
const hash160 = (bytes) => toHex(ripemd160(sha256(bytes)));

// Every page of a history bundle from the trusted anchor down: the verified
// operations, oldest first.
async function provedHistory(name, trusted) {
  let anchor = trusted;
  const ops = [];
  let anchorHeight;
  for (let pages = 0; anchor && pages < 1000; pages++) {
    const { status, body } = await getJson(`/v1/proofs/names/${enc(name)}?anchor=${enc(anchor)}`);
    if (status !== 200 || !body) throw new VerifyError('bundle', `the node answered ${status}${body?.error ? `: ${body.error}` : ''}`);
    const page = verifier.verifyHistory(body, anchor);
    if (anchorHeight === undefined) anchorHeight = page.anchor_height;
    ops.unshift(...page.ops);
    anchor = page.next_anchor;
  }
  return { ops, anchorHeight };
}

// The name-state proof of a name whose whole history is ops: when the node's root
// is at the trusted block, the value it holds must be that of the history.
async function checkState(name, ops, trusted, anchorHeight, lines) {
  const { status, body: state } = await getJson(`/v1/proofs/state/${enc(name)}`);
  if (status !== 200 || !state) return;
  const value = verifier.verifyState(state, state.root);
  if (state.consensus_hash === trusted) {
    if (value !== verifier.stateValueAfter(ops)) {
      throw new VerifyError('state', `the name-state root holds another record of ${name} or a longer history than the bundle's`);
    }
    lines.push(`State: the name-state root ${state.root} at your block holds exactly this history of ${name} (compare the root with other nodes).`);
  } else {
    lines.push(`State: the node's root is at block ${state.height}, not your block; freshness past block ${anchorHeight} is not checked.`);
  }
}

// A subdomain: its domain proved as a name, every page of its bundle at the same
// anchor (exactly the domain's proved operations, their zone files hash-checked),
// then the subdomain rules replayed over them.
async function verifySubdomain(section, trusted) {
  const fqn = section.dataset.name;
  const domain = fqn.split('.').slice(1).join('.');
  const lines = [];
  const { ops, anchorHeight } = await provedHistory(domain, trusted);
  lines.push(`Domain: ${ops.length} operation(s) on ${domain} proved from your hash at block ${anchorHeight}.`);
  await checkState(domain, ops, trusted, anchorHeight, lines);
  const slots = [];
  const txids = new Set();
  let firstBlock;
  let anchor = trusted;
  for (let page = 0; anchor && page < 1000; page++) {
    const { status, body } = await getJson(`/v1/proofs/names/${enc(fqn)}?anchor=${enc(anchor)}`);
    if (status !== 200 || !body) throw new VerifyError('subdomain bundle', `the node answered ${status}${body?.error ? `: ${body.error}` : ''}`);
    if (body.subdomain !== fqn) throw new VerifyError('subdomain bundle', `it is the bundle of ${body.subdomain}`);
    if (page === 0) firstBlock = body.first_block;
    else if (body.first_block !== firstBlock) throw new VerifyError('subdomain bundle', 'its pages disagree on the first subdomain block');
    const verified = subdomains.verifySubdomainPage(body, anchor, page === 0 ? anchorHeight : undefined);
    for (const op of verified.domain.ops) txids.add(op.txid);
    slots.push(...verified.slots);
    anchor = verified.domain.next_anchor;
  }
  if (txids.size !== ops.length || ops.some((op) => !txids.has(op.txid))) {
    throw new VerifyError('subdomain bundle', `it gives ${txids.size} operation(s) of ${domain}, its proved history ${ops.length}`);
  }
  const missing = slots.filter((slot) => slot.zonefile === null).length;
  const proved = subdomains.replaySubdomain(fqn, firstBlock, slots);
  if (!proved) throw new VerifyError('record', `no zone file the bundle gives carries an accepted record of ${fqn}`);
  if (!subdomains.sameOwner(proved.owner, section.dataset.owner)) {
    throw new VerifyError('record', `the page says the owner is ${section.dataset.owner}, the replayed records say ${proved.owner}`);
  }
  if (proved.zonefile_hash !== section.dataset.zonefileHash) {
    throw new VerifyError('record', `the page says the zone-file hash is ${section.dataset.zonefileHash}, the replayed records say ${proved.zonefile_hash}`);
  }
  lines.push(`Record: replayed from ${slots.length - missing} zone file(s): sequence ${proved.seqn}, carried by ${proved.carrier} at block ${proved.height}; owner and zone-file hash match the page.`);
  if (missing) lines.push(`${missing} zone file(s) of the domain are not held by this node: a later update in them could not be checked (blockstack lookup --verify --peers asks other nodes).`);
  return lines;
}

async function verifyName(section, trusted) {
  const name = section.dataset.name;
  const lines = [];
  const { ops, anchorHeight } = await provedHistory(name, trusted);
  if (ops.length === 0) throw new VerifyError('history', `no operation on ${name} up to your block ${anchorHeight}`);
  const lastOp = ops[ops.length - 1];
  lines.push(`History: ${ops.length} operation(s) on ${name}, blocks ${ops[0].height} to ${lastOp.height}, proved from your hash at block ${anchorHeight}.`);
  if (lastOp.address !== section.dataset.owner) {
    throw new VerifyError('record', `the page says the owner is ${section.dataset.owner}, the proved history says ${lastOp.address}`);
  }
  if (lastOp.value_hash !== section.dataset.zonefileHash) {
    throw new VerifyError('record', `the page says the zone-file hash is ${section.dataset.zonefileHash}, the proved history says ${lastOp.value_hash}`);
  }
  lines.push(`Record: owner ${lastOp.address} and zone-file hash ${lastOp.value_hash || '(none)'} match the page.`);
  await checkState(name, ops, trusted, anchorHeight, lines);
  if (lastOp.value_hash) {
    const r = await fetch(`/v1/names/${enc(name)}/zonefile?raw=1`);
    if (r.ok) {
      const bytes = new Uint8Array(await r.arrayBuffer());
      if (hash160(bytes) !== lastOp.value_hash) throw new VerifyError('zone file', `the zone file served hashes to ${hash160(bytes)}`);
      lines.push('Zone file: hashes to the proved hash.');
    }
  }
  return lines;
}

function setUpVerify() {
  const section = $('#verify');
  if (!section) return;
  const form = $('#verify-form', section);
  const out = $('#verify-result', section);
  const button = $('button', form);
  button.disabled = false;
  out.replaceChildren();
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const trusted = $('#trusted', form).value.trim().toLowerCase();
    button.disabled = true;
    out.className = '';
    out.replaceChildren(el('span', { class: 'note' }, 'Verifying…'));
    try {
      if (!/^[0-9a-f]{32}$/.test(trusted)) throw new VerifyError('input', 'a consensus hash is 32 hex digits');
      let lines;
      if (section.dataset.kind === 'subdomain') {
        lines = await verifySubdomain(section, trusted);
      } else {
        lines = await verifyName(section, trusted);
      }
      out.className = 'verified';
      out.replaceChildren(el('strong', {}, 'Verified.'), ...lines.map((l) => el('div', {}, l)));
    } catch (e) {
      out.className = 'failed';
      const step = e instanceof VerifyError ? e.step : 'verify';
      out.replaceChildren(el('strong', {}, `Failed at ${step}: `), document.createTextNode(e instanceof VerifyError ? e.detail : String(e.message || e)));
    } finally {
      button.disabled = false;
    }
  });
}

setUpSuggestions();
setUpFeed();
setUpVerify();
setUpBucket();
