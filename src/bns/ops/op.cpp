#include <bns/ops/op.h>

#include <array>

#include <nlohmann/json.hpp>

#include <bitcoin/address.h>
#include <bns/lifecycle.h>
#include <bns/records_codec.h>
#include <bns/records_json.h>

namespace blockstack::bns::ops {

const char* OpcodeNameOf(std::string_view op) {
  if (op.empty()) return "";
  switch (op.front()) {
    case NAME_PREORDER:
      return "NAME_PREORDER";
    case NAME_REGISTRATION:
      return "NAME_REGISTRATION";
    case NAME_UPDATE:
      return "NAME_UPDATE";
    case NAME_TRANSFER:
      return "NAME_TRANSFER";
    case NAME_REVOKE:
      return "NAME_REVOKE";
    case NAME_IMPORT:
      return "NAME_IMPORT";
    case NAMESPACE_PREORDER:
      return "NAMESPACE_PREORDER";
    case NAMESPACE_REVEAL:
      return "NAMESPACE_REVEAL";
    case NAMESPACE_READY:
      return "NAMESPACE_READY";
    case ANNOUNCE:
      return "ANNOUNCE";
    case TOKEN_TRANSFER:
      return "TOKEN_TRANSFER";
    default:
      return "";
  }
}

using nlohmann::json;

std::string Rules::BurnAddress() const {
  // Encoded once per network: every preorder's check asks for it.
  using bitcoin::Network;
  static const std::array<std::string, 3> by_network = [] {
    std::array<std::string, 3> out;
    for (Network n : {Network::Mainnet, Network::Testnet, Network::Regtest}) {
      out[static_cast<std::size_t>(n)] = bitcoin::AddressFromHash160(util::Hash160{}, bitcoin::Params(n).p2pkh_version);
    }
    return out;
  }();
  return by_network[static_cast<std::size_t>(network)];
}

std::string Hex(util::ByteView b) { return util::ToHex(b); }

std::optional<std::string> OutputAddress(const OpTx& tx, std::size_t i, const Rules& rules) {
  if (i >= tx.outputs.size()) return std::nullopt;
  return bitcoin::AddressFromScript(tx.outputs[i].script_pubkey, rules.Net());
}

bool OutputsTypeChecked(const OpTx& tx, std::size_t n) {
  if (tx.outputs.size() < n) return false;
  for (std::size_t i = 0; i < n; ++i) {
    auto t = bitcoin::ClassifyScript(tx.outputs[i].script_pubkey);
    if (t != bitcoin::ScriptType::NullData && t != bitcoin::ScriptType::P2pkh && t != bitcoin::ScriptType::P2sh) {
      return false;
    }
  }
  return true;
}

util::Result<bool> ConsensusHashInWindow(StateView& state, std::string_view ch, uint32_t height) {
  // The hash's newest block at or below `height` is in the window exactly when
  // one of the window's blocks has it: they are looked up by height (the writer
  // keeps recent hashes in memory), not by hash.
  const uint32_t oldest = height > CONSENSUS_HASH_WINDOW ? height - CONSENSUS_HASH_WINDOW : 0;
  for (uint64_t b = uint64_t{height} + 1; b-- > oldest;) {
    BS_TRY(auto at, state.ConsensusHashAt(static_cast<uint32_t>(b)));
    if (at && *at == ch) return true;
  }
  return false;
}

util::Result<std::optional<LoadedName>> LoadName(StateView& state, std::string_view fqn) {
  BS_TRY(auto rec, state.GetName(fqn));
  if (!rec) return std::optional<LoadedName>{};
  BS_TRY(auto ns, state.GetNamespace(rec->namespace_id));
  if (!ns) return std::optional<LoadedName>{};
  return std::optional<LoadedName>(LoadedName{std::move(*rec), std::move(*ns)});
}

util::Result<std::vector<std::string>> LiveNameListOwnedBy(StateView& state, std::string_view script, uint32_t h,
                                                           const Rules& rules, bool unrevoked_only) {
  BS_TRY(auto summaries, state.NameSummariesOwnedBy(script));
  std::vector<std::string> out;
  // An owner's names are nearly always in one namespace: look each up once.
  std::optional<NamespaceRecord> ns;
  for (const auto& s : *summaries) {
    if (unrevoked_only && s.revoked) continue;
    if (!ns || ns->namespace_id != s.namespace_id) {
      BS_TRY(ns, state.GetNamespace(s.namespace_id));
      if (!ns) continue;
    }
    if (StatusAt(s.first_registered, s.last_renewed, *ns, h, rules.epochs, rules.namespace_reveal_expire).live) {
      out.push_back(s.name);
    }
  }
  return out;
}

util::Result<uint32_t> NamesOwnedCount(StateView& state, const BlockContext& block, std::string_view script,
                                       uint32_t height, const Rules& rules) {
  BS_TRY(auto live, LiveNameListOwnedBy(state, script, height - 1, rules));
  uint32_t count = static_cast<uint32_t>(live.size());
  for (const auto& r : block.registration_recipients) {
    if (r == script) ++count;
  }
  return count;
}

HistoryEntry MakeHistory(const OpTx& tx, std::string id, std::string op, std::string opcode_name,
                         std::optional<std::string> value_hash, std::string data) {
  HistoryEntry h;
  h.history_id = std::move(id);
  h.op = std::move(op);
  h.opcode_name = std::move(opcode_name);
  h.value_hash = std::move(value_hash);
  h.block_height = tx.block_height;
  h.vtxindex = tx.vtxindex;
  h.txid = tx.txid;
  h.data = std::move(data);
  return h;
}

HistoryEntry PreorderHistory(const PreorderRecord& preorder, std::string id, std::string opcode_name) {
  HistoryEntry h;
  h.history_id = std::move(id);
  h.op = preorder.op;
  h.opcode_name = std::move(opcode_name);
  h.block_height = preorder.block_number;
  h.vtxindex = preorder.vtxindex;
  h.txid = preorder.txid;
  h.data = RecordData(preorder);
  return h;
}

PreorderRecord MakePreorder(const OpTx& tx, char opcode, std::string preorder_hash, std::string consensus_hash,
                            int64_t op_fee, std::string burn_address) {
  PreorderRecord rec;
  rec.preorder_hash = std::move(preorder_hash);
  rec.consensus_hash = std::move(consensus_hash);
  rec.sender = tx.sender;
  rec.sender_pubkey = tx.sender_pubkey;
  rec.address = tx.sender_address;
  rec.block_number = tx.block_height;
  rec.op = std::string(1, opcode);
  rec.op_fee = op_fee;
  rec.txid = tx.txid;
  rec.vtxindex = tx.vtxindex;
  rec.burn_address = std::move(burn_address);
  return rec;
}

std::string RecordData(const NameRecord& r) { return EncodeNameRecord(r); }
std::string RecordData(const NamespaceRecord& r) { return EncodeNamespaceRecord(r); }
std::string RecordData(const PreorderRecord& r) { return EncodePreorderRecord(r); }

}  // namespace blockstack::bns::ops
