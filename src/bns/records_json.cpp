#include <bns/records_json.h>

#include <cstdio>

#include <util/json_text.h>

namespace blockstack::bns {

using nlohmann::json;

namespace {

json OptJson(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }

// Field readers that turn a missing or mistyped field into an error.
struct Reader {
  explicit Reader(const json& in) : j(in) {}
  const json& j;
  bool ok = true;
  std::string bad;

  const json* Get(const char* key) {
    auto it = j.find(key);
    if (it == j.end()) {
      ok = false;
      bad = key;
      return nullptr;
    }
    return &*it;
  }
  std::string Str(const char* key) {
    const json* v = Get(key);
    if (!v || !v->is_string()) return Fail(key), std::string();
    return v->get<std::string>();
  }
  std::optional<std::string> OptStr(const char* key) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return std::nullopt;
    if (!it->is_string()) return Fail(key), std::nullopt;
    return it->get<std::string>();
  }
  uint32_t U32(const char* key) {
    const json* v = Get(key);
    if (!v || !v->is_number_unsigned() || v->get<uint64_t>() > 0xffffffffULL) return Fail(key), 0;
    return v->get<uint32_t>();
  }
  int64_t I64(const char* key) {
    const json* v = Get(key);
    if (!v || !v->is_number_integer()) return Fail(key), 0;
    return v->get<int64_t>();
  }
  bool Bool(const char* key) {
    const json* v = Get(key);
    if (!v || !v->is_boolean()) return Fail(key), false;
    return v->get<bool>();
  }
  void Fail(const char* key) {
    ok = false;
    bad = key;
  }
  util::Status Done(const char* what) const {
    if (ok) return util::Ok();
    return util::Fail(util::ErrorCode::Corruption, std::string(what) + " record: bad or missing field '" + bad + "'");
  }
};

}  // namespace


json ToJson(const NameRecord& r) {
  json j;
  j["name"] = r.name;
  j["namespace_id"] = r.namespace_id;
  j["preorder_hash"] = r.preorder_hash;
  j["name_hash128"] = r.name_hash128;
  j["namespace_block_number"] = r.namespace_block_number;
  j["value_hash"] = OptJson(r.value_hash);
  j["sender"] = r.sender;
  j["sender_pubkey"] = OptJson(r.sender_pubkey);
  j["address"] = r.address;
  j["block_number"] = r.block_number;
  j["preorder_block_number"] = r.preorder_block_number;
  j["first_registered"] = r.first_registered;
  j["last_renewed"] = r.last_renewed;
  j["revoked"] = r.revoked;
  j["op"] = r.op;
  j["txid"] = r.txid;
  j["vtxindex"] = r.vtxindex;
  if (std::holds_alternative<double>(r.op_fee)) {
    j["op_fee"] = std::get<double>(r.op_fee);
  } else {
    j["op_fee"] = std::get<int64_t>(r.op_fee);
  }
  j["importer"] = OptJson(r.importer);
  j["importer_address"] = OptJson(r.importer_address);
  j["consensus_hash"] = OptJson(r.consensus_hash);
  j["token_fee"] = r.token_fee;
  j["last_creation_op"] = r.last_creation_op;
  return j;
}

namespace {

// Floats go through nlohmann itself, whose shortest round-trip form is the stored
// one; integers are plain.
std::string FeeText(const OpFee& fee) {
  if (std::holds_alternative<double>(fee)) return json(std::get<double>(fee)).dump();
  return std::to_string(std::get<int64_t>(fee));
}

}  // namespace

