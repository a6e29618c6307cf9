// The subdomain half of the proofs verifier (doc/proofs.md, "Subdomains"), for
// browsers and Node: one page of a subdomain's bundle checked against a trusted
// consensus hash, then the subdomain rules replayed over the zone files it gives.
// It computes what src/proofs/verify.cpp (VerifySubdomainPage, ReplaySubdomain),
// src/subdomain/record.cpp and src/zonefile/zonefile.cpp do, step for step, and
// names the same steps. No dependency: the caller gives the hash functions and
// signature verification:
//
//   const s = makeSubdomainVerifier({ sha256, ripemd160, verifyCompact, isPublicKey, history });
//     verifyCompact(sig64, digest32, publicKeyBytes): true when the r||s signature
//       (high S accepted) verifies; false (never throws) for a key that is not one
//     isPublicKey(bytes): whether the bytes are a public key (a point on the curve)
//     history: makeVerifier(...) from verify.mjs
//   const page = s.verifySubdomainPage(bundle, trusted, trustedHeight);  // throws VerifyError
//   const proved = s.replaySubdomain(bundle.subdomain, bundle.first_block, page.slots);
//
// Zone files are byte strings: JavaScript strings with one character per byte
// (latin1), so that any bytes parse as the C++ reader parses them.
import { VerifyError, toHex } from './verify.mjs';

export const SUBDOMAINS_FIRST_BLOCK_MAINNET = 478872;
const ZONEFILE_PIECE_CHARS = 250;
const MAX_ZONEFILE_BYTES = 40960;
const MAX_FQN_LENGTH = 37;
const MAX_NAMESPACE_ID_LENGTH = 19;
const INT64_MAX = (1n << 63n) - 1n;

export const latin1ToBytes = (s) => Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
export const bytesToLatin1 = (b) => {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
};

// --- names ---

const isNameChar = (c) => (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c === '-' || c === '_';
const isLeafChar = (c) => isNameChar(c) || c === '+';

export function isNameValid(fqn) {
  if (fqn.length > MAX_FQN_LENGTH) return false;
  const parts = fqn.split('.');
  if (parts.length !== 2) return false;
  const [name, ns] = parts;
  return name.length > 0 && ns.length > 0 && ns.length <= MAX_NAMESPACE_ID_LENGTH && [...name].every(isNameChar)
    && [...ns].every(isNameChar);
}

export function splitSubdomainName(fqn) {
  if (fqn.split('.').length !== 3) return null;
  const dot = fqn.indexOf('.');
  const leaf = fqn.slice(0, dot);
  const domain = fqn.slice(dot + 1);
  if (!leaf || ![...leaf].every(isLeafChar) || !isNameValid(domain)) return null;
  return { leaf, domain };
}

// --- the zone-file reader ---

const isDigit = (c) => c >= '0' && c <= '9';
const isAlnum = (c) => isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
const upper = (s) => s.replace(/[a-z]/g, (c) => c.toUpperCase());
const lower = (s) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
const fail = (line, what) => { throw new Error(`zone file line ${line}: ${what}`); };

function tokenize(text) {
  const lines = [];
  let cur = { number: 1, ownerOmitted: false, tokens: [] };
  let lineNo = 1;
  let depth = 0;
  let atLineStart = true;
  let i = 0;
  const finish = () => {
    if (cur.tokens.length) lines.push(cur);
    cur = { number: lineNo, ownerOmitted: false, tokens: [] };
    atLineStart = true;
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') { lineNo++; i++; if (depth === 0) finish(); continue; }
    if (c === ' ' || c === '\t' || c === '\r') {
      if (atLineStart && depth === 0 && cur.tokens.length === 0) cur.ownerOmitted = true;
      atLineStart = false;
      i++;
      continue;
    }
    atLineStart = false;
    if (c === ';') { while (i < text.length && text[i] !== '\n') i++; continue; }
    if (c === '(') { depth++; i++; continue; }
    if (c === ')') { if (depth === 0) fail(lineNo, "unbalanced ')'"); depth--; i++; continue; }
    if (c === '"') {
      let t = '';
      i++;
      let closed = false;
      while (i < text.length) {
        const q = text[i];
        if (q === '"') { closed = true; i++; break; }
        if (q === '\n') break;
        if (q === '\\' && i + 1 < text.length) {
          const e = text[i + 1];
          if (isDigit(e)) {
            if (i + 3 >= text.length || !isDigit(text[i + 2]) || !isDigit(text[i + 3])) fail(lineNo, 'bad \\DDD escape');
            const v = Number(e) * 100 + Number(text[i + 2]) * 10 + Number(text[i + 3]);
            if (v > 255) fail(lineNo, 'bad \\DDD escape');
            t += String.fromCharCode(v);
            i += 4;
          } else {
            t += e;
            i += 2;
          }
          continue;
        }
        t += q;
        i++;
      }
      if (!closed) fail(lineNo, 'unterminated quoted string');
      cur.tokens.push({ text: t, quoted: true });
      continue;
    }
    let t = '';
    while (i < text.length) {
      const w = text[i];
      if (w === ' ' || w === '\t' || w === '\r' || w === '\n' || w === ';' || w === '(' || w === ')' || w === '"') break;
      t += w;
      i++;
    }
    cur.tokens.push({ text: t, quoted: false });
  }
  if (depth !== 0) fail(lineNo, "unterminated '('");
  finish();
  return lines;
}

// Decimal digits only, at most 10 of them, at most max (util::ParseDecimal).
function parseU32(s, max = 0xffffffff) {
  if (!s.length || s.length > 10 || ![...s].every(isDigit)) return null;
  const v = Number(s);
  return v <= max ? v : null;
}

function isNameToken(t) {
  if (t.quoted || !t.text.length || t.text.length > 255) return false;
  if (t.text === '@') return true;
  return [...t.text].every((c) => isAlnum(c) || '_-.*/+'.includes(c));
}

const isClass = (s) => s === 'IN' || s === 'CH' || s === 'HS' || s === 'CS';

// inet_pton(AF_INET): four decimal octets, no leading zeros.
function isIPv4(s) {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^[0-9]{1,3}$/.test(p) && Number(p) <= 255 && (p === '0' || p[0] !== '0'));
}

