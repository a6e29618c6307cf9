// What the chain says: consensus hashes, counts, a block's operations, a name's
// stored record (/v1/blockchains/bitcoin/...), the names an address owns
// (/v1/addresses/bitcoin/...) and the STACKS accounts (/v1/accounts/...).
#include <api/api.h>
#include <api/detail/answers.h>

#include <map>

#include <bitcoin/address.h>
#include <bns/names.h>
#include <bns/ops/op.h>
#include <bns/records_json.h>
#include <subdomain/index.h>
#include <subdomain/record.h>
#include <util/base64.h>
#include <util/bytes.h>
#include <util/json_text.h>
#include <virtualchain/consensus.h>
#include <zonefile/zonefile.h>

namespace blockstack::api {

using detail::Backend;
using detail::Error;
using detail::Ok;
using detail::ParseUint;
using nlohmann::json;

namespace {

bool IsBitcoin(const net::PathParams& p) { return p["chain"] == "bitcoin"; }

net::Response Unsupported() { return Error(404, "Unsupported blockchain"); }

}  // namespace

void Api::AddChainRoutes() {
  const std::string chain = "/v1/blockchains/{chain}";
  AddDb("GET", chain + "/consensus", "consensus", &Api::Consensus);
  AddDb("GET", chain + "/consensus/{height}", "consensus", &Api::Consensus);
  AddDb("GET", chain + "/consensus-block/{hash}", "consensus_block", &Api::ConsensusBlock);
  AddDb("GET", chain + "/name_count", "name_count", &Api::NameCount);
  AddPlain("GET", chain + "/subdomains_count", "subdomains_count", &Api::SubdomainsCount);
  AddDb("GET", chain + "/operations/{height}", "operations", &Api::Operations);
  AddDb("GET", "/v1/blocks/{height}", "block", &Api::Block);
  AddDb("GET", "/v1/blocks/hash/{hash}", "block", &Api::BlockByHash);
  AddDb("GET", chain + "/names/{name}", "name_record", &Api::NameRecord);
  AddDb("GET", chain + "/transactions/{txid}", "transaction", &Api::Transaction);
  AddDb("GET", chain + "/preorders/{hash}", "preorder", &Api::Preorder);
  AddPlain("GET", "/v1/subdomains/{txid}", "subdomains_of_tx", &Api::SubdomainsOfTransaction);
  AddDb("GET", "/v1/addresses/{chain}/{address}", "address_names", &Api::AddressNames);
  // STACKS accounts: without genesis data every account is absent (doc/bns.md).
  for (const char* tail : {"/tokens", "/{token}/balance", "/{token}/status", "/history", "/history/{page}"}) {
    AddPlain("GET", std::string("/v1/accounts/{address}") + tail, "accounts", &Api::Account);
  }
}

net::Response Api::Consensus(const net::Request&, const Params& p, bns::db::NameDb& db) {
  if (!IsBitcoin(p)) return Unsupported();
  uint32_t height = m_last_block;
  if (!p["height"].empty()) {
    auto parsed = ParseUint(p["height"]);
    if (!parsed) return Error(400, "Invalid block");
    height = *parsed;
  }
  auto ch = db.ConsensusHashAt(height);
  if (!ch) return Backend(ch.error());
  return Ok({{"consensus_hash", *ch ? json(**ch) : json(nullptr)}});
}

net::Response Api::ConsensusBlock(const net::Request&, const Params& p, bns::db::NameDb& db) {
  if (!IsBitcoin(p)) return Unsupported();
  auto height = db.HeightOfConsensusHash(p["hash"], m_last_block);
  if (!height) return Backend(height.error());
  if (!*height) return Error(404, "No block for this consensus hash");
  return Ok({{"block_height", **height}});
}

net::Response Api::NameCount(const net::Request& req, const Params& p, bns::db::NameDb& db) {
  if (!IsBitcoin(p)) return Unsupported();
  if (detail::Truthy(req.query, "all")) {
    auto count = db.NameRowCount();
    if (!count) return Backend(count.error());
    return Ok({{"names_count", *count}});
  }
  auto names = LiveNames(db, "");
  if (!names) return Backend(names.error());
  return Ok({{"names_count", (*names)->size()}});
}

net::Response Api::SubdomainsCount(const net::Request&, const Params& p) {
  if (!IsBitcoin(p)) return Unsupported();
  if (!m_subdomains) return Error(404, detail::NO_SUBDOMAIN_INDEX);
  auto count = m_subdomains->Count();
  if (!count) return Backend(count.error());
  return Ok({{"names_count", *count}});
}

net::Response Api::Operations(const net::Request&, const Params& p, bns::db::NameDb& db) {
  if (!IsBitcoin(p)) return Unsupported();
  auto height = ParseUint(p["height"]);
  if (!height) return Error(400, "Invalid block");
  // As the original: the preorders of the block still pending, then every record
  // the block's operations left (with the preorders consumed since), in
  // transaction order.
  auto preorders = db.PendingPreordersAt(*height);
  if (!preorders) return Backend(preorders.error());
  auto rows = db.HistoryAt(*height);
  if (!rows) return Backend(rows.error());
  json out = json::array();
  for (const auto& rec : *preorders) {
    json entry = bns::ToJson(rec);
    entry["opcode"] = bns::ops::OpcodeNameOf(rec.op);
    out.push_back(std::move(entry));
  }
  for (const auto& row : *rows) {
    json entry = json::parse(row.data, nullptr, false);
    if (!entry.is_object()) entry = json::object();
    entry.erase("last_creation_op");  // the original's internal field, not answered
    entry["opcode"] = row.opcode;
    entry["txid"] = row.txid;
    entry["vtxindex"] = row.vtxindex;
    // A record's block_number is its own (a name's: its preorder's block).
    if (!entry.contains("block_number")) entry["block_number"] = *height;
    out.push_back(std::move(entry));
  }
  return Ok(out);
}

// Ours: everything the node knows of one block: its consensus hash and ops hash,
// the earlier consensus hashes it mixed in, and every operation it carried,
// accepted or rejected (with the reason), with the names and namespaces the
// accepted ones touched.
net::Response Api::Block(const net::Request&, const Params& p, bns::db::NameDb& db) {
  auto height = ParseUint(p["height"]);
  if (!height) return Error(400, "Invalid block");
  auto snap_read = db.SnapshotAt(*height);
  if (!snap_read) return Backend(snap_read.error());
  if (!*snap_read) return Error(404, "Block " + std::to_string(*height) + " is not indexed");
  const bns::db::Snapshot& snap = **snap_read;
  json previous = json::array();
  for (uint32_t ph : virtualchain::PreviousHashHeights(*height, m_settings.rules.first_block)) {
    auto ch = db.ConsensusHashAt(ph);
    if (!ch) return Backend(ch.error());
    previous.push_back({{"height", ph}, {"consensus_hash", *ch ? json(**ch) : json(nullptr)}});
  }
  auto history = db.HistoryAt(*height);
  if (!history) return Backend(history.error());
  std::map<std::string, json> touched;  // txid -> the record the operation left
  for (const auto& row : *history) {
    json data = json::parse(row.data, nullptr, false);
    if (!data.is_object()) continue;
    json what = json::object();
    for (const char* key : {"name", "namespace_id", "preorder_hash", "address", "value_hash"}) {
      if (data.contains(key) && data[key].is_string()) what[key] = data[key];
    }
    touched[row.txid] = std::move(what);
  }
  auto ops = db.OpsAt(*height);
  if (!ops) return Backend(ops.error());
  json list = json::array();
  for (const auto& op : *ops) {
    json entry = {{"vtxindex", op.vtxindex},
                  {"txid", op.txid},
                  {"opcode", op.opcode},
                  {"accepted", op.accepted},
                  {"reason", op.reason}};
    if (auto it = touched.find(op.txid); it != touched.end()) entry["record"] = it->second;
    list.push_back(std::move(entry));
  }
  return Ok({{"height", *height},
             {"block_hash", snap.block_hash},
             {"consensus_hash", snap.consensus_hash},
             {"ops_hash", snap.ops_hash},
             {"previous_consensus_hashes", std::move(previous)},
             {"operations", std::move(list)},
             {"last_block", m_last_block.load()}});
}

// Ours: the height of a Bitcoin block given by its hash, when this node indexed it
// (asked of the Bitcoin node, then checked against the hash the node recorded).
net::Response Api::BlockByHash(const net::Request&, const Params& p, bns::db::NameDb& db) {
  const auto hash = util::CanonicalHex(p["hash"], 64);
  if (!hash) return Error(400, "A block hash is 64 hex digits");
  if (!m_locate_block) return Error(503, "This node cannot ask a Bitcoin node about blocks");
  auto height = m_locate_block(*hash);
  if (!height) return Error(502, "The Bitcoin node did not answer: " + height.error().message);
  if (!*height) return Error(404, "No such block on the Bitcoin node's best chain");
  auto snap = db.SnapshotAt(**height);
  if (!snap) return Backend(snap.error());
  if (!*snap) return Error(404, "Block " + std::to_string(**height) + " is not indexed");
  if ((*snap)->block_hash != *hash)
    return Error(404, "Block " + std::to_string(**height) + " was indexed with another hash");
  return Ok({{"height", **height}, {"block_hash", *hash}});
}

// Ours: a preorder not yet consumed by its registration or reveal, so that a
// client about to pay for one can see that its earlier one is still live.
net::Response Api::Preorder(const net::Request&, const Params& p, bns::db::NameDb& db) {
  if (!IsBitcoin(p)) return Unsupported();
  auto hash = util::CanonicalHash160Hex(p["hash"]);
  if (!hash) return Error(400, "A preorder hash is 40 hex digits");
  auto pre = db.GetPreorder(*hash);
  if (!pre) return Backend(pre.error());
  if (!*pre) return Error(404, "No such preorder");
  const bns::PreorderRecord& r = **pre;
  const uint32_t expires = r.block_number + bns::ops::NAME_PREORDER_EXPIRE;
  return Ok({{"preorder_hash", r.preorder_hash},
             {"op", r.op},
             {"txid", r.txid},
             {"block_number", r.block_number},
             {"sender", r.sender},
             {"address", r.address},
             {"op_fee", r.op_fee},
             {"expire_block", expires},
             {"live", m_last_block < expires}});
}

net::Response Api::Transaction(const net::Request&, const Params& p, bns::db::NameDb& db) {
  if (!IsBitcoin(p)) return Unsupported();
  const auto txid_given = util::CanonicalHex(p["txid"], 64);
  if (!txid_given) return Error(400, "Invalid txid");
  if (!m_locate_tx) return Error(503, "This node cannot ask a Bitcoin node about transactions");
  const std::string& txid = *txid_given;
  const uint32_t last = m_last_block;
  json out{{"indexing", m_indexing.load()}, {"lastblock", last}, {"status", true}};
  auto height = m_locate_tx(txid);
  if (!height) return Error(502, "Cannot ask the Bitcoin node: " + height.error().message);
  // As the original: a transaction this node holds nothing about was ignored.
  out["tx"] = {{"status", "ignored"}};
  if (!*height || **height > last) return Ok(out);
  auto ops = db.OpsAt(**height);
  if (!ops) return Backend(ops.error());
  for (const auto& op : *ops) {
    if (op.txid != txid) continue;
    out["tx"] = {{"block_height", **height},
                 {"op", op.opcode},
                 {"status", op.accepted ? "accepted" : "rejected"},
                 {"vtxindex", op.vtxindex}};
    if (!op.accepted) out["tx"]["reason"] = op.reason;
  }
  return Ok(out);
}

net::Response Api::SubdomainsOfTransaction(const net::Request&, const Params& p) {
  auto txid = util::CanonicalHex(p["txid"], 64);
  if (!txid) return Error(400, "Invalid txid");
  if (!m_subdomains) return Error(404, detail::NO_SUBDOMAIN_INDEX);
  auto ops = m_subdomains->OperationsOfTransaction(*txid);
  if (!ops) return Backend(ops.error());
  json out = json::array();
  for (const auto& op : *ops) {
    const auto& st = op.state;
    if (!util::IsValidUtf8(st.zonefile)) continue;
    out.push_back({{"accepted", op.accepted ? 1 : 0},
                   {"block_height", st.block_height},
                   {"domain", st.domain},
                   {"fully_qualified_subdomain", st.fqn},
                   {"missing", op.missing},
                   {"owner", st.owner},
                   {"parent_zonefile_hash", op.parent_zonefile_hash},
                   {"parent_zonefile_index", st.slot},
                   {"resolver", st.resolver ? json(*st.resolver) : json(nullptr)},
                   {"sequence", st.seqn},
                   {"signature", op.signature.value_or("None")},
                   {"txid", st.txid},
                   {"zonefile_hash", st.zonefile_hash},
                   {"zonefile_offset", op.offset}});
  }
  return Ok(out);
}

net::Response Api::NameRecord(const net::Request&, const Params& p, bns::db::NameDb& db) {
  if (!IsBitcoin(p)) return Unsupported();
  const std::string& fqn = p["name"];
  if (!bns::IsNameValid(fqn)) {
    // A subdomain: its record as the original's subdomain index gave it.
    if (!m_subdomains || !subdomain::SplitSubdomainName(fqn)) return Error(400, "Invalid name or subdomain");
    auto sub = m_subdomains->Lookup(fqn);
    if (!sub) return Backend(sub.error());
    if (!*sub) return Error(404, "Failed to load subdomain");
    const subdomain::SubdomainState& st = **sub;
    json out = detail::SubdomainRecordJson(st);
    if (st.resolver) out["resolver"] = *st.resolver;
    if (auto did = SubdomainDid(fqn)) out["did"] = *did;
    return Ok(out);
  }
  auto rec = db.GetName(fqn);
  if (!rec) return Backend(rec.error());
  if (!*rec) return Error(404, "Not found.");
  auto ns = db.GetNamespace((*rec)->namespace_id);
  if (!ns) return Backend(ns.error());
  if (!*ns) return Error(404, "Not found.");
  // The stored record with the fields the original derived: deadlines, expiry,
  // the zone file (base64), the registrar and the DID.
  auto st = bns::StatusAt(**rec, **ns, m_last_block, m_settings.rules.epochs, m_settings.rules.namespace_reveal_expire);
  if (st.renewal_deadline > 0 && m_last_block >= st.renewal_deadline) return Error(404, detail::NAME_EXPIRED);
  json out = bns::ToJson(**rec);
  out.erase("last_creation_op");
  out["opcode"] = bns::ops::OpcodeNameOf((*rec)->op);
  out["expire_block"] = st.expire_block;
  out["renewal_deadline"] = st.renewal_deadline;
  out["expired"] = st.expire_block > 0 && st.expire_block <= m_last_block;
  out["grace_period"] = st.in_grace;
  std::optional<std::string> resolver;
  if ((*rec)->value_hash) {
    auto zf = m_zonefiles.Get(*(*rec)->value_hash);
    if (!zf) return Backend(zf.error());
    if (*zf) {
      out["zonefile"] = util::EncodeBase64(util::AsBytes(**zf));
      if (auto parsed = zonefile::ParseZonefile(**zf, {.as_clients = true})) resolver = zonefile::ResolverUri(*parsed);
    }
  }
  out["resolver"] = resolver ? json(*resolver) : json(nullptr);
  auto did = NameDid(db, fqn);
  out["did"] = detail::DidJson(did);
  return Ok(out);
}

net::Response Api::AddressNames(const net::Request&, const Params& p, bns::db::NameDb& db) {
  if (!IsBitcoin(p)) return Unsupported();
  const std::string& address = p["address"];
  if (!bitcoin::DecodeAddress(address)) return Error(400, "Invalid address");
  auto recs = db.NamesOwnedByAddress(address, m_settings.rules.Net());
  if (!recs) return Backend(recs.error());
  auto names = LiveOnly(db, *recs, m_last_block);
  if (!names) return Backend(names.error());
  if (m_subdomains) {
    auto subdomains = m_subdomains->NamesOwnedBy(address);
    if (!subdomains) return Backend(subdomains.error());
    names->insert(names->end(), subdomains->begin(), subdomains->end());
  }
  return Ok({{"names", *names}});
}

net::Response Api::Account(const net::Request& req, const Params&) {
  auto path = m_router.Split(req.path);
  const std::string_view last = path.segments.back();
  if (last == "tokens") return Ok({{"tokens", json::array()}});
  if (last == "balance") return Ok({{"balance", "0"}});
  if (last == "status") return Error(404, "No such account");
  return Ok(json::array());
}

}  // namespace blockstack::api
