#include <bitcoin/rpc/rpc_client.h>

#include <bitcoin/rpc/batch_reply.h>

#include <spdlog/spdlog.h>

#include <thread>

#include <util/base64.h>

namespace blockstack::bitcoin::rpc {

using nlohmann::json;
using util::ErrorCode;
using util::Fail;

namespace {

// Largest HTTP answer accepted: a raw block in hex is twice its size.
constexpr std::size_t MAX_RESPONSE_BODY = 2 * MAX_RAW_BLOCK_SIZE + 1024 * 1024;

bool Retryable(const util::Error& e) {
  return e.code == ErrorCode::Unavailable || e.code == ErrorCode::Timeout || e.code == ErrorCode::IoError;
}

}  // namespace

RpcClient::RpcClient(util::Url url, RpcOptions options)
    : m_url(std::move(url)), m_options(options) {
  std::string cred = m_url.user + ":" + m_url.password;
  m_auth_header = "Basic " + util::EncodeBase64(util::AsBytes(cred));
}

RpcClient::~RpcClient() = default;

util::Result<std::unique_ptr<RpcClient>> RpcClient::Create(std::string_view url, RpcOptions options) {
  BS_TRY(util::Url parsed, util::ParseUrl(url));
  std::unique_ptr<RpcClient> client(new RpcClient(parsed, options));
  net::HttpClientOptions http;
  http.timeout = options.timeout;
  http.max_response_bytes = MAX_RESPONSE_BODY;
  http.peer_name = "bitcoin node";
  BS_TRY(client->m_http, net::HttpClient::Create(parsed.Origin(), http));
  return client;
}

util::Result<std::pair<unsigned, std::string>> RpcClient::Exchange(const std::string& body) {
  const net::HeaderList headers = {{"Authorization", m_auth_header}, {"Content-Type", "application/json"}};
  auto backoff = m_options.initial_backoff;
  util::Error last;
  for (int attempt = 0; attempt <= m_options.max_retries; ++attempt) {
    if (attempt > 0) {
      spdlog::debug("bitcoin RPC: retry {} after {}ms: {}", attempt, backoff.count(), last.message);
      std::this_thread::sleep_for(backoff);
      backoff *= 2;
    }
    auto res = m_http->Send("POST", m_url.target, headers, body);
    if (!res) {
      last = res.error();
      if (!Retryable(last)) return Fail(last);
      continue;
    }
    unsigned status = res->status;
    if (status == 401 || status == 403) {
      return Fail(ErrorCode::Unauthorized, "bitcoin node at " + m_url.Origin() + " rejected the RPC credentials (HTTP " +
                                               std::to_string(status) + ")");
    }
    if (status == 503) {
      last = util::Error{ErrorCode::Unavailable, "bitcoin node at " + m_url.Origin() + " is busy (HTTP 503)"};
      continue;
    }
    return std::pair{status, std::move(res->body)};
  }
  return Fail(last.Wrap("giving up after " + std::to_string(m_options.max_retries + 1) + " attempts"));
}

util::Result<json> RpcClient::ParseReply(const json& reply, std::string_view method) const {
  if (!reply.is_object() || !reply.contains("result")) {
    return Fail(ErrorCode::Corruption, "bitcoin node sent a reply to " + std::string(method) + " that is not JSON-RPC");
  }
  static const json NULL_JSON;
  const json& err = reply.contains("error") ? reply.at("error") : NULL_JSON;
  if (err.is_null()) return reply.at("result");
  int code = err.is_object() && err.contains("code") && err["code"].is_number_integer() ? err["code"].get<int>() : 0;
  std::string message = err.is_object() && err.contains("message") && err["message"].is_string()
                            ? err["message"].get<std::string>()
                            : err.dump();
  std::string text = "bitcoin node: " + std::string(method) + ": " + message + " (code " + std::to_string(code) + ")";
  std::string lower = message;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (code == -32601) {
    return Fail(ErrorCode::Unavailable, "bitcoin node does not support the RPC method " + std::string(method));
  }
  if (code == -28) return Fail(ErrorCode::Unavailable, text);  // still warming up
  if (lower.find("txindex") != std::string::npos) {
    return Fail(ErrorCode::NotFound, text + "; the node needs a transaction index (bitcoind -txindex, bcoin --index-tx)");
  }
  if (code == -5 || lower.find("not found") != std::string::npos || lower.find("out of range") != std::string::npos) {
    return Fail(ErrorCode::NotFound, text);
  }
  return Fail(ErrorCode::InvalidArgument, text);
}

util::Result<json> RpcClient::Call(std::string_view method, json params) {
  auto backoff = m_options.initial_backoff;
  for (int attempt = 0;; ++attempt) {
    json request = {{"jsonrpc", "1.0"}, {"id", m_next_id++}, {"method", method}, {"params", std::move(params)}};
    BS_TRY(auto answer, Exchange(request.dump()));
    params = std::move(request["params"]);
    json reply = json::parse(answer.second, nullptr, false);
    if (reply.is_discarded()) {
      return Fail(ErrorCode::Corruption, "bitcoin node answered " + std::string(method) + " with HTTP " +
                                             std::to_string(answer.first) + " and a body that is not JSON");
    }
    auto result = ParseReply(reply, method);
    // A node still loading its chain answers -28; wait for it like for a busy node.
    if (!result && result.error().code == ErrorCode::Unavailable && attempt < m_options.max_retries &&
        result.error().message.find("code -28") != std::string::npos) {
      std::this_thread::sleep_for(backoff);
      backoff *= 2;
      continue;
    }
    return result;
  }
}

namespace {

util::Result<Bytes> HexFromJson(const json& r, const char* what) {
  if (!r.is_string()) return Fail(ErrorCode::Corruption, std::string(what) + " did not return hex");
  auto b = util::FromHex(r.get_ref<const std::string&>());
  if (!b) return Fail(ErrorCode::Corruption, std::string(what) + " returned malformed hex: " + b.error().message);
  return b;
}

std::vector<util::Result<json>> NoAnswers(std::size_t n) {
  return std::vector<util::Result<json>>(n, Fail(ErrorCode::Corruption, "no answer in batch"));
}

}  // namespace

util::Result<std::vector<util::Result<json>>> RpcClient::ParseBatch(const std::string& body,
                                                                    const std::vector<RpcCall>& calls,
                                                                    uint64_t first_id) const {
  json reply = json::parse(body, nullptr, false);
  if (reply.is_discarded() || !reply.is_array()) {
    // A node without batch support answers the array as one malformed call.
    if (!reply.is_discarded() && reply.is_object()) {
      auto single = ParseReply(reply, "batch");
      if (!single) return Fail(single.error());
    }
    return Fail(ErrorCode::Corruption, "bitcoin node did not answer a JSON-RPC batch with an array");
  }
  auto out = NoAnswers(calls.size());
  for (const auto& item : reply) {
    if (!item.is_object() || !item.contains("id") || !item["id"].is_number_unsigned()) continue;
    uint64_t id = item["id"].get<uint64_t>();
    if (id < first_id || id - first_id >= calls.size()) continue;
    out[id - first_id] = ParseReply(item, calls[id - first_id].method);
  }
  return out;
}

util::Result<std::pair<std::string, uint64_t>> RpcClient::SendBatch(const std::vector<RpcCall>& calls) {
  const uint64_t first_id = m_next_id;
  json request = json::array();
  for (const auto& c : calls) {
    request.push_back({{"jsonrpc", "1.0"}, {"id", m_next_id++}, {"method", c.method}, {"params", c.params}});
  }
  BS_TRY(auto answer, Exchange(request.dump()));
  return std::pair{std::move(answer.second), first_id};
}

util::Result<std::vector<util::Result<json>>> RpcClient::CallBatch(const std::vector<RpcCall>& calls) {
  if (calls.empty()) return std::vector<util::Result<json>>{};
  BS_TRY(auto sent, SendBatch(calls));
  return ParseBatch(sent.first, calls, sent.second);
}

util::Result<std::vector<util::Result<Bytes>>> RpcClient::CallBatchHex(const std::vector<RpcCall>& calls) {
  std::vector<util::Result<Bytes>> out;
  if (calls.empty()) return out;
  BS_TRY(auto sent, SendBatch(calls));
  const auto& [body, first_id] = sent;
  out.assign(calls.size(), Fail(ErrorCode::Corruption, "no answer in batch"));
  auto parts = SplitBatchReply(body);
  if (!parts) {
    BS_TRY(auto parsed, ParseBatch(body, calls, first_id));
    for (std::size_t i = 0; i < parsed.size(); ++i) {
      if (!parsed[i]) {
        out[i] = Fail(parsed[i].error());
      } else {
        out[i] = HexFromJson(*parsed[i], calls[i].method.c_str());
      }
    }
    return out;
  }
  for (auto& part : *parts) {
    if (!part.is_object || !part.id.is_number_unsigned()) continue;
    const uint64_t id = part.id.get<uint64_t>();
    if (id < first_id || id - first_id >= calls.size()) continue;
    const std::string& method = calls[id - first_id].method;
    auto& slot = out[id - first_id];
    if (!part.has_result) {
      slot = Fail(ErrorCode::Corruption, "bitcoin node sent a reply to " + method + " that is not JSON-RPC");
    } else if (!part.error.is_null()) {
      // The error mapping of the JSON path, on the small error value alone.
      auto failed = ParseReply(json{{"result", nullptr}, {"error", std::move(part.error)}}, method);
      slot = failed ? Fail(ErrorCode::Corruption, method + " answered an error with a result") : Fail(failed.error());
    } else if (!part.result_text) {
      slot = Fail(ErrorCode::Corruption, method + " did not return hex");
    } else {
      auto bytes = util::FromHex(*part.result_text);
      slot = bytes ? std::move(bytes)
                   : Fail(ErrorCode::Corruption, method + " returned malformed hex: " + bytes.error().message);
    }
  }
  return out;
}

util::Result<uint32_t> RpcClient::GetBlockCount() {
  BS_TRY(json r, Call("getblockcount"));
  if (!r.is_number_unsigned() || r.get<uint64_t>() > 0xffffffffu) {
    return Fail(ErrorCode::Corruption, "getblockcount returned " + r.dump());
  }
  return r.get<uint32_t>();
}

namespace {

util::Result<Hash256> HashFromJson(const json& r, const char* what) {
  if (!r.is_string()) return Fail(ErrorCode::Corruption, std::string(what) + " returned " + r.dump());
  auto h = Hash256::FromReversedHex(r.get<std::string>());
  if (!h) return Fail(ErrorCode::Corruption, std::string(what) + " returned a malformed hash");
  return h;
}

}  // namespace

util::Result<Hash256> RpcClient::GetBlockHash(uint32_t height) {
  BS_TRY(json r, Call("getblockhash", json::array({height})));
  return HashFromJson(r, "getblockhash");
}

util::Result<Bytes> RpcClient::GetRawBlock(const Hash256& hash) {
  BS_TRY(json r, Call("getblock", json::array({hash.ReversedHex(), false})));
  return HexFromJson(r, "getblock");
}

util::Result<RpcClient::TxPlace> RpcClient::LocateTransaction(const std::string& txid) {
  auto tx = Call("getrawtransaction", nlohmann::json::array({txid, true}));
  if (!tx && tx.error().code == ErrorCode::NotFound) return TxPlace{};
  if (!tx) return Fail(tx.error());
  if (!tx->is_object() || !(*tx)["blockhash"].is_string()) return TxPlace{true, std::nullopt};  // unconfirmed
  BS_TRY(auto header, Call("getblockheader", nlohmann::json::array({(*tx)["blockhash"]})));
  if (!header.is_object() || !header["height"].is_number_unsigned()) {
    return Fail(ErrorCode::Corruption, "getblockheader answered without a height");
  }
  const uint32_t height = header["height"].get<uint32_t>();
  auto main = GetBlockHash(height);
  if (!main && main.error().code == ErrorCode::NotFound) return TxPlace{true, std::nullopt};  // a shorter chain now
  if (!main) return Fail(main.error());
  if (main->ReversedHex() != (*tx)["blockhash"].get<std::string>()) return TxPlace{true, std::nullopt};
  return TxPlace{true, height};
}

util::Result<std::optional<uint32_t>> RpcClient::TransactionHeight(const std::string& txid) {
  BS_TRY(TxPlace place, LocateTransaction(txid));
  return place.height;
}

util::Result<std::optional<uint32_t>> RpcClient::BlockHeight(const std::string& block_hash) {
  auto header = Call("getblockheader", nlohmann::json::array({block_hash}));
  if (!header && header.error().code == ErrorCode::NotFound) return std::optional<uint32_t>();
  if (!header) return Fail(header.error());
  if (!header->is_object() || !(*header)["height"].is_number_unsigned()) {
    return Fail(ErrorCode::Corruption, "getblockheader answered without a height");
  }
  const uint32_t height = (*header)["height"].get<uint32_t>();
  BS_TRY(Hash256 main, GetBlockHash(height));
  if (main.ReversedHex() != block_hash) return std::optional<uint32_t>();
  return std::optional<uint32_t>(height);
}

util::Result<std::vector<Bytes>> RpcClient::GetRawTransactions(std::span<const Hash256> txids) {
  std::vector<Bytes> out;
  out.reserve(txids.size());
  for (std::size_t start = 0; start < txids.size(); start += m_options.batch_size) {
    std::size_t end = std::min(txids.size(), start + m_options.batch_size);
    std::vector<RpcCall> calls;
    for (std::size_t i = start; i < end; ++i) {
      calls.push_back({"getrawtransaction", json::array({txids[i].ReversedHex(), 0})});
    }
    BS_TRY(auto results, CallBatch(calls));
    for (std::size_t i = 0; i < results.size(); ++i) {
      if (!results[i]) {
        auto e = results[i].error();
        if (e.code == ErrorCode::NotFound && e.message.find("transaction index") == std::string::npos) {
          e.message += "; if the transaction is confirmed, the node may lack a transaction index "
                       "(bitcoind -txindex, bcoin --index-tx)";
        }
        return Fail(e.Wrap("transaction " + txids[start + i].ReversedHex()));
      }
      BS_TRY(Bytes raw, HexFromJson(*results[i], "getrawtransaction"));
      out.push_back(std::move(raw));
    }
  }
  return out;
}

util::Result<Hash256> RpcClient::SendRawTransaction(ByteView raw_tx) {
  BS_TRY(json r, Call("sendrawtransaction", json::array({util::ToHex(raw_tx)})));
  return HashFromJson(r, "sendrawtransaction");
}

util::Status RpcClient::CheckTransactionIndex() {
  BS_TRY(uint32_t count, GetBlockCount());
  if (count < 1) return util::Ok();
  BS_TRY(Hash256 hash, GetBlockHash(1));
  BS_TRY(Bytes raw, GetRawBlock(hash));
  BS_TRY(Block block, ParseBlock(raw));
  if (block.txids.empty()) return Fail(ErrorCode::Corruption, "block 1 has no transactions");
  auto tx = Call("getrawtransaction", json::array({block.txids[0].ReversedHex(), 0}));
  if (!tx) {
    if (tx.error().code == ErrorCode::NotFound) {
      return Fail(ErrorCode::Unavailable, "bitcoin node at " + Origin() +
                                              " has no transaction index: start bitcoind with -txindex=1 "
                                              "(bcoin: --index-tx)");
    }
    return Fail(tx.error());
  }
  return util::Ok();
}

util::Result<uint32_t> RpcBlockSource::TipHeight() { return m_client->GetBlockCount(); }

util::Result<Hash256> RpcBlockSource::BlockHash(uint32_t height) { return m_client->GetBlockHash(height); }

util::Result<Block> RpcBlockSource::ParseAndCheck(const Bytes& raw, const Hash256& want, uint32_t height) {
  auto block = ParseBlock(raw);
  if (!block) return Fail(block.error().Wrap("block " + std::to_string(height) + " from the bitcoin node"));
  if (block->hash != want) {
    return Fail(ErrorCode::Corruption, "bitcoin node sent block " + block->hash.ReversedHex() + " for " +
                                           want.ReversedHex() + " at height " + std::to_string(height));
  }
  BS_CHECK_OK(CheckMerkleRoot(*block));
  return block;
}

util::Result<Block> RpcBlockSource::GetBlock(uint32_t height) {
  BS_TRY(Hash256 hash, m_client->GetBlockHash(height));
  BS_TRY(Bytes raw, m_client->GetRawBlock(hash));
  return ParseAndCheck(raw, hash, height);
}

util::Result<std::vector<Block>> RpcBlockSource::GetBlocks(uint32_t first, uint32_t count) {
  std::vector<RpcCall> hash_calls;
  for (uint32_t i = 0; i < count; ++i) hash_calls.push_back({"getblockhash", json::array({first + i})});
  BS_TRY(auto hashes, m_client->CallBatch(hash_calls));
  std::vector<Hash256> want;
  std::vector<RpcCall> block_calls;
  for (uint32_t i = 0; i < count; ++i) {
    if (!hashes[i]) return Fail(hashes[i].error().Wrap("height " + std::to_string(first + i)));
    BS_TRY(Hash256 h, HashFromJson(*hashes[i], "getblockhash"));
    want.push_back(h);
    block_calls.push_back({"getblock", json::array({h.ReversedHex(), false})});
  }
  BS_TRY(auto raws, m_client->CallBatchHex(block_calls));
  std::vector<Block> out;
  out.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    if (!raws[i]) return Fail(raws[i].error().Wrap("block at height " + std::to_string(first + i)));
    BS_TRY(Block block, ParseAndCheck(*raws[i], want[i], first + i));
    out.push_back(std::move(block));
  }
  return out;
}

util::Result<std::vector<Transaction>> RpcBlockSource::GetTransactions(std::span<const Hash256> txids) {
  BS_TRY(std::vector<Bytes> raws, m_client->GetRawTransactions(txids));
  std::vector<Transaction> out;
  out.reserve(raws.size());
  for (std::size_t i = 0; i < raws.size(); ++i) {
    Hash256 got;
    auto tx = ParseTransaction(raws[i], &got);
    if (!tx) return Fail(tx.error().Wrap("transaction " + txids[i].ReversedHex() + " from the bitcoin node"));
    if (got != txids[i]) {
      return Fail(ErrorCode::Corruption, "bitcoin node sent transaction " + got.ReversedHex() + " for " +
                                             txids[i].ReversedHex());
    }
    out.push_back(std::move(*tx));
  }
  return out;
}

}  // namespace blockstack::bitcoin::rpc