std::string NameRecordJsonText(const NameRecord& r) {
  util::JsonText t(640);
  t.Key("address").String(r.address);
  t.Key("block_number").Number(r.block_number);
  t.Key("consensus_hash").Optional(r.consensus_hash);
  t.Key("first_registered").Number(r.first_registered);
  t.Key("importer").Optional(r.importer);
  t.Key("importer_address").Optional(r.importer_address);
  t.Key("last_creation_op").String(r.last_creation_op);
  t.Key("last_renewed").Number(r.last_renewed);
  t.Key("name").String(r.name);
  t.Key("name_hash128").String(r.name_hash128);
  t.Key("namespace_block_number").Number(r.namespace_block_number);
  t.Key("namespace_id").String(r.namespace_id);
  t.Key("op").String(r.op);
  t.Key("op_fee").Raw(FeeText(r.op_fee));
  t.Key("preorder_block_number").Number(r.preorder_block_number);
  t.Key("preorder_hash").String(r.preorder_hash);
  t.Key("revoked").Bool(r.revoked);
  t.Key("sender").String(r.sender);
  t.Key("sender_pubkey").Optional(r.sender_pubkey);
  t.Key("token_fee").String(r.token_fee);
  t.Key("txid").String(r.txid);
  t.Key("value_hash").Optional(r.value_hash);
  t.Key("vtxindex").Number(r.vtxindex);
  return std::move(t).Finish();
}

json ToJson(const NamespaceRecord& r) {
  json j;
  j["namespace_id"] = r.namespace_id;
  j["preorder_hash"] = r.preorder_hash;
  j["version"] = r.version;
  j["sender"] = r.sender;
  j["sender_pubkey"] = OptJson(r.sender_pubkey);
  j["address"] = r.address;
  j["recipient"] = r.recipient;
  j["recipient_address"] = r.recipient_address;
  j["block_number"] = r.block_number;
  j["reveal_block"] = r.reveal_block;
  j["ready_block"] = r.ready_block;
  j["op"] = r.op;
  j["op_fee"] = r.op_fee;
  j["txid"] = r.txid;
  j["vtxindex"] = r.vtxindex;
  j["lifetime"] = r.lifetime;
  j["coeff"] = r.coeff;
  j["base"] = r.base;
  j["buckets"] = std::vector<int>(r.buckets.begin(), r.buckets.end());
  j["nonalpha_discount"] = r.nonalpha_discount;
  j["no_vowel_discount"] = r.no_vowel_discount;
  j["token_fee"] = r.token_fee;
  j["import_key"] = OptJson(r.import_key);
  return j;
}

json ToJson(const PreorderRecord& r) {
  json j;
  j["preorder_hash"] = r.preorder_hash;
  j["consensus_hash"] = r.consensus_hash;
  j["sender"] = r.sender;
  j["sender_pubkey"] = OptJson(r.sender_pubkey);
  j["address"] = r.address;
  j["block_number"] = r.block_number;
  j["op"] = r.op;
  j["op_fee"] = r.op_fee;
  j["txid"] = r.txid;
  j["vtxindex"] = r.vtxindex;
  j["burn_address"] = r.burn_address;
  j["token_fee"] = r.token_fee;
  j["token_units"] = r.token_units;
  return j;
}

std::string PreorderRecordJsonText(const PreorderRecord& r) {
  util::JsonText t(512);
  t.Key("address").String(r.address);
  t.Key("block_number").Number(r.block_number);
  t.Key("burn_address").String(r.burn_address);
  t.Key("consensus_hash").String(r.consensus_hash);
  t.Key("op").String(r.op);
  t.Key("op_fee").Signed(r.op_fee);
  t.Key("preorder_hash").String(r.preorder_hash);
  t.Key("sender").String(r.sender);
  t.Key("sender_pubkey").Optional(r.sender_pubkey);
  t.Key("token_fee").String(r.token_fee);
  t.Key("token_units").String(r.token_units);
  t.Key("txid").String(r.txid);
  t.Key("vtxindex").Number(r.vtxindex);
  return std::move(t).Finish();
}

