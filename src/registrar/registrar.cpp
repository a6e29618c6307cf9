#include <registrar/registrar.h>

#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include <ctime>

#include <bns/ops/ops.h>
#include <client/operations.h>
#include <crypto/hash.h>
#include <registrar/validate.h>
#include <subdomain/record.h>
#include <util/text.h>

namespace blockstack::registrar {
namespace {

using nlohmann::json;
using util::ErrorCode;
using util::Fail;

constexpr std::size_t LIST_PAGE = 100;
// Queued requests read per round at most: more than a 40 KiB zone file holds
// (a record takes 60 bytes at least), so a flood costs the batcher nothing.
constexpr std::size_t BATCH_READ_MAX = 1000;

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

// An error that says nothing about the transaction: the peer did not answer.
bool Transient(const util::Error& e) {
  return e.code == ErrorCode::Unavailable || e.code == ErrorCode::Timeout || e.code == ErrorCode::IoError;
}

net::Response Refused(const std::string& why, unsigned status = 409) {
  return net::Response::Json(status,
                             {{"status", false}, {"message", "Failed to validate your registration request. " + why}});
}

}  // namespace

Registrar::Registrar(RegistrarConfig config, bitcoin::Spender owner, std::optional<bitcoin::Spender> payer,
                     RegistrarDb db, std::vector<std::unique_ptr<client::NodeClient>> nodes,
                     std::unique_ptr<bitcoin::rpc::RpcClient> bitcoind, std::unique_ptr<bitcoin::rpc::RpcClient> wallet)
    : m_config(std::move(config)),
      m_net(bitcoin::Params(m_config.network)),
      m_owner(std::move(owner)),
      m_payer(std::move(payer)),
      m_db(std::move(db)),
      m_nodes(std::move(nodes)),
      m_bitcoind(std::move(bitcoind)),
      m_wallet(std::move(wallet)) {
  if (!m_nodes.empty()) {
    if (auto q = client::NodeClient::Create(m_nodes.front()->Url())) m_query = std::move(*q);
  }
  m_router.Add("GET", "/index", "index", [this](const net::Request&, const net::PathParams&) {
    return net::Response::Json(200, {{"status", true}, {"domainName", m_config.domain}});
  });
  m_router.Add("POST", "/register", "register",
               [this](const net::Request& req, const net::PathParams&) { return Register(req); });
  m_router.Add("GET", "/status/{name}", "status",
               [this](const net::Request&, const net::PathParams& p) { return Status(p["name"]); });
  m_router.Add("GET", "/v1/names/{name}", "name",
               [this](const net::Request&, const net::PathParams& p) { return NameInfo(p["name"]); });
  m_router.Add("GET", "/list/{iterator}", "list",
               [this](const net::Request&, const net::PathParams& p) { return List(p["iterator"]); });
}

net::Response Registrar::Handle(const net::Request& req) {
  try {
    return m_router.Dispatch(req).response;
  } catch (const std::exception& e) {
    spdlog::error("registrar: {} {}: {}", req.method, req.path, e.what());
    return net::Response::Json(500, {{"status", false}, {"message", "internal error"}});
  }
}

util::Result<bool> Registrar::OnChain(const std::string& fqn) {
  std::lock_guard lock(m_query_mutex);
  if (!m_query) return Fail(ErrorCode::Unavailable, "no node to ask");
  BS_TRY(auto answer, m_query->GetJson("/v1/names/" + fqn));
  // 200: on chain; 404 or a redirect (to this registrar): not. Anything else
  // says nothing.
  if (answer.first == 200) return true;
  if (answer.first == 404 || answer.first == 301 || answer.first == 302) return false;
  return Fail(ErrorCode::Unavailable, "the node answered HTTP " + std::to_string(answer.first));
}

net::Response Registrar::Register(const net::Request& req) {
  json body = json::parse(req.body, nullptr, false);
  if (!body.is_object()) {
    return net::Response::Json(
        400, {{"status", false}, {"message", "Failed to parse your registration request: expected JSON"}});
  }
  auto text = [&](const char* key) -> std::optional<std::string> {
    if (!body.contains(key)) return std::string();
    if (!body[key].is_string()) return std::nullopt;
    return body[key].get<std::string>();
  };
  auto name = text("name");
  auto owner = text("owner_address");
  auto zonefile = text("zonefile");
  if (!name || !owner || !zonefile) {
    return Refused("name, owner_address and zonefile must be strings", 400);
  }
  std::string label = *name;
  // A full name is taken too, when it is of this registrar's domain.
  if (label.find('.') != std::string::npos) {
    const std::string suffix = "." + m_config.domain;
    if (!label.ends_with(suffix))
      return Refused("Wrong domain: this registrar gives out subdomains of " + m_config.domain);
    label.resize(label.size() - suffix.size());
  }
  if (auto st = ValidateLabel(label, m_config.name_min_length); !st) {
    bool too_short = st.error().message.starts_with("NameLength:");
    return too_short ? Refused(st.error().message, 400)
                     : Refused("Requested subdomain operation is invalid: " + st.error().message);
  }
  if (auto st = ValidateOwner(*owner, m_net); !st) {
    return Refused("Requested subdomain operation is invalid: " + st.error().message);
  }
  if (auto st = ValidateSubdomainZonefile(*zonefile); !st) {
    return Refused("Requested subdomain operation is invalid: " + st.error().message,
                   st.error().code == ErrorCode::TooLarge ? 413 : 409);
  }
  const std::string& auth = req.Header("authorization");
  bool privileged = false;
  if (auth.size() > 7 && util::EqualsIgnoreCase(auth.substr(0, 7), "bearer ")) {
    const std::string key = auth.substr(7);
    privileged = std::find(m_config.api_keys.begin(), m_config.api_keys.end(), key) != m_config.api_keys.end();
  }
  const std::string fqn = label + "." + m_config.domain;
  {
    std::lock_guard lock(m_mutex);
    auto existing = m_db.Get(label);
    if (!existing) return net::Response::Json(503, {{"status", false}, {"message", existing.error().message}});
    if (*existing) return Refused("Subdomain operation already queued for this name.");
    if (!privileged) {
      if (m_config.api_key_required) return Refused("Registrations without API key are disabled");
      if (m_config.owner_limit > 0) {
        auto owned = m_db.CountOwner(*owner, static_cast<int64_t>(m_config.owner_limit));
        if (!owned) return net::Response::Json(503, {{"status", false}, {"message", owned.error().message}});
        if (static_cast<std::size_t>(*owned) >= m_config.owner_limit) {
          return Refused("Owner already registered subdomain with this registrar.");
        }
      }
      if (m_config.ip_limit > 0) {
        auto from_ip = m_db.CountIp(req.remote_ip, static_cast<int64_t>(m_config.ip_limit));
        if (!from_ip) return net::Response::Json(503, {{"status", false}, {"message", from_ip.error().message}});
        if (static_cast<std::size_t>(*from_ip) >= m_config.ip_limit) {
          return Refused(
              fmt::format("IP address {} already registered {} subdomains.", json(req.remote_ip).dump(), *from_ip));
        }
      }
    }
  }
  auto on_chain = OnChain(fqn);
  if (!on_chain) {
    return net::Response::Json(
        503, {{"status", false},
              {"message", "cannot ask the node whether " + fqn + " exists: " + on_chain.error().message}});
  }
  if (*on_chain) return Refused("Requested subdomain operation is invalid: " + fqn + " is already registered");
  {
    std::lock_guard lock(m_mutex);
    if (auto st = m_db.Add(label, *owner, *zonefile, req.remote_ip, Now()); !st) {
      if (st.error().code == ErrorCode::Conflict) return Refused(st.error().message);
      return net::Response::Json(503, {{"status", false}, {"message", st.error().message}});
    }
  }
  spdlog::info("registrar: queued {} for {} from {}", fqn, *owner, req.remote_ip);
  return net::Response::Json(202, {{"status", true},
                                   {"message",
                                    "Your subdomain registration was received, and will be included in the "
                                    "blockchain soon."}});
}

net::Response Registrar::Status(const std::string& label) {
  std::optional<QueuedRequest> r;
  {
    std::lock_guard lock(m_mutex);
    auto got = m_db.Get(label);
    if (!got) return net::Response::Json(503, {{"status", false}, {"message", got.error().message}});
    r = std::move(*got);
  }
  if (!r) return net::Response::Json(404, {{"status", "Subdomain not registered with this registrar"}});
  std::string status;
  if (r->status == "anchored") {
    status = "Subdomain propagated";
  } else if (r->status == "submitted" && !r->status_more.empty()) {
    status = "Your subdomain was registered in transaction " + r->status_more +
             " -- it should propagate on the network once it has " + std::to_string(m_config.confirmations) +
             " confirmations.";
  } else if (r->status == "received" || r->status == "submitted") {
    status = "Subdomain is queued for update and should be announced within the next few blocks.";
  } else {
    status = "Subdomain registration refused: " + r->status_more;
  }
  return net::Response::Json(200, {{"status", status}});
}

net::Response Registrar::NameInfo(const std::string& fqn) {
  const std::string suffix = "." + m_config.domain;
  if (!fqn.ends_with(suffix)) return net::Response::Json(400, {{"error", "Wrong domain"}});
  const std::string label = fqn.substr(0, fqn.size() - suffix.size());
  if (label.empty() || label.find('.') != std::string::npos) return net::Response::Json(400, {{"error", "Bad name"}});
  std::optional<QueuedRequest> r;
  {
    std::lock_guard lock(m_mutex);
    auto got = m_db.Get(label);
    if (!got) return net::Response::Json(503, {{"status", false}, {"message", got.error().message}});
    r = std::move(*got);
  }
  if (!r || r->status == "error") {
    if (!ValidateLabel(label, m_config.name_min_length)) return net::Response::Json(400, {{"status", "invalid_name"}});
    return net::Response::Json(404, {{"status", "available"}});
  }
  std::string status = r->status == "received"    ? "pending_subdomain"
                       : r->status == "submitted" ? "submitted_subdomain"
                                                  : "registered_subdomain";
  return net::Response::Json(200, {{"address", r->owner},
                                   {"blockchain", "bitcoin"},
                                   {"domain", m_config.domain},
                                   {"last_txid", r->status == "received" ? "" : r->status_more},
                                   {"resolver", m_config.resolver_url},
                                   {"sequence", 0},
                                   {"status", status},
                                   {"zonefile", r->zonefile},
                                   {"zonefile_hash", crypto::Hash160Of(util::AsBytes(r->zonefile)).Hex()}});
}

net::Response Registrar::List(const std::string& iterator) {
  auto from = util::ParseDecimal(iterator, INT64_MAX, 19);
  if (!from) return net::Response::Json(400, {{"status", false}, {"message", "the iterator is a number"}});
  std::vector<QueuedRequest> rows;
  {
    std::lock_guard lock(m_mutex);
    auto got = m_db.After(static_cast<int64_t>(*from), LIST_PAGE);
    if (!got) return net::Response::Json(503, {{"status", false}, {"message", got.error().message}});
    rows = std::move(*got);
  }
  json out = json::array();
  for (const auto& r : rows) {
    out.push_back({{"name", r.label + "." + m_config.domain},
                   {"address", r.owner},
                   {"sequence", 0},
                   {"zonefile", r.zonefile},
                   {"status", r.status},
                   {"iterator", r.ix}});
  }
  return net::Response::Json(200, out);
}

std::pair<std::string, std::vector<std::string>> BatchZonefile(const std::string& domain,
                                                               const std::string& resolver_url, std::size_t max_bytes,
                                                               std::size_t max_records,
                                                               const std::vector<QueuedRequest>& queued) {
  // As the original's template: $ORIGIN, $TTL, the TXT records, then the URI records.
  const std::string head = "$ORIGIN " + domain + "\n$TTL 3600\n";
  const std::string tail = resolver_url.empty() ? "" : "_resolver\tIN\tURI\t10\t1\t\"" + resolver_url + "\"\n";
  std::string body;
  std::vector<std::string> labels;
  for (const auto& q : queued) {
    if (labels.size() >= max_records) break;
    subdomain::Record rec;
    rec.fqn = q.label + "." + domain;
    rec.domain = domain;
    rec.owner = q.owner;
    rec.seqn = 0;
    rec.zonefile = q.zonefile;
    std::string line = subdomain::MakeTxtRecord(rec) + "\n";
    if (head.size() + body.size() + line.size() + tail.size() > max_bytes) break;
    body += line;
    labels.push_back(q.label);
  }
  return {head + body + tail, labels};
}

util::Status Registrar::SignAndSend(const Batch& batch) {
  if (m_nodes.empty()) return Fail(ErrorCode::Unavailable, "no node to take a consensus hash from");
  BS_TRY(std::string ch, m_nodes.front()->ConsensusHash());
  BS_TRY(auto hash, util::Hash160::FromHex(batch.zonefile_hash));
  client::Party owner{m_owner, {}};
  BS_TRY(owner.utxos, client::WalletUtxos(*m_wallet, owner.Script(), m_bitcoind.get()));
  if (owner.utxos.empty()) {
    return Fail(ErrorCode::InvalidArgument,
                "the domain owner has no unspent output in the wallet (a NAME_UPDATE spends one of the owner's)");
  }
  std::optional<client::Party> payer;
  if (m_payer) {
    payer = client::Party{*m_payer, {}};
    BS_TRY(payer->utxos, client::WalletUtxos(*m_wallet, payer->Script(), m_bitcoind.get()));
  }
  BS_TRY(auto tx, client::OwnerTx(bns::ops::BuildUpdate(m_config.magic, m_config.domain, ch, hash), owner,
                                  payer ? &*payer : nullptr, std::nullopt, {m_config.fee_rate}));
  {
    std::lock_guard lock(m_mutex);
    BS_CHECK_OK(m_db.SetSigned(batch.id, tx.txid, tx.raw));
  }
  BS_CHECK_OK(m_bitcoind->SendRawTransaction(tx.raw));
  spdlog::info("registrar: batch {} sent in {} ({} bytes of zone file)", batch.id, tx.txid, batch.zonefile.size());
  std::lock_guard lock(m_mutex);
  return m_db.SetSent(batch.id, Now());
}

util::Status Registrar::Follow(const Batch& batch) {
  auto drop = [&](const std::string& why) -> util::Status {
    spdlog::warn("registrar: batch {} dropped, its subdomains queued again: {}", batch.id, why);
    std::lock_guard lock(m_mutex);
    return m_db.Drop(batch.id, why);
  };
  // Sends the signed transaction again. Only a refusal drops the batch: a Bitcoin
  // node that does not answer is asked again next round.
  auto resend = [&](const std::string& why) -> util::Status {
    if (auto sent = m_bitcoind->SendRawTransaction(batch.raw_tx); !sent) {
      if (Transient(sent.error())) return Fail(sent.error());
      return drop(why + " and the Bitcoin node refuses it: " + sent.error().message);
    }
    spdlog::info("registrar: batch {} sent again in {} ({})", batch.id, batch.txid, why);
    std::lock_guard lock(m_mutex);
    return m_db.SetSent(batch.id, Now());
  };
  if (batch.status == "built") return SignAndSend(batch);
  BS_TRY(auto place, m_bitcoind->LocateTransaction(batch.txid));
  if (batch.status == "signed") {
    // Signed before a crash: sent as is, unless the Bitcoin node has it already.
    if (!place.known) return resend("signed before a restart");
    std::lock_guard lock(m_mutex);
    return m_db.SetSent(batch.id, Now());
  }
  // Sent: wait for a block, confirmations, and the node's verdict.
  if (!place.known) {
    // Dropped, or reorganised away: once more as it is, else the batch is done again.
    if (Now() - batch.sent_at < static_cast<int64_t>(m_config.unseen_drop_s)) return util::Ok();
    return resend("the Bitcoin node no longer has " + batch.txid);
  }
  if (!place.height) return util::Ok();
  const uint32_t height = *place.height;
  BS_TRY(uint32_t last, m_nodes.front()->LastBlock());
  if (last + 1 < height + std::max<uint32_t>(m_config.confirmations, 1)) return util::Ok();
  BS_TRY(json verdict, m_nodes.front()->TransactionStatus(batch.txid));
  const std::string status = verdict.value("status", "");
  // A node still on the branch a reorganisation left has not seen this block yet.
  if (verdict.value("block_height", 0u) != height) return util::Ok();
  if (status == "rejected") return drop("the node refused the NAME_UPDATE: " + verdict.value("reason", ""));
  if (status != "accepted") return util::Ok();
  // The zone file to every node (each takes it now that its hash is on chain).
  std::size_t given = 0;
  for (auto& node : m_nodes) {
    if (auto st = node->PublishZonefile(batch.zonefile); st) {
      ++given;
    } else {
      spdlog::warn("registrar: {} did not take batch {}'s zone file: {}", node->Url(), batch.id, st.error().message);
    }
  }
  if (given == 0)
    return Fail(ErrorCode::Unavailable, "no node took the zone file of batch " + std::to_string(batch.id));
  spdlog::info("registrar: batch {} anchored in block {}, zone file given to {} node(s)", batch.id, height, given);
  std::lock_guard lock(m_mutex);
  return m_db.Publish(batch.id, height);
}

util::Status Registrar::Anchor() {
  std::vector<QueuedRequest> queued;
  {
    std::lock_guard lock(m_mutex);
    BS_TRY(queued, m_db.Queued(std::min(m_config.batch_max, BATCH_READ_MAX)));
  }
  if (queued.empty()) return util::Ok();
  const bool full = queued.size() >= m_config.batch_max;
  if (!full && Now() - queued.front().received < static_cast<int64_t>(m_config.batch_interval_s)) return util::Ok();
  // Someone may have put the name on chain meanwhile (another zone file of the domain).
  std::vector<QueuedRequest> ok;
  for (auto& q : queued) {
    BS_TRY(bool taken, OnChain(q.label + "." + m_config.domain));
    if (taken) {
      std::lock_guard lock(m_mutex);
      BS_CHECK_OK(m_db.Refuse(q.label, "registered on chain meanwhile"));
      continue;
    }
    ok.push_back(std::move(q));
  }
  if (ok.empty()) return util::Ok();
  auto [zonefile, labels] =
      BatchZonefile(m_config.domain, m_config.resolver_url, m_config.zonefile_max_bytes, m_config.batch_max, ok);
  if (labels.empty()) {
    std::lock_guard lock(m_mutex);
    return m_db.Refuse(ok.front().label, "its zone file does not fit the domain's zone file");
  }
  Batch batch;
  batch.zonefile = zonefile;
  batch.zonefile_hash = crypto::Hash160Of(util::AsBytes(zonefile)).Hex();
  batch.status = "built";
  {
    std::lock_guard lock(m_mutex);
    BS_TRY(batch.id, m_db.CreateBatch(batch.zonefile, batch.zonefile_hash, labels, Now()));
  }
  spdlog::info("registrar: batch {} of {} subdomain(s)", batch.id, labels.size());
  return SignAndSend(batch);
}

util::Status Registrar::Watch(bool* reopened) {
  *reopened = false;
  BS_TRY(uint32_t tip, m_bitcoind->GetBlockCount());
  BS_TRY(auto tip_hash, m_bitcoind->GetBlockHash(tip));
  if (tip_hash.ReversedHex() == m_watched_tip) return util::Ok();
  const int64_t since = static_cast<int64_t>(tip) + 1 - std::max<int64_t>(m_config.final_confirmations, 1);
  std::vector<Batch> watched;
  {
    std::lock_guard lock(m_mutex);
    BS_TRY(watched, m_db.PublishedSince(since));
  }
  for (std::size_t i = 0; i < watched.size(); ++i) {
    BS_TRY(auto place, m_bitcoind->LocateTransaction(watched[i].txid));
    if (place.height && static_cast<int64_t>(*place.height) == watched[i].block) continue;
    spdlog::warn(
        "registrar: batch {} ({}) left block {} in a reorganisation; it and {} later batch(es) are followed "
        "again",
        watched[i].id, watched[i].txid, watched[i].block.value_or(0), watched.size() - i - 1);
    std::lock_guard lock(m_mutex);
    for (std::size_t j = i; j < watched.size(); ++j) BS_CHECK_OK(m_db.Reopen(watched[j].id));
    *reopened = true;
    return util::Ok();
  }
  m_watched_tip = tip_hash.ReversedHex();
  return util::Ok();
}

void Registrar::Tick() {
  bool reopened = false;
  if (auto st = Watch(&reopened); !st) {
    spdlog::warn("registrar: cannot check the published batches: {}", st.error().message);
    return;
  }
  if (reopened) return;
  std::vector<Batch> open;
  {
    std::lock_guard lock(m_mutex);
    auto got = m_db.Open();
    if (!got) {
      spdlog::error("registrar: cannot read the batches: {}", got.error().message);
      return;
    }
    open = std::move(*got);
  }
  // One batch at a time: each spends the owner's output the one before left.
  if (!open.empty()) {
    if (auto st = Follow(open.front()); !st)
      spdlog::warn("registrar: batch {}: {}", open.front().id, st.error().message);
    return;
  }
  if (auto st = Anchor(); !st) spdlog::warn("registrar: cannot anchor the queue: {}", st.error().message);
}

}  // namespace blockstack::registrar
