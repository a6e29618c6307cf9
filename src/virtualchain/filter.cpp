#include <virtualchain/filter.h>

#include <bitcoin/address.h>
#include <crypto/hash.h>

namespace blockstack::virtualchain {

namespace {

constexpr std::string_view OPCODES = "?~:+>;*&!#$";

}  // namespace

std::optional<util::Bytes> BlockstackPayload(const bitcoin::Transaction& tx, std::string_view magic) {
  std::optional<util::ByteView> candidate;
  bool seen = false;
  for (const auto& out : tx.outputs) {
    if (out.script_pubkey.empty() || out.script_pubkey[0] != bitcoin::OP_RETURN) continue;
    // QUIRK: every OP_RETURN output re-decides; the last one wins.
    seen = true;
    candidate = bitcoin::OpReturnPayload(out.script_pubkey);
  }
  if (!seen || !candidate) return std::nullopt;
  const util::ByteView p = *candidate;
  if (p.size() < magic.size() + 1 || p.size() < 3) return std::nullopt;
  if (util::AsChars(p.first(magic.size())) != magic) return std::nullopt;
  char opcode = static_cast<char>(p[magic.size()]);
  if (OPCODES.find(opcode) == std::string_view::npos) return std::nullopt;
  return util::Bytes(p.begin() + static_cast<std::ptrdiff_t>(magic.size()), p.end());
}

std::optional<std::string> FindSenderPubkey(const bitcoin::Transaction& tx, const Sender& sender) {
  if (sender.type != bitcoin::ScriptType::P2pkh) return std::nullopt;
  auto want = bitcoin::ScriptHash160(sender.script_pubkey);
  if (!want) return std::nullopt;
  for (const auto& in : tx.inputs) {
    auto tokens = bitcoin::TokenizeScript(in.script_sig);
    if (!tokens || tokens->size() != 2 || !(*tokens)[0].is_push || !(*tokens)[1].is_push) continue;
    auto key = (*tokens)[1].data;
    if (crypto::Hash160Of(key) == *want) return util::ToHex(key);
  }
  return std::nullopt;
}

Sender SenderOf(util::Bytes script_pubkey, int64_t value, bitcoin::Network network) {
  Sender s;
  s.type = bitcoin::ClassifyScript(script_pubkey);
  s.address = bitcoin::AddressFromScript(script_pubkey, bitcoin::Params(network));
  s.script_pubkey = std::move(script_pubkey);
  s.value = value;
  return s;
}

bool CompleteFilteredTx(FilteredTx& f) {
  if (f.tx.inputs.empty() || f.senders.size() != f.tx.inputs.size()) return false;
  int64_t in_value = 0;
  for (const auto& s : f.senders) {
    // §1.2: every input's funder must be p2pkh or p2sh with one address.
    if (!s.address) return false;
    in_value += s.value;
  }
  int64_t out_value = 0;
  for (const auto& o : f.tx.outputs) out_value += o.value;
  f.fee = in_value - out_value;
  f.sender_pubkey = FindSenderPubkey(f.tx, f.senders[0]);
  return true;
}

}  // namespace blockstack::virtualchain
