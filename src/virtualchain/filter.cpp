#include <virtualchain/filter.h>

#include <algorithm>

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

namespace {

bool IsPublicKey(util::ByteView data) {
  return (data.size() == 33 && (data[0] == 0x02 || data[0] == 0x03)) || (data.size() == 65 && data[0] == 0x04);
}

// m and the keys of "OP_m <key>... OP_n OP_CHECKMULTISIG"; false for anything else.
bool ReadMultisig(util::ByteView script, InputSigners& out) {
  constexpr uint8_t OP_CHECKMULTISIG = 0xae;
  auto tokens = bitcoin::TokenizeScript(script);
  if (!tokens || tokens->size() < 4 || tokens->back().opcode != OP_CHECKMULTISIG) return false;
  const auto& t = *tokens;
  auto small = [](const bitcoin::ScriptToken& tok) -> int {
    return tok.opcode >= bitcoin::OP_1 && tok.opcode <= bitcoin::OP_16 ? tok.opcode - bitcoin::OP_1 + 1 : 0;
  };
  const int m = small(t.front());
  const int n = small(t[t.size() - 2]);
  if (m == 0 || n == 0 || m > n || static_cast<std::size_t>(n) != t.size() - 3) return false;
  out.keys.clear();
  for (std::size_t i = 1; i + 2 < t.size(); ++i) {
    if (!t[i].is_push || !IsPublicKey(t[i].data)) return false;
    out.keys.emplace_back(t[i].data.begin(), t[i].data.end());
  }
  out.num_required = m;
  return true;
}

util::Bytes P2shOf(util::ByteView redeem) { return bitcoin::MakeP2shScript(crypto::Hash160Of(redeem)); }

}  // namespace

std::optional<InputSigners> SignersOf(const bitcoin::TxIn& input) {
  auto tokens = bitcoin::TokenizeScript(input.script_sig);
  if (!tokens || tokens->empty()) return std::nullopt;
  for (const auto& t : *tokens) {
    if (!t.is_push) return std::nullopt;
  }
  const auto& t = *tokens;
  InputSigners out;
  if (input.witness.empty()) {
    // <sig> <pubkey>
    if (t.size() == 2 && IsPublicKey(t[1].data)) {
      out.keys.emplace_back(t[1].data.begin(), t[1].data.end());
      out.num_required = 1;
      out.spent_script = bitcoin::MakeP2pkhScript(crypto::Hash160Of(t[1].data));
      return out;
    }
    // OP_0 <sig>... <redeem script>
    if (t.size() >= 3 && t[0].opcode == bitcoin::OP_0 && ReadMultisig(t.back().data, out)) {
      out.spent_script = P2shOf(t.back().data);
      return out;
    }
    return std::nullopt;
  }
  // p2sh-wrapped segwit: the scriptSig pushes only the witness program.
  if (t.size() != 1) return std::nullopt;
  util::ByteView redeem = t[0].data;
  const auto& w = input.witness;
  out.segwit = true;
  out.spent_script = P2shOf(redeem);
  if (redeem.size() == 22 && redeem[0] == 0x00 && redeem[1] == 0x14) {
    const auto key_hash = crypto::Hash160Of(w.size() == 2 ? util::ByteView(w[1]) : util::ByteView());
    if (w.size() != 2 || !IsPublicKey(w[1]) || !std::equal(redeem.begin() + 2, redeem.end(), key_hash.begin())) {
      return std::nullopt;
    }
    out.keys.push_back(w[1]);
    out.num_required = 1;
    return out;
  }
  if (redeem.size() == 34 && redeem[0] == 0x00 && redeem[1] == 0x20) {
    if (w.size() < 3 || !w.front().empty() || !ReadMultisig(w.back(), out)) return std::nullopt;
    if (!std::equal(redeem.begin() + 2, redeem.end(), crypto::Sha256(w.back()).begin())) return std::nullopt;
    return out;
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
