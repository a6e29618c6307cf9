#include <proofs/bundle.h>

#include <algorithm>
#include <charconv>

#include <nlohmann/json.hpp>

#include <crypto/hash.h>
#include <util/base64.h>
#include <virtualchain/consensus.h>

namespace blockstack::proofs {

using nlohmann::json;
using util::ErrorCode;
using util::Fail;

namespace {

constexpr std::size_t CONSENSUS_HEX = 32;
constexpr std::size_t HASH_HEX = 64;
constexpr std::size_t MAX_NAME = 255;
constexpr std::size_t MAX_OP_TEXT = 1 << 16;
constexpr std::size_t MAX_RAW_TX_HEX = 2 << 20;

util::Unexpected Bad(const std::string& what) { return Fail(ErrorCode::InvalidArgument, what); }

bool IsLowerHexOf(const std::string& s, std::size_t size) { return s.size() == size && util::IsLowerHex(s, size); }

// Field readers over a JSON object that may be anything.
class Fields {
 public:
  Fields(const json& obj, std::string where) : m_obj(obj), m_where(std::move(where)) {}
  util::Result<const json*> Get(const char* key, json::value_t type) const {
    if (!m_obj.is_object()) return Bad(m_where + " is not an object");
    auto it = m_obj.find(key);
    if (it == m_obj.end()) return Bad(m_where + ": no " + key);
    const bool ok = type == json::value_t::number_unsigned ? it->is_number_unsigned() : it->type() == type;
    if (!ok) return Bad(m_where + ": " + key + " has the wrong type");
    return &*it;
  }
  util::Result<uint32_t> U32(const char* key) const {
    BS_TRY(const json* v, Get(key, json::value_t::number_unsigned));
    const auto n = v->get<uint64_t>();
    if (n > UINT32_MAX) return Bad(m_where + ": " + key + " is out of range");
    return static_cast<uint32_t>(n);
  }
  util::Result<std::string> Str(const char* key, std::size_t max) const {
    BS_TRY(const json* v, Get(key, json::value_t::string));
    const auto& s = v->get_ref<const std::string&>();
    if (s.size() > max) return Bad(m_where + ": " + key + " is too long");
    return s;
  }
  util::Result<std::string> Hex(const char* key, std::size_t size) const {
    BS_TRY(auto s, Str(key, size));
    if (!IsLowerHexOf(s, size))
      return Bad(m_where + ": " + key + " is not " + std::to_string(size) + " lowercase hex digits");
    return s;
  }
  util::Result<const json*> Array(const char* key, std::size_t max) const {
    BS_TRY(const json* v, Get(key, json::value_t::array));
    if (v->size() > max) return Bad(m_where + ": " + key + " has too many entries");
    return v;
  }
  const std::string& Where() const { return m_where; }