// inet_pton(AF_INET6): up to eight groups of 1-4 hex digits, one "::", an IPv4
// address in place of the last two.
function isIPv6(s) {
  if (!s.length || /[^0-9a-fA-F:.]/.test(s)) return false;
  const halves = s.split('::');
  if (halves.length > 2) return false;
  const groups = (h) => (h === '' ? [] : h.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const all = [...head, ...tail];
  let count = 0;
  for (let k = 0; k < all.length; k++) {
    const g = all[k];
    if (g.includes('.')) {
      if (k !== all.length - 1 || !isIPv4(g)) return false;
      count += 2;
    } else {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return false;
      count += 1;
    }
  }
  return halves.length === 2 ? count <= 7 : count === 8;
}

function checkRdata(line, at, rr) {
  const tok = line.tokens;
  const n = tok.length - at;
  const need = (count) => { if (n !== count) fail(line.number, `${rr.type} needs ${count} fields, got ${n}`); };
  const number = (k, max, what) => {
    if (tok[at + k].quoted || parseU32(tok[at + k].text, max) === null) fail(line.number, `${rr.type} ${what} is not a number in range`);
  };
  const name = (k) => { if (!isNameToken(tok[at + k])) fail(line.number, `${rr.type} target is not a domain name`); };
  const t = rr.type;
  if (t === 'URI') {
    need(3); number(0, 65535, 'priority'); number(1, 65535, 'weight');
    if (!tok[at + 2].text.length) fail(line.number, 'URI target is empty');
  } else if (t === 'TXT' || t === 'SPF') {
    if (n === 0) fail(line.number, `${t} needs at least one string`);
    for (let k = at; k < tok.length; k++) if (tok[k].text.length > 255 && !tok[k].quoted) fail(line.number, 'TXT string over 255 bytes');
  } else if (t === 'A' || t === 'AAAA') {
    need(1);
    if (!(t === 'A' ? isIPv4 : isIPv6)(tok[at].text)) fail(line.number, `bad ${t} address`);
  } else if (t === 'CNAME' || t === 'NS' || t === 'PTR') {
    need(1); name(0);
  } else if (t === 'MX') {
    need(2); number(0, 65535, 'preference'); name(1);
  } else if (t === 'SRV') {
    need(4); number(0, 65535, 'priority'); number(1, 65535, 'weight'); number(2, 65535, 'port'); name(3);
  } else if (t === 'SOA') {
    need(7); name(0); name(1);
    for (let k = 2; k < 7; k++) number(k, 0xffffffff, 'timer');
  } else {
    fail(line.number, `unsupported record type '${t}'`);
  }
  rr.fields = tok.slice(at).map((x) => x.text);
}

// A zone file (a byte string) as the node reads it: { origin, ttl, records:
// [{ name, ttl, type, fields }] }; throws on a file the node refuses.
export function parseZonefile(text) {
  if (text.length > MAX_ZONEFILE_BYTES) throw new Error(`zone file is ${text.length} bytes; the limit is ${MAX_ZONEFILE_BYTES}`);
  const zf = { origin: null, ttl: null, records: [] };
  let lastOwner = null;
  for (const line of tokenize(text)) {
    const tok = line.tokens;
    if (!tok[0].quoted && tok[0].text.startsWith('$')) {
      const directive = upper(tok[0].text);
      if (directive === '$ORIGIN') {
        if (tok.length !== 2 || !isNameToken(tok[1])) fail(line.number, '$ORIGIN needs one domain name');
        let origin = tok[1].text;
        if (origin.length > 1 && origin.endsWith('.')) origin = origin.slice(0, -1);
        zf.origin = origin;
      } else if (directive === '$TTL') {
        if (tok.length !== 2) fail(line.number, '$TTL needs one number');
        const ttl = tok[1].quoted ? null : parseU32(tok[1].text, 2147483647);
        if (ttl === null) fail(line.number, '$TTL is not a number in 0..2147483647');
        zf.ttl = ttl;
      } else {
        fail(line.number, `unsupported directive ${tok[0].text}`);
      }
      continue;
    }
    const rr = { name: '', ttl: null, type: '', fields: [] };
    let at = 0;
    if (line.ownerOmitted) {
      if (lastOwner === null) fail(line.number, 'record without an owner name');
      rr.name = lastOwner;
    } else {
      if (!isNameToken(tok[0])) fail(line.number, `bad owner name '${tok[0].text}'`);
      rr.name = tok[0].text;
      at = 1;
    }
    for (let k = 0; k < 2 && at < tok.length && !tok[at].quoted; k++) {
      const ttl = parseU32(tok[at].text, 2147483647);
      if (ttl !== null && rr.ttl === null) { rr.ttl = ttl; at++; } else if (isClass(upper(tok[at].text))) at++;
    }
    if (at >= tok.length || tok[at].quoted) fail(line.number, 'missing record type');
    rr.type = upper(tok[at].text);
    at++;
    checkRdata(line, at, rr);
    lastOwner = rr.name;
    zf.records.push(rr);
  }
  return zf;
}

// --- base64 and base58 ---

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function base64ToLatin1(text) {
  if (text.length % 4 !== 0 || /[^A-Za-z0-9+/=]/.test(text)) return null;
  const pad = text.indexOf('=');
  if (pad !== -1 && (text.length - pad > 2 || /[^=]/.test(text.slice(pad)))) return null;
  let out = '';
  for (let i = 0; i < text.length; i += 4) {
    const v = [0, 1, 2, 3].map((k) => (text[i + k] === '=' ? 0 : B64.indexOf(text[i + k])));
    const n = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out += String.fromCharCode((n >> 16) & 0xff);
    if (text[i + 2] !== '=') out += String.fromCharCode((n >> 8) & 0xff);
    if (text[i + 3] !== '=') out += String.fromCharCode(n & 0xff);
  }
  return out;
}

function latin1ToBase64(s) {
  let out = '';
  for (let i = 0; i < s.length; i += 3) {
    const a = s.charCodeAt(i);
    const b = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
    const c = i + 2 < s.length ? s.charCodeAt(i + 2) : 0;
    const n = (a << 16) | (b << 8) | c;
    out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63];
    out += i + 1 < s.length ? B64[(n >> 6) & 63] : '=';
    out += i + 2 < s.length ? B64[n & 63] : '=';
  }
  return out;
}