util::Result<NameRecord> NameRecordFromJson(const json& j) {
  if (!j.is_object()) return util::Fail(util::ErrorCode::Corruption, "name record is not an object");
  Reader r(j);
  NameRecord n;
  n.name = r.Str("name");
  n.namespace_id = r.Str("namespace_id");
  n.preorder_hash = r.Str("preorder_hash");
  n.name_hash128 = r.Str("name_hash128");
  n.namespace_block_number = r.U32("namespace_block_number");
  n.value_hash = r.OptStr("value_hash");
  n.sender = r.Str("sender");
  n.sender_pubkey = r.OptStr("sender_pubkey");
  n.address = r.Str("address");
  n.block_number = r.U32("block_number");
  n.preorder_block_number = r.U32("preorder_block_number");
  n.first_registered = r.U32("first_registered");
  n.last_renewed = r.U32("last_renewed");
  n.revoked = r.Bool("revoked");
  n.op = r.Str("op");
  n.txid = r.Str("txid");
  n.vtxindex = r.U32("vtxindex");
  const json* fee = r.Get("op_fee");
  if (fee && fee->is_number_float()) n.op_fee = fee->get<double>();
  else if (fee && fee->is_number_integer()) n.op_fee = fee->get<int64_t>();
  else r.Fail("op_fee");
  n.importer = r.OptStr("importer");
  n.importer_address = r.OptStr("importer_address");
  n.consensus_hash = r.OptStr("consensus_hash");
  n.token_fee = r.Str("token_fee");
  n.last_creation_op = r.Str("last_creation_op");
  BS_CHECK_OK(r.Done("name"));
  return n;
}

util::Result<NamespaceRecord> NamespaceRecordFromJson(const json& j) {
  if (!j.is_object()) return util::Fail(util::ErrorCode::Corruption, "namespace record is not an object");
  Reader r(j);
  NamespaceRecord n;
  n.namespace_id = r.Str("namespace_id");
  n.preorder_hash = r.Str("preorder_hash");
  n.version = static_cast<int>(r.I64("version"));
  n.sender = r.Str("sender");
  n.sender_pubkey = r.OptStr("sender_pubkey");
  n.address = r.Str("address");
  n.recipient = r.Str("recipient");
  n.recipient_address = r.Str("recipient_address");
  n.block_number = r.U32("block_number");
  n.reveal_block = r.U32("reveal_block");
  n.ready_block = r.U32("ready_block");
  n.op = r.Str("op");
  n.op_fee = r.I64("op_fee");
  n.txid = r.Str("txid");
  n.vtxindex = r.U32("vtxindex");
  n.lifetime = r.U32("lifetime");
  n.coeff = r.U32("coeff");
  n.base = r.U32("base");
  const json* b = r.Get("buckets");
  if (b && b->is_array() && b->size() == 16) {
    for (std::size_t i = 0; i < 16; ++i) {
      if (!(*b)[i].is_number_unsigned() || (*b)[i].get<uint64_t>() > 15) r.Fail("buckets");
      else n.buckets[i] = (*b)[i].get<uint8_t>();
    }
  } else {
    r.Fail("buckets");
  }
  n.nonalpha_discount = r.U32("nonalpha_discount");
  n.no_vowel_discount = r.U32("no_vowel_discount");
  n.token_fee = r.Str("token_fee");
  n.import_key = r.OptStr("import_key");
  BS_CHECK_OK(r.Done("namespace"));
  return n;
}

util::Result<PreorderRecord> PreorderRecordFromJson(const json& j) {
  if (!j.is_object()) return util::Fail(util::ErrorCode::Corruption, "preorder record is not an object");
  Reader r(j);
  PreorderRecord p;
  p.preorder_hash = r.Str("preorder_hash");
  p.consensus_hash = r.Str("consensus_hash");
  p.sender = r.Str("sender");
  p.sender_pubkey = r.OptStr("sender_pubkey");
  p.address = r.Str("address");
  p.block_number = r.U32("block_number");
  p.op = r.Str("op");
  p.op_fee = r.I64("op_fee");
  p.txid = r.Str("txid");
  p.vtxindex = r.U32("vtxindex");
  p.burn_address = r.Str("burn_address");
  p.token_fee = r.Str("token_fee");
  p.token_units = r.Str("token_units");
  BS_CHECK_OK(r.Done("preorder"));
  return p;
}

}  // namespace blockstack::bns
