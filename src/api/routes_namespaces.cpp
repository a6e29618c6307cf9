// The namespaces routes (/v1/namespaces...) and the prices of names and
// namespaces (/v1/prices, /v2/prices).
#include <api/api.h>
#include <api/detail/answers.h>

#include <algorithm>

#include <limits>

#include <bns/names.h>
#include <bns/pricing.h>
#include <bns/records_json.h>

namespace blockstack::api {

using detail::Backend;
using detail::Error;
using detail::Ok;
using nlohmann::json;
using nlohmann::ordered_json;

namespace {

// The namespace named id; nullopt with *error set when id is malformed, unknown
// or cannot be read.
std::optional<bns::NamespaceRecord> FindNamespace(bns::db::NameDb& db, const std::string& id, net::Response* error) {
  if (!bns::IsNamespaceIdValid(id)) {
    *error = Error(400, "Invalid namespace");
    return std::nullopt;
  }
  auto ns = db.GetNamespace(id);
  if (!ns) {
    *error = Backend(ns.error());
    return std::nullopt;
  }
  if (!*ns) *error = Error(404, "No such namespace");
  return *ns;
}

}  // namespace

void Api::AddNamespaceRoutes() {
  AddDb("GET", "/v1/namespaces", "namespaces", &Api::Namespaces);
  AddDb("GET", "/v1/namespaces/{id}", "namespace", &Api::Namespace);
  AddDb("GET", "/v1/namespaces/{id}/names", "namespace_names", &Api::NamespaceNames);
  AddDb("GET", "/v1/namespaces/{id}/name_count", "namespace_name_count", &Api::NamespaceNameCount);
  AddDb("GET", "/v1/namespaces/{id}/registrations", "namespace_registrations", &Api::NamespaceRegistrations);
  for (const char* version : {"/v1", "/v2"}) {
    AddDb("GET", std::string(version) + "/prices/names/{name}", "name_price", &Api::NamePrice);
    AddPlain("GET", std::string(version) + "/prices/namespaces/{id}", "namespace_price", &Api::NamespacePrice);
  }
}

net::Response Api::Namespaces(const net::Request& req, const Params&, bns::db::NameDb& db) {
  // As the original: a bare array of the ready namespaces' IDs, optionally a
  // window of it (offset=, count=).
  std::optional<uint32_t> offset = 0;
  std::optional<uint32_t> count = std::numeric_limits<uint32_t>::max();
  if (auto it = req.query.find("offset"); it != req.query.end()) offset = detail::ParseUint(it->second);
  if (!offset) return Error(400, "Invalid offset");
  if (auto it = req.query.find("count"); it != req.query.end()) count = detail::ParseUint(it->second);
  if (!count) return Error(400, "Invalid count");
  auto all = db.AllNamespaces();
  if (!all) return Backend(all.error());
  json ids = json::array();
  uint32_t skipped = 0;
  for (const auto& ns : *all) {
    if (!ns.IsReady()) continue;
    if (skipped < *offset) {
      ++skipped;
      continue;
    }
    if (ids.size() >= *count) break;
    ids.push_back(ns.namespace_id);
  }
  return Ok(ids);
}

net::Response Api::Namespace(const net::Request&, const Params& p, bns::db::NameDb& db) {
  const std::string& id = p["id"];
  net::Response error;
  auto ns = FindNamespace(db, id, &error);
  if (!ns) return error;
  json out = bns::ToJson(*ns);
  out.erase("import_key");
  out["ready"] = ns->IsReady();
  return Ok(out);
}

// Ours: how many of the namespace's names were first registered in each stretch
// of blocks from its reveal to the last block (at most 24 stretches).
net::Response Api::NamespaceRegistrations(const net::Request&, const Params& p, bns::db::NameDb& db) {
  net::Response error;
  auto ns = FindNamespace(db, p["id"], &error);
  if (!ns) return error;
  auto firsts = db.FirstRegisteredIn(ns->namespace_id);
  if (!firsts) return Backend(firsts.error());
  constexpr uint32_t STRETCHES = 24;
  const uint32_t from = ns->reveal_block;
  const uint32_t to = std::max<uint32_t>(m_last_block, from);
  const uint32_t span = to - from + 1;
  const uint32_t width = (span + STRETCHES - 1) / STRETCHES;
  std::vector<uint64_t> counts((span + width - 1) / width, 0);
  for (uint32_t b : *firsts) {
    if (b >= from && b <= to) ++counts[(b - from) / width];
  }
  return Ok({{"namespace_id", ns->namespace_id},
             {"from", from},
             {"to", to},
             {"blocks_each", width},
             {"counts", counts},
             {"names", firsts->size()}});
}

Api::LiveList Api::NamespaceLiveNames(bns::db::NameDb& db, const std::string& id, net::Response* error) {
  if (!FindNamespace(db, id, error)) return nullptr;
  auto names = LiveNames(db, id);
  if (!names) {
    *error = Backend(names.error());
    return nullptr;
  }
  return *names;
}

net::Response Api::NamespaceNames(const net::Request& req, const Params& p, bns::db::NameDb& db) {
  net::Response error;
  auto names = NamespaceLiveNames(db, p["id"], &error);
  if (!names) return error;
  auto page = detail::PageOf(req, true);
  if (!page) return Error(400, "Invalid page");
  return Ok(detail::PageSlice(*names, *page));
}

net::Response Api::NamespaceNameCount(const net::Request&, const Params& p, bns::db::NameDb& db) {
  net::Response error;
  auto names = NamespaceLiveNames(db, p["id"], &error);
  if (!names) return error;
  return Ok({{"names_count", names->size()}});
}

net::Response Api::NamePrice(const net::Request&, const Params& p, bns::db::NameDb& db) {
  const std::string& fqn = p["name"];
  if (!bns::IsNameValid(fqn)) return Error(400, "Invalid name");
  const auto& rules = m_settings.rules.epochs.At(m_last_block + 1);
  auto dot = fqn.rfind('.');
  auto ns = db.GetNamespace(fqn.substr(dot + 1));
  if (!ns) return Backend(ns.error());
  if (!*ns) return Error(404, "No such namespace");
  std::string label = fqn.substr(0, dot);
  ordered_json price;
  if ((*ns)->version == bns::NAMESPACE_VERSION_PAY_WITH_STACKS) {
    price["amount"] = bns::PriceNameStacks(label, (*ns)->Pricing(), rules).ToDecimal();
    price["units"] = "STACKS";
  } else {
    auto cost = bns::PriceName(label, (*ns)->Pricing(), rules);
    price["amount"] = std::to_string(cost.Ceil());
    price["units"] = "BTC";
    price["satoshis"] = cost.Ceil();
  }
  return Ok(json::parse(ordered_json{{"name_price", price}}.dump()));
}

net::Response Api::NamespacePrice(const net::Request&, const Params& p) {
  const std::string& id = p["id"];
  if (!bns::IsNamespaceIdValid(id)) return Error(400, "Invalid namespace");
  const auto& rules = m_settings.rules.epochs.At(m_last_block + 1);
  auto cost = bns::PriceNamespaceBtc(id, rules, m_settings.rules.test_mode);
  if (!cost) return Error(400, "Invalid namespace");
  return Ok({{"amount", std::to_string(cost->Ceil())}, {"units", "BTC"}, {"satoshis", cost->Ceil()}});
}

}  // namespace blockstack::api