 private:
  const json& m_obj;
  std::string m_where;
};

util::Result<json> ParseObject(std::string_view text, const char* what) {
  if (text.size() > MAX_BUNDLE_BYTES) return Bad(std::string(what) + " is too large");
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return Bad(std::string(what) + " is not a JSON object");
  return doc;
}

util::Status CheckVersion(const Fields& f) {
  BS_TRY(uint32_t v, f.U32("version"));
  if (v != BUNDLE_VERSION)
    return Bad(f.Where() + ": version " + std::to_string(v) + " is not " + std::to_string(BUNDLE_VERSION));
  return util::Ok();
}

json ProofJson(const StateProof& proof) {
  json siblings = json::array();
  for (const auto& s : proof.siblings) siblings.push_back(s.Hex());
  json leaf = nullptr;
  if (proof.leaf) leaf = {{"key", proof.leaf->key.Hex()}, {"value", proof.leaf->value.Hex()}};
  return {{"siblings", std::move(siblings)}, {"leaf", std::move(leaf)}};
}

util::Result<Hash256> HashField(const Fields& f, const char* key) {
  BS_TRY(auto hex, f.Hex(key, HASH_HEX));
  return Hash256::FromHex(hex);
}

util::Result<StateProof> ParseProof(const json& j) {
  Fields f(j, "proof");
  StateProof proof;
  BS_TRY(const json* siblings, f.Array("siblings", 256));
  for (const auto& s : *siblings) {
    if (!s.is_string() || !IsLowerHexOf(s.get_ref<const std::string&>(), HASH_HEX)) {
      return Bad("proof: a sibling is not 64 lowercase hex digits");
    }
    BS_TRY(auto h, Hash256::FromHex(s.get_ref<const std::string&>()));
    proof.siblings.push_back(h);
  }
  if (!j.contains("leaf")) return Bad("proof: no leaf");
  const json& leaf = j["leaf"];
  if (!leaf.is_null()) {
    Fields lf(leaf, "proof leaf");
    BS_TRY(auto key, HashField(lf, "key"));
    BS_TRY(auto value, HashField(lf, "value"));
    proof.leaf = StateProof::Leaf{key, value};
  }
  return proof;
}

}  // namespace

util::Result<SerializedOp> ParseSerializedOp(std::string_view text) {
  if (text.size() < 2 || text[1] != ':') return Bad("operation serialisation: no \"<op>:\" at its start");
  SerializedOp op;
  op.opcode = text[0];
  // Fields "len:value" separated by commas (a value may hold either).
  std::size_t at = 2;
  while (at < text.size()) {
    if (!op.fields.empty()) {
      if (text[at] != ',') return Bad("operation serialisation: a field is not followed by a comma");
      ++at;
    }
    const std::size_t colon = text.find(':', at);
    if (colon == std::string_view::npos || colon == at || colon - at > 7) {
      return Bad("operation serialisation: a field without a length");
    }
    std::size_t len = 0;
    auto [end, ec] = std::from_chars(text.data() + at, text.data() + colon, len);
    if (ec != std::errc() || end != text.data() + colon)
      return Bad("operation serialisation: a length is not a number");
    if (len > text.size() - colon - 1) return Bad("operation serialisation: a field runs past its text");
    op.fields.push_back(text.substr(colon + 1, len));
    at = colon + 1 + len;
  }
  return op;
}

std::vector<uint32_t> LinkPath(uint32_t from, uint32_t to, uint32_t first_block) {
  std::vector<uint32_t> path;
  uint32_t at = from;
  while (at > to) {
    uint32_t next = at - 1;
    for (uint32_t h : virtualchain::PreviousHashHeights(at, first_block)) {
      if (h >= to) next = std::min(next, h);
    }
    at = next;
    path.push_back(at);
  }
  return path;
}

bool IsNameOpcode(char opcode) {
  return opcode == ':' || opcode == '+' || opcode == '>' || opcode == '~' || opcode == ';';
}

util::Result<OpRecord> RecordOfOp(std::string_view text) {
  BS_TRY(auto op, ParseSerializedOp(text));
  if (!IsNameOpcode(op.opcode) || op.fields.size() < NAME_RECORD_FIELDS) {
    return Bad("operation serialisation: not a name operation");
  }
  // The record's text: from after "<op>:" to the end of its 16th field.
  const std::string_view last = op.fields[NAME_RECORD_FIELDS - 1];
  const std::size_t end = static_cast<std::size_t>(last.data() - text.data()) + last.size();
  return OpRecord{op.fields[FIELD_NAME], text.substr(2, end - 2)};
}

Hash256 StateValue(std::string_view record, uint64_t operations) {
  const std::string count = std::to_string(operations);
  const std::string tail = "," + std::to_string(count.size()) + ":" + count;
  crypto::Sha256Hasher h;
  h.Update(util::AsBytes(record)).Update(util::AsBytes(tail));
  return h.Finish();
}

namespace {

json HistoryJson(const HistoryBundle& b) {
  json blocks = json::array();
  for (const auto& block : b.blocks) {
    json name_ops = json::array();
    for (const auto& op : block.name_ops) {
      name_ops.push_back({{"txid", op.txid}, {"vtxindex", op.vtxindex}, {"raw_tx", op.raw_tx}});
    }
    blocks.push_back({{"height", block.height}, {"ops", block.ops}, {"name_ops", std::move(name_ops)}});
  }
  json links = json::array();
  for (const auto& l : b.links)
    links.push_back({{"height", l.height}, {"ops_hash", l.ops_hash}, {"previous", l.previous}});
  return {{"version", BUNDLE_VERSION},
          {"name", b.name},
          {"anchor", {{"height", b.anchor_height}, {"consensus_hash", b.anchor_consensus_hash}}},
          {"first_block", b.first_block},
          {"blocks", std::move(blocks)},
          {"links", std::move(links)},
          {"next_anchor", b.next_anchor ? json(*b.next_anchor) : json(nullptr)}};
}

// Serialisations are ASCII as the rules make them; anything else is written
// replaced (its hash then fails), never thrown.
std::string Dump(const json& doc) { return doc.dump(-1, ' ', false, json::error_handler_t::replace); }

util::Result<HistoryBundle> ParseHistory(const json& doc);

}  // namespace

std::string ToJson(const HistoryBundle& b) { return Dump(HistoryJson(b)); }

util::Result<HistoryBundle> ParseHistoryBundle(std::string_view text) {
  BS_TRY(json doc, ParseObject(text, "history bundle"));
  return ParseHistory(doc);
}

namespace {

util::Result<HistoryBundle> ParseHistory(const json& doc) {
  Fields f(doc, "history bundle");
  BS_CHECK_OK(CheckVersion(f));
  HistoryBundle b;
  BS_TRY(b.name, f.Str("name", MAX_NAME));
  BS_TRY(const json* anchor, f.Get("anchor", json::value_t::object));
  Fields af(*anchor, "history bundle anchor");
  BS_TRY(b.anchor_height, af.U32("height"));
  BS_TRY(b.anchor_consensus_hash, af.Hex("consensus_hash", CONSENSUS_HEX));
  BS_TRY(b.first_block, f.U32("first_block"));
  BS_TRY(const json* blocks, f.Array("blocks", MAX_BUNDLE_BLOCKS));
  for (const auto& jb : *blocks) {
    Fields bf(jb, "history bundle block");
    BlockOps block;
    BS_TRY(block.height, bf.U32("height"));
    BS_TRY(const json* ops, bf.Array("ops", MAX_OPS_PER_BLOCK));
    for (const auto& op : *ops) {
      if (!op.is_string() || op.get_ref<const std::string&>().size() > MAX_OP_TEXT) {
        return Bad("history bundle block " + std::to_string(block.height) + ": an operation is not a string");
      }
      block.ops.push_back(op.get<std::string>());
    }
    BS_TRY(const json* name_ops, bf.Array("name_ops", MAX_OPS_PER_BLOCK));
    for (const auto& jo : *name_ops) {
      Fields of(jo, "history bundle block " + std::to_string(block.height) + " name operation");
      NameOp op;
      BS_TRY(op.txid, of.Hex("txid", HASH_HEX));
      BS_TRY(op.vtxindex, of.U32("vtxindex"));
      BS_TRY(op.raw_tx, of.Str("raw_tx", MAX_RAW_TX_HEX));
      if (op.raw_tx.size() % 2 != 0 || !util::IsLowerHex(op.raw_tx, op.raw_tx.size())) {
        return Bad(of.Where() + ": raw_tx is not lowercase hex");
      }
      block.name_ops.push_back(std::move(op));
    }
    b.blocks.push_back(std::move(block));
  }
  BS_TRY(const json* links, f.Array("links", MAX_BUNDLE_LINKS));
  for (const auto& jl : *links) {
    Fields lf(jl, "history bundle link");
    Link link;
    BS_TRY(link.height, lf.U32("height"));
    BS_TRY(link.ops_hash, lf.Hex("ops_hash", HASH_HEX));
    BS_TRY(const json* prev, lf.Array("previous", 32));
    for (const auto& p : *prev) {
      if (!p.is_string() || !IsLowerHexOf(p.get_ref<const std::string&>(), CONSENSUS_HEX)) {
        return Bad("history bundle link " + std::to_string(link.height) +
                   ": a previous hash is not 32 lowercase hex digits");
      }
      link.previous.push_back(p.get<std::string>());
    }
    b.links.push_back(std::move(link));
  }
  if (doc.contains("next_anchor") && !doc["next_anchor"].is_null()) {
    BS_TRY(auto next, f.Hex("next_anchor", CONSENSUS_HEX));
    b.next_anchor = std::move(next);
  }
  return b;
}

json CarrierJson(const Carrier& c) {
  json zonefiles = json::object();
  for (const auto& [hash, text] : c.zonefiles) {
    zonefiles[hash] = text ? json(util::EncodeBase64(util::AsBytes(*text))) : json(nullptr);
  }
  return {{"history", HistoryJson(c.history)}, {"zonefiles", std::move(zonefiles)}};
}

util::Result<Carrier> ParseCarrier(const json& doc, const std::string& where) {
  Fields f(doc, where);
  Carrier c;
  BS_TRY(const json* history, f.Get("history", json::value_t::object));
  BS_TRY(c.history, ParseHistory(*history));
  BS_TRY(const json* zonefiles, f.Get("zonefiles", json::value_t::object));
  if (zonefiles->size() > MAX_BUNDLE_ZONEFILES) return Bad(where + ": too many zone files");
  for (const auto& [hash, text] : zonefiles->items()) {
    if (!IsLowerHexOf(hash, 40)) return Bad(where + ": a zone file's hash is not 40 lowercase hex digits");
    if (text.is_null()) {
      c.zonefiles[hash] = std::nullopt;
      continue;
    }
    if (!text.is_string()) return Bad(where + ": zone file " + hash + " is not a string");
    auto bytes = util::DecodeBase64(text.get_ref<const std::string&>());
    if (!bytes) return Bad(where + ": zone file " + hash + " is not base64");
    c.zonefiles[hash] = std::string(bytes->begin(), bytes->end());
  }
  return c;
}

}  // namespace

std::string ToJson(const SubdomainBundle& b) {
  json others = json::array();
  for (const auto& c : b.others) others.push_back(CarrierJson(c));
  return Dump({{"version", BUNDLE_VERSION},
               {"subdomain", b.subdomain},
               {"first_block", b.first_block},
               {"domain", CarrierJson(b.domain)},
               {"others", std::move(others)},
               {"next_anchor", b.domain.history.next_anchor ? json(*b.domain.history.next_anchor) : json(nullptr)}});
}

util::Result<SubdomainBundle> ParseSubdomainBundle(std::string_view text) {
  BS_TRY(json doc, ParseObject(text, "subdomain bundle"));
  Fields f(doc, "subdomain bundle");
  BS_CHECK_OK(CheckVersion(f));
  SubdomainBundle b;
  BS_TRY(b.subdomain, f.Str("subdomain", MAX_NAME));
  BS_TRY(b.first_block, f.U32("first_block"));
  BS_TRY(const json* domain, f.Get("domain", json::value_t::object));
  BS_TRY(b.domain, ParseCarrier(*domain, "subdomain bundle domain"));
  BS_TRY(const json* others, f.Array("others", 64));
  for (const auto& o : *others) {
    BS_TRY(auto c, ParseCarrier(o, "subdomain bundle carrier"));
    b.others.push_back(std::move(c));
  }
  return b;
}

namespace {

// What a root and a state proof both carry: the block and the root at it.
json RootJson(uint32_t height, const std::string& consensus_hash, const Hash256& root) {
  return {{"version", BUNDLE_VERSION}, {"height", height}, {"consensus_hash", consensus_hash}, {"root", root.Hex()}};
}

util::Result<RootAnswer> ParseRootFields(const json& doc, const char* what) {
  Fields f(doc, what);
  BS_CHECK_OK(CheckVersion(f));
  RootAnswer a;
  BS_TRY(a.height, f.U32("height"));
  BS_TRY(a.consensus_hash, f.Hex("consensus_hash", CONSENSUS_HEX));
  BS_TRY(a.root, HashField(f, "root"));
  return a;
}

}  // namespace

std::string ToJson(const StateAnswer& a) {
  json doc = RootJson(a.height, a.consensus_hash, a.root);
  doc["name"] = a.name;
  doc["key"] = StateKey(a.name).Hex();
  doc["proof"] = ProofJson(a.proof);
  return doc.dump(-1, ' ', false, json::error_handler_t::replace);
}

util::Result<StateAnswer> ParseStateAnswer(std::string_view text) {
  BS_TRY(json doc, ParseObject(text, "state proof"));
  BS_TRY(RootAnswer at, ParseRootFields(doc, "state proof"));
  Fields f(doc, "state proof");
  StateAnswer a{"", at.height, std::move(at.consensus_hash), at.root, {}};
  BS_TRY(a.name, f.Str("name", MAX_NAME));
  BS_TRY(const json* proof, f.Get("proof", json::value_t::object));
  BS_TRY(a.proof, ParseProof(*proof));
  return a;
}

std::string ToJson(const RootAnswer& a) { return RootJson(a.height, a.consensus_hash, a.root).dump(); }

util::Result<RootAnswer> ParseRootAnswer(std::string_view text) {
  BS_TRY(json doc, ParseObject(text, "state root"));
  return ParseRootFields(doc, "state root");
}

}  // namespace blockstack::proofs