// As the original's decoder: characters outside the alphabet skipped.
const lenientBase64 = (text) => base64ToLatin1(text.replace(/[^A-Za-z0-9+/=]/g, ''));

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function base58Decode(s) {
  if (!s.length || s.length > 100) return null;
  let n = 0n;
  for (const c of s) {
    const v = B58.indexOf(c);
    if (v < 0) return null;
    n = n * 58n + BigInt(v);
  }
  const bytes = [];
  while (n > 0n) { bytes.unshift(Number(n & 0xffn)); n >>= 8n; }
  for (const c of s) { if (c !== '1') break; bytes.unshift(0); }
  return Uint8Array.from(bytes);
}

// --- scripts ---

function tokenizeScript(b) {
  const out = [];
  let i = 0;
  while (i < b.length) {
    const opcode = b[i++];
    if (opcode <= 0x4e) {
      let len = opcode;
      if (opcode === 0x4c) { if (i + 1 > b.length) return null; len = b[i]; i += 1; } else if (opcode === 0x4d) {
        if (i + 2 > b.length) return null; len = b[i] | (b[i + 1] << 8); i += 2;
      } else if (opcode === 0x4e) {
        if (i + 4 > b.length) return null; len = (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16)) + b[i + 3] * 0x1000000; i += 4;
      }
      if (i + len > b.length) return null;
      out.push({ opcode, push: true, data: b.subarray(i, i + len) });
      i += len;
    } else {
      out.push({ opcode, push: false, data: new Uint8Array(0) });
    }
  }
  return out;
}

