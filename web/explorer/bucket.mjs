// The bucket browser (doc/explorer.md): a Gaia bucket given by its read URL.
// Files open by path without a key. With the bucket's private key, pasted into
// the page and never sent anywhere, it lists the files through the hub (a token
// signed here), checks signatures (a file's .sig, or the envelope of a signed
// encrypted file) against the bucket's address, and decrypts encrypted files
// (ECIES as blockstack.js writes them). Everything a file holds is shown as text,
// or as an image from a blob.
import * as secp from '@noble/secp256k1';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { ripemd160 } from '@noble/hashes/legacy.js';
import { createBase58check, base64urlnopad } from '@scure/base';

secp.hashes.sha256 = sha256;
secp.hashes.hmacSha256 = (key, msg) => hmac(sha256, key, msg);

const b58check = createBase58check(sha256);
const enc = new TextEncoder();
const MAX_PREVIEW = 2 * 1024 * 1024;
const MAX_CLASSIFY = 256 * 1024;

const toHex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
function fromHex(h) {
  if (typeof h !== 'string' || h.length % 2 || !/^[0-9a-fA-F]*$/.test(h)) throw new Error('not hex');
  return Uint8Array.from(h.match(/../g) || [], (x) => parseInt(x, 16));
}
const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
};

// The mainnet address of a public key (Gaia buckets are named by it).
export const addressOf = (pub) => b58check.encode(concat(Uint8Array.of(0), ripemd160(sha256(pub))));

// A private key as the user pastes it: 64 hex, 66 hex ending 01 (compressed), or
// WIF. Returns { secret, pubs: [public keys it may be used with] }.
export function parseKey(text) {
  const t = text.trim();
  let secret;
  let compressed = null;
  if (/^[0-9a-fA-F]{64}$/.test(t)) secret = fromHex(t);
  else if (/^[0-9a-fA-F]{66}$/.test(t) && t.endsWith('01')) { secret = fromHex(t.slice(0, 64)); compressed = true; } else {
    let raw;
    try { raw = b58check.decode(t); } catch { throw new Error('the key is neither hex nor WIF'); }
    if (raw.length === 34 && raw[33] === 1) { secret = raw.slice(1, 33); compressed = true; } else if (raw.length === 33) { secret = raw.slice(1); compressed = false; } else throw new Error('the key is neither hex nor WIF');
  }
  if (!secp.utils.isValidSecretKey(secret)) throw new Error('the key is out of range');
  const pubs = compressed === null ? [secp.getPublicKey(secret, true), secp.getPublicKey(secret, false)]
    : [secp.getPublicKey(secret, compressed)];
  return { secret, pubs };
}

// A Gaia v1 token for the bucket of pub (the hub's challenge signed, ES256K).
export function gaiaToken(secret, pub, challenge, hubUrl) {
  const header = base64urlnopad.encode(enc.encode(JSON.stringify({ typ: 'JWT', alg: 'ES256K' })));
  const now = Math.floor(Date.now() / 1000);
  const payload = base64urlnopad.encode(enc.encode(JSON.stringify({
    gaiaChallenge: challenge, hubUrl, iss: toHex(pub), salt: toHex(secp.utils.randomSecretKey().slice(0, 16)),
    iat: now, exp: now + 600,
  })));
  const signature = secp.sign(enc.encode(`${header}.${payload}`), secret);
  return `v1:${header}.${payload}.${base64urlnopad.encode(signature)}`;
}

// A DER ECDSA signature (as blockstack.js writes them) in compact form; throws on
// anything else.
export function derToCompact(der) {
  const b = fromHex(der);
  let at = 0;
  const take = (n) => { if (at + n > b.length) throw new Error('short'); const s = b.slice(at, at + n); at += n; return s; };
  if (take(1)[0] !== 0x30) throw new Error('not DER');
  const len = take(1)[0];
  if (len !== b.length - 2) throw new Error('bad length');
  const int = () => {
    if (take(1)[0] !== 0x02) throw new Error('not an integer');
    const n = take(1)[0];
    if (n === 0 || n > 33) throw new Error('bad integer');
    let v = take(n);
    while (v.length > 32 && v[0] === 0) v = v.slice(1);
    if (v.length > 32) throw new Error('integer too long');
    return concat(new Uint8Array(32 - v.length), v);
  };
  const r = int();
  const s = int();
  if (at !== b.length) throw new Error('trailing bytes');
  return concat(r, s);
}

// Whether signatureHex (DER) by publicKeyHex signs content (bytes).
export function verifyContent(content, publicKeyHex, signatureHex) {
  try {
    return secp.verify(derToCompact(signatureHex), content, fromHex(publicKeyHex), { lowS: false });
  } catch {
    return false;
  }
}

const isCipher = (o) => o && typeof o === 'object' && typeof o.ephemeralPK === 'string' && typeof o.cipherText === 'string'
  && typeof o.iv === 'string' && typeof o.mac === 'string';

