// The verifier of a node's proofs (doc/proofs.md), for browsers and Node: a
// name's history bundle against a trusted consensus hash, and a state proof
// against a name-state root. No framework and no dependency: the caller gives
// the hash functions (bytes in, bytes out), e.g. @noble/hashes in a page or
// node:crypto in Node:
//
//   const v = makeVerifier({ sha256, ripemd160 });
//   const history = v.verifyHistory(bundle, trustedHash);   // throws VerifyError
//   const value = v.verifyState(stateAnswer, stateAnswer.root);
//   value === v.stateValueAfter(history.ops)  // when the history is the name's whole
//
// It computes what the C++ verifier (src/proofs/verify.cpp) does, step for step,
// and names the same step when a check fails.

export class VerifyError extends Error {
  constructor(step, message) {
    super(`${step}: ${message}`);
    this.step = step;
    this.detail = message;
  }
}

const NAME_OPCODES = new Set([':', '+', '>', '~', ';']);
const NAME_RECORD_FIELDS = 16;
const FIELD = { name: 0, valueHash: 1, address: 4, firstRegistered: 7, lastRenewed: 8, revoked: 9, op: 10, txid: 11, vtxindex: 12 };
const EMPTY_OPS_HASH = '5df6e0e2761359d30a8275058e299fcc0381534545f55cf43e41983f5d4c9456';

const enc = new TextEncoder();
const dec = new TextDecoder();