// --- the rules ---

// An integer as Python's int() reads text; a BigInt, or null.
function pythonInt(text) {
  const t = text.replace(/^[ \t\n\r\v\f]+|[ \t\n\r\v\f]+$/g, '');
  if (!/^[+-]?[0-9]+$/.test(t)) return null;
  const neg = t[0] === '-';
  const digits = t.replace(/^[+-]/, '');
  const v = BigInt(digits);
  if (v > INT64_MAX) return null;
  return neg ? -v : v;
}

const escapeValue = (v) => v.replace(/=/g, '\\=');
const unescapeValue = (v) => v.replace(/\\=/g, '=');

export function makeSubdomainVerifier({ sha256, ripemd160, verifyCompact, isPublicKey, history }) {
  const hash160 = (bytes) => ripemd160(sha256(bytes));
  const hash160Hex = (s) => toHex(hash160(latin1ToBytes(s)));
  const equalBytes = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

  function decodeOwner(address) {
    const raw = base58Decode(address);
    if (!raw || raw.length !== 25) return null;
    const check = sha256(sha256(raw.subarray(0, 21))).subarray(0, 4);
    if (!equalBytes(check, raw.subarray(21))) return null;
    const version = raw[0];
    if (version === 0x00 || version === 0x6f) return { hash: raw.subarray(1, 21), script: false };
    if (version === 0x05 || version === 0xc4) return { hash: raw.subarray(1, 21), script: true };
    return null;
  }

  function sameOwner(a, b) {
    if (a === b) return true;
    const da = decodeOwner(a);
    const db = decodeOwner(b);
    return !!(da && db && da.script === db.script && equalBytes(da.hash, db.hash));
  }

  const pieces = (zonefile) => {
    const encoded = latin1ToBase64(zonefile);
    const out = [];
    for (let at = 0; at < encoded.length; at += ZONEFILE_PIECE_CHARS) out.push(encoded.slice(at, at + ZONEFILE_PIECE_CHARS));
    return out;
  };

  function signingText(r) {
    const owner = r.independent ? r.fqn : (splitSubdomainName(r.fqn)?.leaf ?? r.fqn);
    const ps = pieces(r.zonefile);
    const fields = [['owner', r.owner], ['seqn', r.seqn.toString()], ['parts', String(ps.length)],
      ...ps.map((p, i) => [`zf${i}`, p])];
    return owner + fields.map(([k, v]) => `,${k}=${escapeValue(v)}`).join('');
  }

  function verifySingleKey(digest, tokens, owner) {
    if (tokens.length !== 2 || !tokens[0].push || !tokens[1].push || tokens[0].data.length !== 64) return false;
    if (!equalBytes(hash160(tokens[1].data), owner)) return false;
    return verifyCompact(tokens[0].data, digest, tokens[1].data);
  }

  function verifyMultisig(digest, tokens, owner) {
    if (tokens.length < 2 || !tokens[tokens.length - 1].push) return false;
    const redeem = tokens[tokens.length - 1].data;
    if (!equalBytes(hash160(redeem), owner)) return false;
    const rs = tokenizeScript(redeem);
    if (!rs || rs.length < 4) return false;
    const small = (t) => (t.opcode >= 0x51 && t.opcode <= 0x60 ? t.opcode - 0x50 : -1);
    const m = small(rs[0]);
    const n = small(rs[rs.length - 2]);
    if (rs[rs.length - 1].opcode !== 0xae || m < 1 || n < m || n !== rs.length - 3) return false;
    const keys = [];
    for (let i = 1; i + 2 < rs.length; i++) {
      if (!rs[i].push) return false;
      keys.push(rs[i].data);
    }
    // Every key must be one (PublicKey::Parse), whether or not a signature uses it.
    if (!keys.every(isPublicKey)) return false;
    if (tokens.length - 2 !== m) return false;
    let next = 0;
    for (let s = 1; s + 1 < tokens.length; s++) {
      if (!tokens[s].push || tokens[s].data.length !== 64) return false;
      let passed = false;
      while (!passed) {
        if (next >= keys.length) return false;
        passed = verifyCompact(tokens[s].data, digest, keys[next++]);
      }
    }
    return true;
  }

  function verifySignature(r, address) {
    if (r.sig === null) return false;
    const owner = decodeOwner(address);
    const scriptText = lenientBase64(r.sig);
    if (!owner || scriptText === null) return false;
    const tokens = tokenizeScript(latin1ToBytes(scriptText));
    if (!tokens) return false;
    const digest = sha256(latin1ToBytes(signingText(r)));
    return owner.script ? verifyMultisig(digest, tokens, owner.hash) : verifySingleKey(digest, tokens, owner.hash);
  }

  function accepts(tip, next) {
    if (!tip) return next.seqn === 0n && !next.independent;
    return next.seqn === tip.seqn + 1n && verifySignature(next, tip.owner) && (!next.independent || sameOwner(next.owner, tip.owner));
  }

  // The subdomain records of a domain's zone file; throws when the file carries none.
  function zonefileSubdomains(domain, text) {
    const zf = parseZonefile(text);
    if (zf.origin !== domain) throw new Error(`zone file's $ORIGIN is not ${domain}`);
    let haveMissing = false;
    for (const rr of zf.records) {
      if (rr.type !== 'TXT' || rr.name !== '_missing' || rr.fields.length !== 1) continue;
      if (!rr.fields[0].split(',').every((v) => pythonInt(v) !== null)) continue;
      if (haveMissing) throw new Error('two _missing records');
      haveMissing = true;
    }
    const byFqn = new Map();
    zf.records.forEach((rr, position) => {
      if (rr.type !== 'TXT' || rr.fields.length < 2) return;
      if (!(rr.fields.some((f) => f.startsWith('owner=')) && rr.fields.some((f) => f.startsWith('seqn='))
        && rr.fields.some((f) => f.startsWith('parts=')))) return;
      const name = lower(rr.name);
      if (['_missing', '_resolver', '_registrar'].includes(name)) return;
      const entries = new Map();
      let duplicate = false;
      for (const item of rr.fields) {
        const eq = item.indexOf('=');
        if (eq < 0) throw new Error("a subdomain record string has no '='");
        const key = item.slice(0, eq);
        if (entries.has(key)) duplicate = true;
        else entries.set(key, unescapeValue(item.slice(eq + 1)));
      }
      if (duplicate) return;
      const parts = pythonInt(entries.get('parts'));
      const seqn = pythonInt(entries.get('seqn'));
      if (parts === null || seqn === null) return;
      let encoded = '';
      for (let i = 0n; i < parts; i++) {
        const piece = entries.get(`zf${i}`);
        if (piece === undefined) throw new Error('a subdomain record lacks a zone-file piece');
        encoded += piece;
      }
      let fqn;
      if (splitSubdomainName(name)) fqn = name;
      else {
        fqn = `${name}.${domain}`;
        if (!isNameValid(domain) || !splitSubdomainName(fqn)) return;
      }
      const zonefile = lenientBase64(encoded);
      if (zonefile === null) throw new Error('a subdomain zone file is not base64');
      const record = {
        fqn, domain, owner: entries.get('owner'), seqn, zonefile, sig: entries.has('sig') ? entries.get('sig') : null,
        independent: !fqn.endsWith(`.${domain}`),
      };
      const found = byFqn.get(fqn);
      if (!found || record.seqn < found.record.seqn) byFqn.set(fqn, { record, position });
    });
    return [...byFqn.values()].sort((a, b) => a.position - b.position).map((k) => k.record);
  }

  const isSlot = (op) => (op.opcode === ':' || op.opcode === '+' || op.opcode === ';') && /^[0-9a-f]{40}$/.test(op.value_hash);

  function carrierSlots(verified, zonefiles, firstBlock, complete, prefix, out) {
    if (!zonefiles || typeof zonefiles !== 'object') throw new VerifyError(`${prefix}zone files`, 'no zone files');
    const texts = new Map();
    for (const [hash, b64] of Object.entries(zonefiles)) {
      if (b64 === null) { texts.set(hash, null); continue; }
      const text = typeof b64 === 'string' ? base64ToLatin1(b64) : null;
      if (text === null) throw new VerifyError(`${prefix}zone files`, `zone file ${hash} is not base64`);
      const got = hash160Hex(text);
      if (got !== hash) throw new VerifyError(`${prefix}zone files`, `the zone file given for ${hash} hashes to ${got}`);
      texts.set(hash, text);
    }
    for (const op of verified.ops) {
      if (!isSlot(op) || op.height < firstBlock) continue;
      if (!texts.has(op.value_hash) && complete) {
        throw new VerifyError(`${prefix}zone files`, `the zone file ${op.value_hash} of operation ${op.txid} at block ${op.height} is neither given nor declared missing`);
      }
      out.push({ name: verified.name, height: op.height, vtxindex: op.vtxindex, txid: op.txid, hash: op.value_hash,
        zonefile: texts.get(op.value_hash) ?? null });
    }
  }

  function verifySubdomainPage(bundle, trusted, trustedHeight) {
    const split = typeof bundle?.subdomain === 'string' ? splitSubdomainName(bundle.subdomain) : null;
    if (!split) throw new VerifyError('subdomain bundle', `${bundle?.subdomain} is not a subdomain name`);
    const domainHistory = bundle.domain?.history;
    if (!domainHistory || domainHistory.name !== split.domain) {
      throw new VerifyError('subdomain bundle', `it gives the history of ${domainHistory?.name}, not of ${split.domain}`);
    }
    if (bundle.first_block !== SUBDOMAINS_FIRST_BLOCK_MAINNET && bundle.first_block !== domainHistory.first_block) {
      throw new VerifyError('subdomain bundle', `its first subdomain block ${bundle.first_block} is neither mainnet's (${SUBDOMAINS_FIRST_BLOCK_MAINNET}) nor the chain's first block`);
    }
    const domain = history.verifyHistory(domainHistory, trusted, trustedHeight);
    const slots = [];
    carrierSlots(domain, bundle.domain.zonefiles, bundle.first_block, true, '', slots);
    for (const other of Array.isArray(bundle.others) ? bundle.others : []) {
      const name = other?.history?.name;
      if (name === split.domain) throw new VerifyError('subdomain bundle', 'the domain is given twice');
      let verified;
      try {
        verified = history.verifyHistory(other.history, trusted, trustedHeight);
      } catch (e) {
        if (e instanceof VerifyError) throw new VerifyError(`${name}: ${e.step}`, e.detail);
        throw e;
      }
      carrierSlots(verified, other.zonefiles, bundle.first_block, false, `${name}: `, slots);
    }
    return { domain, slots };
  }

  // The subdomain's record as the rules make it from the slots' zone files; null
  // when none is accepted.
  function replaySubdomain(fqn, firstBlock, slots) {
    const seen = new Set();
    const ordered = slots.filter((s) => s.height >= firstBlock && s.zonefile !== null && !seen.has(s.txid) && seen.add(s.txid))
      .sort((a, b) => (a.height - b.height) || (a.vtxindex - b.vtxindex));
    const records = [];
    ordered.forEach((slot, position) => {
      let parsed;
      try { parsed = zonefileSubdomains(slot.name, slot.zonefile); } catch { return; }
      for (const record of parsed) if (record.fqn === fqn) records.push({ position, slot, record });
    });
    records.sort((a, b) => (a.record.seqn !== b.record.seqn ? (a.record.seqn < b.record.seqn ? -1 : 1) : a.position - b.position));
    let tip = null;
    let accepted = 0;
    for (const f of records) {
      if (accepts(tip?.record ?? null, f.record)) { tip = f; accepted++; }
    }
    if (!tip) return null;
    return {
      fqn, carrier: tip.slot.name, owner: tip.record.owner, seqn: Number(tip.record.seqn), zonefile: tip.record.zonefile,
      zonefile_hash: hash160Hex(tip.record.zonefile), txid: tip.slot.txid, height: tip.slot.height, accepted,
    };
  }

  return { verifySubdomainPage, replaySubdomain, zonefileSubdomains, signingText, sameOwner, verifySignature, parseZonefile };
}