// What a file's bytes are: { kind: 'plain' | 'encrypted' | 'signed-encrypted', cipher?, envelope? }.
export function classify(bytes) {
  if (bytes.length > MAX_CLASSIFY || bytes[0] !== 0x7b) return { kind: 'plain' };
  let doc;
  try { doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)); } catch { return { kind: 'plain' }; }
  if (isCipher(doc)) return { kind: 'encrypted', cipher: doc };
  if (doc && typeof doc.cipherText === 'string' && typeof doc.signature === 'string' && typeof doc.publicKey === 'string') {
    let inner;
    try { inner = JSON.parse(doc.cipherText); } catch { return { kind: 'plain' }; }
    if (isCipher(inner)) return { kind: 'signed-encrypted', cipher: inner, envelope: doc };
  }
  return { kind: 'plain' };
}

// ECIES decryption of a cipher object with the recipient's secret key: bytes, and
// whether they were a string.
export async function decrypt(cipher, secret) {
  const ephemeral = fromHex(cipher.ephemeralPK);
  const shared = secp.getSharedSecret(secret, ephemeral, true).slice(1);
  const keys = sha512(shared);
  const iv = fromHex(cipher.iv);
  const ct = cipher.cipherTextEncoding === 'base64'
    ? Uint8Array.from(atob(cipher.cipherText), (c) => c.charCodeAt(0)) : fromHex(cipher.cipherText);
  const mac = hmac(sha256, keys.slice(32), concat(iv, ephemeral, ct));
  if (toHex(mac) !== String(cipher.mac).toLowerCase()) throw new Error('the MAC does not match: wrong key, or the file was altered');
  const aes = await crypto.subtle.importKey('raw', keys.slice(0, 32), { name: 'AES-CBC' }, false, ['decrypt']);
  const plain = new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-CBC', iv }, aes, ct));
  return { bytes: plain, wasString: cipher.wasString !== false };
}

// --- the page ---

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function sizeText(n) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

const looksLikeImage = (b) => (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47)
  || (b[0] === 0xff && b[1] === 0xd8) || (b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46) || (b[0] === 0x52 && b[8] === 0x57);

// The bytes shown: JSON pretty, text as text, an image from a blob, otherwise hex.
function render(bytes, name) {
  if (looksLikeImage(bytes)) {
    const url = URL.createObjectURL(new Blob([bytes]));
    return el('img', { src: url, alt: name, class: 'preview-image' });
  }
  let text;
  try { text = new TextDecoder('utf-8', { fatal: true }).decode(bytes); } catch {
    return el('pre', {}, `${bytes.length} bytes, not text: ${toHex(bytes.slice(0, 64))}${bytes.length > 64 ? '…' : ''}`);
  }
  try { text = JSON.stringify(JSON.parse(text), null, 2); } catch { /* not JSON */ }
  return el('pre', { class: 'file-text' }, text.length > 200000 ? `${text.slice(0, 200000)}\n…` : text);
}