export function toHex(bytes) {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

export function fromHex(hex) {
  if (typeof hex !== 'string' || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new Error('not hex');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

const isLowerHex = (s, n) => typeof s === 'string' && s.length === n && /^[0-9a-f]*$/.test(s);
const bit = (key, i) => (key[i >> 3] >> (7 - (i & 7))) & 1;

// "<op>:len:value,len:value": the opcode and the fields (lengths in bytes).
export function parseSerializedOp(text) {
  const b = enc.encode(text);
  if (b.length < 2 || b[1] !== 0x3a) throw new Error('operation serialisation: no "<op>:" at its start');
  const fields = [];
  let at = 2;
  while (at < b.length) {
    if (fields.length > 0) {
      if (b[at] !== 0x2c) throw new Error('operation serialisation: a field is not followed by a comma');
      at++;
    }
    let colon = at;
    while (colon < b.length && b[colon] !== 0x3a) colon++;
    if (colon === b.length || colon === at || colon - at > 7) throw new Error('operation serialisation: a field without a length');
    const digits = dec.decode(b.subarray(at, colon));
    if (!/^[0-9]+$/.test(digits)) throw new Error('operation serialisation: a length is not a number');
    const len = Number(digits);
    if (len > b.length - colon - 1) throw new Error('operation serialisation: a field runs past its text');
    fields.push({ start: colon + 1, end: colon + 1 + len, text: dec.decode(b.subarray(colon + 1, colon + 1 + len)) });
    at = colon + 1 + len;
  }
  return { opcode: String.fromCharCode(b[0]), fields, bytes: b };
}

// The transaction's OP_RETURN payloads (a non-witness serialisation).
function opReturnPayloads(raw) {
  let at = 0;
  const need = (n) => { if (at + n > raw.length) throw new Error('truncated'); };
  const u8 = () => { need(1); return raw[at++]; };
  const varint = () => {
    const first = u8();
    if (first < 0xfd) return first;
    const n = first === 0xfd ? 2 : first === 0xfe ? 4 : 8;
    need(n);
    let v = 0;
    for (let i = n - 1; i >= 0; i--) v = v * 256 + raw[at + i];
    at += n;
    return v;
  };
  const skip = (n) => { need(n); at += n; };
  skip(4);
  const inputs = varint();
  for (let i = 0; i < inputs; i++) { skip(36); skip(varint()); skip(4); }
  const outputs = varint();
  const payloads = [];
  for (let i = 0; i < outputs; i++) {
    skip(8);
    const len = varint();
    need(len);
    const script = raw.subarray(at, at + len);
    at += len;
    if (script.length < 2 || script[0] !== 0x6a) continue;
    let p = 1;
    let n = script[p++];
    if (n === 0x4c) n = script[p++];
    else if (n === 0x4d) { n = script[p] | (script[p + 1] << 8); p += 2; } else if (n > 0x4b) continue;
    if (p + n === script.length) payloads.push(script.subarray(p, p + n));
  }
  skip(4);
  if (at !== raw.length) throw new Error('bytes after the transaction');
  return payloads;
}

export function makeVerifier({ sha256, ripemd160 }) {
  const sha256d = (b) => sha256(sha256(b));

  function rootHex(row) {
    while (row.length > 1) {
      if (row.length % 2 !== 0) row.push(row[row.length - 1]);
      const next = [];
      for (let i = 0; i < row.length; i += 2) next.push(sha256d(concat(row[i], row[i + 1])));
      row = next;
    }
    return toHex(Uint8Array.from(row[0]).reverse());
  }
  const merkleRootHex = (leaves) => rootHex([...leaves].sort().map((h) => fromHex(h).reverse()));
  const opsHash = (ops) => (ops.length === 0 ? EMPTY_OPS_HASH
    : merkleRootHex(ops.map((op) => toHex(sha256d(enc.encode(op))))));
  function previousHashHeights(height, first) {
    const out = [];
    for (let step = 1; step <= height; step = step * 2 + 1) {
      if (height - step < first) break;
      out.push(height - step);
    }
    return out;
  }
  function consensusHash(previous, ops) {
    const root = merkleRootHex([...previous, ops]);
    return toHex(ripemd160(sha256(fromHex(root))).subarray(0, 16));
  }

  // The text of the record a name operation left: its first 16 fields.
  function recordOfOp(op) {
    if (!NAME_OPCODES.has(op.opcode) || op.fields.length < NAME_RECORD_FIELDS) {
      throw new Error('operation serialisation: not a name operation');
    }
    return dec.decode(op.bytes.subarray(2, op.fields[NAME_RECORD_FIELDS - 1].end));
  }
  // What the state tree holds: the record's text, then the number of the name's
  // operations in all as one more field.
  function stateValue(record, operations) {
    const count = String(operations);
    return sha256(enc.encode(`${record},${count.length}:${count}`));
  }

  const stateKey = (name) => sha256(enc.encode(name));
  const leafHash = (key, value) => sha256(concat(Uint8Array.of(0), key, value));
  const nodeHash = (l, r) => sha256(concat(Uint8Array.of(1), l, r));

  // The name's value (hex), or null when the proof shows it absent; throws when
  // the proof does not lead to the root.
  function verifyState(answer, root) {
    const key = stateKey(answer.name);
    const siblings = answer.proof.siblings.map(fromHex);
    if (siblings.length > 256) throw new VerifyError('state', 'state proof: deeper than a key has bits');
    let at = new Uint8Array(32);
    const leaf = answer.proof.leaf;
    if (leaf) {
      const leafKey = fromHex(leaf.key);
      for (let i = 0; i < siblings.length; i++) {
        if (bit(leafKey, i) !== bit(key, i)) throw new VerifyError('state', "state proof: its leaf is off the name's path");
      }
      at = leafHash(leafKey, fromHex(leaf.value));
    }
    for (let i = siblings.length - 1; i >= 0; i--) at = bit(key, i) ? nodeHash(siblings[i], at) : nodeHash(at, siblings[i]);
    if (toHex(at) !== root) throw new VerifyError('state', 'state proof: does not lead to the root');
    return leaf && leaf.key === toHex(key) ? leaf.value : null;
  }

  function checkTransaction(nameOp, opcode, step) {
    let raw;
    try { raw = fromHex(nameOp.raw_tx); } catch { throw new VerifyError(step, 'its transaction is not hex'); }
    const txid = toHex(sha256d(raw).reverse());
    let payloads;
    try { payloads = opReturnPayloads(raw); } catch (e) { throw new VerifyError(step, `its transaction does not parse: ${e.message}`); }
    if (txid !== nameOp.txid) throw new VerifyError(step, `its transaction hashes to ${txid}`);
    if (!payloads.some((p) => p.length >= 3 && String.fromCharCode(p[2]) === opcode)) {
      throw new VerifyError(step, `its transaction carries no payload of opcode '${opcode}'`);
    }
  }

  function verifyHistory(bundle, trusted, trustedHeight) {
    if (bundle.anchor.consensus_hash !== trusted) {
      throw new VerifyError('anchor', `the bundle is anchored on ${bundle.anchor.consensus_hash}, not the trusted ${trusted}`);
    }
    if (trustedHeight !== undefined && trustedHeight !== bundle.anchor.height) {
      throw new VerifyError('anchor', `the bundle puts the trusted hash at block ${bundle.anchor.height}, not ${trustedHeight}`);
    }
    if (bundle.anchor.height < bundle.first_block) throw new VerifyError('anchor', 'below the first block');
    const proved = new Map([[bundle.anchor.height, bundle.anchor.consensus_hash]]);
    const links = new Map();
    let below;
    for (const link of bundle.links) {
      const step = `link at block ${link.height}`;
      if (below !== undefined && link.height >= below) throw new VerifyError(step, 'links are not in descending order');
      below = link.height;
      const known = proved.get(link.height);
      if (known === undefined) throw new VerifyError(step, 'not reached from the anchor by the links above it');
      if (link.height < bundle.first_block) throw new VerifyError(step, 'below the first block');
      const heights = previousHashHeights(link.height, bundle.first_block);
      if (heights.length !== link.previous.length) {
        throw new VerifyError(step, `mixes in ${link.previous.length} earlier hashes, not ${heights.length}`);
      }
      if (!isLowerHex(link.ops_hash, 64) || !link.previous.every((p) => isLowerHex(p, 32))) {
        throw new VerifyError(step, 'a hash is not lowercase hex of its length');
      }
      const ch = consensusHash(link.previous, link.ops_hash);
      if (ch !== known) throw new VerifyError(step, `its consensus hash is ${ch}, not ${known}`);
      heights.forEach((h, i) => {
        const had = proved.get(h);
        if (had !== undefined && had !== link.previous[i]) throw new VerifyError(step, `gives block ${h} another consensus hash`);
        proved.set(h, link.previous[i]);
      });
      links.set(link.height, link);
    }
    const ops = [];
    let newer;
    for (const block of bundle.blocks) {
      const step = `block ${block.height}`;
      if (newer !== undefined && block.height >= newer) throw new VerifyError(step, 'blocks are not in descending order');
      newer = block.height;
      if (block.height > bundle.anchor.height) throw new VerifyError(step, 'above the anchor');
      const link = links.get(block.height);
      if (!link) throw new VerifyError(step, 'no link proves its ops hash');
      const hash = opsHash(block.ops);
      if (hash !== link.ops_hash) throw new VerifyError(step, `its operations hash to ${hash}, not the proved ${link.ops_hash}`);
      if (block.name_ops.length === 0) throw new VerifyError(step, "names none of the name's operations");
      // The block's operations are all there (their hash is proved): every one on
      // the name must be among those the bundle gives with their transactions.
      let onName = 0;
      for (const s of block.ops) {
        let op;
        try { op = parseSerializedOp(s); } catch { continue; }
        if (NAME_OPCODES.has(op.opcode) && op.fields.length >= NAME_RECORD_FIELDS && op.fields[FIELD.name].text === bundle.name) onName++;
      }
      if (onName !== block.name_ops.length) {
        throw new VerifyError(step, `has ${onName} operation(s) on ${bundle.name}, the bundle gives ${block.name_ops.length}`);
      }
      for (const nameOp of block.name_ops) {
        const opStep = `${step} operation ${nameOp.txid}`;
        let found;
        for (const s of block.ops) {
          let op;
          try { op = parseSerializedOp(s); } catch { continue; }
          if (!NAME_OPCODES.has(op.opcode) || op.fields.length < NAME_RECORD_FIELDS) continue;
          if (op.fields[FIELD.name].text !== bundle.name || op.fields[FIELD.txid].text !== nameOp.txid) continue;
          found = op;
          break;
        }
        if (!found) throw new VerifyError(opStep, `not among the block's operations on ${bundle.name}`);
        const f = (k) => found.fields[FIELD[k]].text;
        if (!/^[0-9]+$/.test(f('vtxindex')) || Number(f('vtxindex')) !== nameOp.vtxindex) {
          throw new VerifyError(opStep, "its transaction index differs from the block's");
        }
        checkTransaction(nameOp, found.opcode, opStep);
        ops.push({
          height: block.height, vtxindex: nameOp.vtxindex, txid: nameOp.txid, opcode: found.opcode, op: f('op'),
          address: f('address'), value_hash: f('valueHash'), revoked: f('revoked') === 'True',
          first_registered: Number(f('firstRegistered')) || 0, last_renewed: Number(f('lastRenewed')) || 0,
          record: recordOfOp(found),
        });
      }
    }
    ops.sort((a, b) => (a.height - b.height) || (a.vtxindex - b.vtxindex));
    let nextAnchor = null;
    if (bundle.next_anchor) {
      const oldest = bundle.blocks.length ? bundle.blocks[bundle.blocks.length - 1].height : undefined;
      if (oldest === undefined || proved.get(oldest) !== bundle.next_anchor) {
        throw new VerifyError('next page', "its anchor is not the proved hash of this page's oldest block");
      }
      nextAnchor = bundle.next_anchor;
    }
    return { name: bundle.name, anchor_height: bundle.anchor.height, ops, consensus_hashes: proved, next_anchor: nextAnchor };
  }

  return {
    verifyHistory, verifyState, opsHash, consensusHash,
    // ops: all of a name's verified operations, oldest first.
    stateValueAfter: (ops) => toHex(stateValue(ops[ops.length - 1].record, ops.length)),
    previousHashHeights, stateKey: (n) => toHex(stateKey(n)),
  };
}
