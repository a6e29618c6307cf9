// NAME_IMPORT (spec bns.md §2.6).
#include <bns/ops/ops.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <tuple>

#include <bitcoin/address.h>
#include <bns/lifecycle.h>
#include <bns/names.h>
#include <crypto/bip32.h>

namespace blockstack::bns::ops {

std::vector<std::string> ImportKeyring(const crypto::PublicKey& reveal_key, uint32_t size,
                                       const bitcoin::NetworkParams& net) {
  std::vector<std::string> out;
  out.push_back(bitcoin::P2pkhAddress(reveal_key, net));
  out.push_back(bitcoin::P2pkhAddress(reveal_key.WithCompression(true), net));
  crypto::ExtendedPublicKey root{reveal_key.WithCompression(true), {}};
  for (uint32_t i = 0; i < size; ++i) {
    auto child = crypto::DerivePublicChild(root, i);
    if (child) out.push_back(bitcoin::P2pkhAddress(child->key, net));
  }
  return out;
}

bool KeyringMemo::Contains(const std::string& root_hex, uint32_t size, const bitcoin::NetworkParams& net,
                           const std::string& address) {
  std::tuple<std::string, uint32_t, std::string> key{root_hex, size, net.name};
  std::lock_guard lock(m_mutex);
  auto it = m_rings.find(key);
  if (it == m_rings.end()) {
    auto root = crypto::PublicKey::FromHex(root_hex);
    if (!root) return false;
    if (m_rings.size() >= 16) m_rings.clear();
    auto ring = ImportKeyring(*root, size, net);
    it = m_rings.emplace(std::move(key), std::set<std::string>(ring.begin(), ring.end())).first;
  }
  return it->second.contains(address);
}

namespace {

bool InImportKeyring(KeyringMemo* memo, const std::string& root_hex, uint32_t size, const bitcoin::NetworkParams& net,
                     const std::string& address) {
  if (memo) return memo->Contains(root_hex, size, net, address);
  KeyringMemo once;
  return once.Contains(root_hex, size, net, address);
}

}  // namespace

std::optional<ImportOp> ParseImport(const OpTx& tx, const Rules& rules) {
  std::string name(util::AsChars(tx.payload));
  if (!IsNameValid(name)) return std::nullopt;
  if (!OutputsTypeChecked(tx, 3)) return std::nullopt;
  auto recipient_address = OutputAddress(tx, 1, rules);
  if (!recipient_address) return std::nullopt;
  auto hash = bitcoin::ScriptHash160(tx.outputs[2].script_pubkey);
  auto type = bitcoin::ClassifyScript(tx.outputs[2].script_pubkey);
  if (!hash || (type != bitcoin::ScriptType::P2pkh && type != bitcoin::ScriptType::P2sh)) return std::nullopt;
  ImportOp op;
  op.name = name;
  op.recipient = Hex(tx.outputs[1].script_pubkey);
  op.recipient_address = *recipient_address;
  op.value_hash = hash->Hex();
  return op;
}

util::Result<Outcome> CheckImport(const ImportOp& op, const OpTx& tx, StateView& state, BlockContext& block,
                                  const Rules& rules) {
  const uint32_t h = tx.block_height;
  if (tx.sender_type != bitcoin::ScriptType::P2pkh || !tx.sender_pubkey) {
    return Outcome::Reject("the importer must be a p2pkh sender whose public key is in the transaction");
  }
  auto split = Split(op.name);
  BS_TRY(auto ns_opt, state.GetNamespace(split->namespace_id));
  if (!ns_opt) return Outcome::Reject("namespace " + split->namespace_id + " is not revealed");
  NamespaceRecord ns = *ns_opt;
  if (ns.IsReady()) return Outcome::Reject("namespace " + ns.namespace_id + " is ready: imports are closed");
  if (!(ns.reveal_block <= h - 1 && uint64_t{h - 1} < uint64_t{ns.reveal_block} + rules.namespace_reveal_expire)) {
    return Outcome::Reject("namespace reveal has expired");
  }
  // The keyring's root is the first importer's key. A later importer's key needs no
  // parsing: its address is in the keyring only if it hashes to a valid key there.
  bool first_import = !ns.import_key.has_value();
  std::string root_hex;
  if (first_import) {
    if (tx.sender_address != ns.recipient_address) {
      return Outcome::Reject("the first import must come from the namespace revealer " + ns.recipient_address);
    }
    auto sender_key = crypto::PublicKey::FromHex(*tx.sender_pubkey);
    if (!sender_key) return Outcome::Reject("importer public key is malformed");
    root_hex = sender_key->Hex();
  } else {
    root_hex = *ns.import_key;
  }
  if (!InImportKeyring(block.keyrings, root_hex, rules.import_keyring_size, rules.Net(), tx.sender_address)) {
    return Outcome::Reject("importer " + tx.sender_address + " is not in the namespace's import keyring");
  }

  BS_TRY(auto prev, state.GetName(op.name));
  auto script = util::FromHex(tx.sender).value_or(util::Bytes{});
  BS_TRY(util::Hash160 preorder_hash, HashName(op.name, script, op.recipient_address));
  NameRecord rec;
  rec.name = op.name;
  rec.namespace_id = ns.namespace_id;
  rec.preorder_hash = preorder_hash.Hex();
  rec.name_hash128 = NameHash128(op.name);
  rec.namespace_block_number = ns.block_number;
  rec.value_hash = op.value_hash;
  rec.sender = op.recipient;
  rec.sender_pubkey = tx.sender_pubkey;
  rec.address = op.recipient_address;
  rec.block_number = h;
  rec.preorder_block_number = h;
  rec.first_registered = h;
  rec.last_renewed = h;
  if (prev) {
    // A re-import keeps when the name first appeared.
    rec.preorder_hash = prev->preorder_hash;
    rec.block_number = prev->block_number;
    rec.preorder_block_number = prev->preorder_block_number;
    rec.first_registered = prev->first_registered;
    rec.last_renewed = prev->last_renewed;
  }
  rec.revoked = false;
  rec.op = std::string(1, NAME_IMPORT);
  rec.txid = tx.txid;
  rec.vtxindex = tx.vtxindex;
  Price price = PriceName(split->name, ns.Pricing(), rules.epochs.At(h));
  if (ns.version == NAMESPACE_VERSION_PAY_WITH_STACKS) {
    rec.op_fee = 0.0;
    rec.token_fee = price.int_value.ToDecimal();
  } else {
    rec.op_fee = price.AsDouble();  // QUIRK: a float, serialised as such
  }
  rec.importer = tx.sender;
  rec.importer_address = tx.sender_address;
  rec.last_creation_op = std::string(1, NAME_IMPORT);

  Effect e;
  auto values = NameRecordValues(rec);
  values.emplace_back(rec.sender);
  values.emplace_back(rec.address);
  e.serialized = virtualchain::SerializeOp(NAME_IMPORT, values);
  if (first_import) {
    ns.import_key = root_hex;
    e.ns = std::move(ns);
  }
  HistoryEntry hist = MakeHistory(tx, rec.name, rec.op, "NAME_IMPORT", rec.value_hash, RecordData(rec));
  hist.creator_address = rec.address;
  e.history.push_back(std::move(hist));
  e.name = std::move(rec);
  return Outcome::Accept(std::move(e));
}

util::Bytes BuildImport(std::string_view magic, std::string_view fqn) {
  return MakeOpData(magic, NAME_IMPORT, util::AsBytes(fqn));
}

}  // namespace blockstack::bns::ops