export function setUpBucket() {
  const section = document.getElementById('bucket');
  if (!section) return;
  const readUrl = section.dataset.readUrl;
  const address = section.dataset.address;
  const status = document.getElementById('bucket-status');
  const files = document.getElementById('bucket-files');
  const preview = document.getElementById('bucket-preview');
  const openForm = document.getElementById('bucket-open');
  const listForm = document.getElementById('bucket-list');
  document.getElementById('bucket-needs-js')?.remove();
  for (const b of section.querySelectorAll('button')) b.disabled = false;
  let listed = new Set();
  const say = (text, cls = '') => { status.className = cls; status.textContent = text; };
  const keyOf = () => {
    const text = document.getElementById('bucket-key').value;
    if (!text.trim()) return null;
    const { secret, pubs } = parseKey(text);
    const pub = pubs.find((p) => addressOf(p) === address);
    if (!pub) throw new Error(`this key is not the bucket's: it is the key of ${addressOf(pubs[0])}, the bucket is ${address}`);
    return { secret, pub };
  };
  const fetchBytes = async (path) => {
    const r = await fetch(readUrl + path.split('/').map(encodeURIComponent).join('/'));
    if (!r.ok) throw new Error(`the hub answered ${r.status} for ${path}`);
    const bytes = new Uint8Array(await r.arrayBuffer());
    if (bytes.length > MAX_PREVIEW) throw new Error(`${path} is ${sizeText(bytes.length)}, over the preview limit; download it`);
    return bytes;
  };

  async function open(path) {
    preview.hidden = false;
    preview.replaceChildren(el('h2', {}, path), el('p', { class: 'note' }, 'Reading…'));
    try {
      const bytes = await fetchBytes(path);
      const what = classify(bytes);
      const parts = [el('h2', {}, path)];
      const marks = el('p', { class: 'marks' });
      const link = el('a', { href: readUrl + path.split('/').map(encodeURIComponent).join('/'), download: path.split('/').pop() || 'file', rel: 'noopener' }, 'download');
      parts.push(marks);
      // A signature: in the envelope, or in path.sig.
      let signature = null;
      if (what.kind === 'signed-encrypted') {
        signature = { ok: verifyContent(enc.encode(what.envelope.cipherText), what.envelope.publicKey, what.envelope.signature), pub: what.envelope.publicKey };
      } else if (!path.endsWith('.sig')) {
        try {
          const sig = JSON.parse(new TextDecoder().decode(await fetchBytes(`${path}.sig`)));
          if (sig && typeof sig.signature === 'string' && typeof sig.publicKey === 'string') {
            signature = { ok: verifyContent(bytes, sig.publicKey, sig.signature), pub: sig.publicKey };
          }
        } catch { /* no signature file */ }
      }
      if (signature) {
        let signer = '';
        try { signer = addressOf(fromHex(signature.pub)); } catch { signer = '(an invalid key)'; }
        const byOwner = signer === address;
        marks.append(el('span', { class: signature.ok && byOwner ? 'ok mark-signed' : 'bad mark-signed' },
          signature.ok ? (byOwner ? 'signed by the bucket\'s key' : `signed, but by ${signer}, not the bucket's key`) : 'signature does not verify'), ' · ');
      } else {
        marks.append(el('span', { class: 'note mark-unsigned' }, 'not signed'), ' · ');
      }
      if (what.kind === 'plain') {
        marks.append(el('span', { class: 'note' }, 'not encrypted'), ' · ', link);
        parts.push(render(bytes, path));
      } else {
        marks.append(el('span', { class: 'mark-encrypted' }, 'encrypted'), ' · ', link);
        const out = el('div', { class: 'decrypted' });
        const button = el('button', { type: 'button', id: 'decrypt' }, 'Decrypt with the key above');
        button.addEventListener('click', async () => {
          try {
            const key = keyOf();
            if (!key) throw new Error('paste the bucket\'s private key above first');
            const { bytes: plain } = await decrypt(what.cipher, key.secret);
            out.replaceChildren(el('p', { class: 'ok' }, 'Decrypted in this page.'), render(plain, path));
          } catch (e) {
            out.replaceChildren(el('p', { class: 'bad' }, `Cannot decrypt: ${e.message}`));
          }
        });
        parts.push(button, out, el('details', {}, el('summary', {}, 'ciphertext'), render(bytes, path)));
      }
      preview.replaceChildren(...parts);
    } catch (e) {
      preview.replaceChildren(el('h2', {}, path), el('p', { class: 'bad' }, e.message));
    }
  }

  openForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const path = document.getElementById('open-path').value.trim();
    if (path) open(path);
  });

  listForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = files.tBodies[0];
    try {
      const key = keyOf();
      if (!key) throw new Error('listing needs the bucket\'s private key');
      const hub = document.getElementById('hub-url').value.trim().replace(/\/+$/, '');
      if (!/^https?:\/\//.test(hub)) throw new Error('the hub is an http(s) URL');
      say('Asking the hub…');
      const info = await (await fetch(`${hub}/hub_info`)).json();
      if (!info || typeof info.challenge_text !== 'string') throw new Error('the hub gave no challenge');
      const token = gaiaToken(key.secret, key.pub, info.challenge_text, hub);
      const prefix = document.getElementById('list-prefix').value;
      const entries = [];
      let page = null;
      for (let i = 0; i < 100; i++) {
        const r = await fetch(`${hub}/list-files/${address}`, {
          method: 'POST', headers: { 'content-type': 'application/json', authorization: `bearer ${token}` },
          body: JSON.stringify({ page, stat: true }),
        });
        if (!r.ok) throw new Error(`the hub refused the listing (${r.status})`);
        const got = await r.json();
        for (const e of got.entries || []) entries.push(typeof e === 'string' ? { name: e } : e);
        page = got.page;
        if (!page) break;
      }
      listed = new Set(entries.map((e) => String(e.name)));
      const shown = entries.filter((e) => typeof e.name === 'string' && e.name.startsWith(prefix) && !e.name.endsWith('.sig'));
      body.replaceChildren(...shown.map((e) => {
        const a = el('a', { href: '#', class: 'file-link' }, e.name);
        a.addEventListener('click', (c) => { c.preventDefault(); open(e.name); });
        const kind = el('td', { class: 'kind' }, listed.has(`${e.name}.sig`) ? 'signed' : '');
        const date = typeof e.lastModifiedDate === 'number' ? new Date(e.lastModifiedDate).toISOString().replace('T', ' ').slice(0, 16) : '';
        return el('tr', { 'data-path': e.name }, el('td', {}, a), el('td', {}, sizeText(e.contentLength)), el('td', {}, date), kind);
      }));
      files.hidden = false;
      say(`${shown.length} file(s)${prefix ? ` starting with ${prefix}` : ''}.`, 'ok');
      // Which of the small ones are encrypted (their first bytes tell).
      for (const row of body.rows) {
        const entry = entries.find((e) => e.name === row.dataset.path);
        if (!entry || (typeof entry.contentLength === 'number' && entry.contentLength > MAX_CLASSIFY)) continue;
        try {
          const what = classify(await fetchBytes(entry.name));
          if (what.kind !== 'plain') {
            const cell = row.cells[3];
            cell.textContent = [what.kind === 'signed-encrypted' ? 'signed' : cell.textContent, 'encrypted'].filter(Boolean).join(', ');
          }
        } catch { /* left unmarked */ }
      }
    } catch (e) {
      say(e.message, 'bad');
    }
  });
}
