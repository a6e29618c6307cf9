// A JSON-RPC client for bitcoind and bcoin, and a BlockSource over it.
//
// It uses only getblockcount, getblockhash, getblock <hash> false, getrawtransaction
// <txid> 0 and sendrawtransaction, so any node that speaks bitcoind's RPC will do.
// Requests go over one keep-alive HTTP/1.1 connection; many calls share one HTTP
// request as a JSON-RPC batch. Transport failures and "node busy" answers are retried
// with exponential backoff; bad credentials and RPC errors are not.
//
// Thread safety: an RpcClient is used by one thread at a time.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include <bitcoin/block_source.h>
#include <net/http_client.h>
#include <util/url.h>

namespace blockstack::bitcoin::rpc {

struct RpcOptions {
  std::chrono::milliseconds timeout{30000};        // per HTTP exchange (connect, write, read)
  int max_retries = 4;                              // further attempts after a transport failure
  std::chrono::milliseconds initial_backoff{200};   // doubled after each failed attempt
  std::size_t batch_size = 20;                      // calls per HTTP request in batched lookups
};

struct RpcCall {
  std::string method;
  nlohmann::json params = nlohmann::json::array();
};

class RpcClient {
 public:
  // url: http://user:password@host:port. Fails with InvalidArgument on a bad URL.
  // No connection is made until the first call.
  static util::Result<std::unique_ptr<RpcClient>> Create(std::string_view url, RpcOptions options = {});
  ~RpcClient();
  RpcClient(const RpcClient&) = delete;
  RpcClient& operator=(const RpcClient&) = delete;

  // One call. Errors: Unauthorized (HTTP 401/403), Unavailable (cannot connect, or the
  // node lacks the method), Timeout, NotFound (unknown block or transaction),
  // InvalidArgument (any other RPC error), Corruption (an answer that is not JSON-RPC).
  util::Result<nlohmann::json> Call(std::string_view method, nlohmann::json params = nlohmann::json::array());
  // Many calls in one HTTP request; the outer Result fails only when the exchange does.
  util::Result<std::vector<util::Result<nlohmann::json>>> CallBatch(const std::vector<RpcCall>& calls);
  // A batch whose results are hex (getblock HASH false, getrawtransaction TXID
  // 0), each decoded to bytes; the hex is read in place (batch_reply.h), or the
  // reply parsed as JSON when it is not in plain form. A result that is no hex
  // fails with Corruption.
  util::Result<std::vector<util::Result<Bytes>>> CallBatchHex(const std::vector<RpcCall>& calls);

  util::Result<uint32_t> GetBlockCount();
  util::Result<Hash256> GetBlockHash(uint32_t height);
  util::Result<Bytes> GetRawBlock(const Hash256& hash);
  // Raw transactions by txid (batch_size per HTTP request), in order. An unknown txid
  // fails the call with NotFound, saying a transaction index may be missing.
  util::Result<std::vector<Bytes>> GetRawTransactions(std::span<const Hash256> txids);
  // Where a transaction (display hex) is: whether the node knows it (mempool or
  // index), and the height of the main-chain block it is in. A block a reorg left
  // behind is not counted (bitcoind's index keeps pointing at it).
  struct TxPlace {
    bool known = false;
    std::optional<uint32_t> height;
  };
  util::Result<TxPlace> LocateTransaction(const std::string& txid);
  // LocateTransaction's height: nullopt when unknown, unmined or off the main chain.
  util::Result<std::optional<uint32_t>> TransactionHeight(const std::string& txid);
  // The height of the block with this hash (display hex) when it is on the node's
  // best chain; nullopt when the node does not know it or it is on another branch.
  util::Result<std::optional<uint32_t>> BlockHeight(const std::string& block_hash);
  // Broadcasts; returns the txid the node reports.
  util::Result<Hash256> SendRawTransaction(ByteView raw_tx);
  // Checks that the node can look up confirmed transactions by txid (bitcoind -txindex,
  // bcoin --index-tx), using block 1's coinbase. Ok when the chain has no block 1 yet.
  util::Status CheckTransactionIndex();

  // "http://host:port" without credentials, for messages.
  std::string Origin() const { return m_url.Origin(); }

 private:
  RpcClient(util::Url url, RpcOptions options);
  // POSTs body, retrying transport failures; returns the HTTP status and body.
  util::Result<std::pair<unsigned, std::string>> Exchange(const std::string& body);
  util::Result<nlohmann::json> ParseReply(const nlohmann::json& reply, std::string_view method) const;
  // Sends a batch; returns the reply's body and the id of its first call.
  util::Result<std::pair<std::string, uint64_t>> SendBatch(const std::vector<RpcCall>& calls);
  util::Result<std::vector<util::Result<nlohmann::json>>> ParseBatch(const std::string& body,
                                                                     const std::vector<RpcCall>& calls,
                                                                     uint64_t first_id) const;

  util::Url m_url;
  RpcOptions m_options;
  std::string m_auth_header;
  std::unique_ptr<net::HttpClient> m_http;
  uint64_t m_next_id = 1;
};

// Blocks from a node over RPC. Every block is checked: its hash must be the one
// asked for and its merkle root must match its transactions.
class RpcBlockSource final : public BlockSource {
 public:
  explicit RpcBlockSource(std::unique_ptr<RpcClient> client) : m_client(std::move(client)) {}

  RpcClient& Client() { return *m_client; }
  util::Result<uint32_t> TipHeight() override;
  util::Result<Hash256> BlockHash(uint32_t height) override;
  util::Result<Block> GetBlock(uint32_t height) override;
  util::Result<std::vector<Block>> GetBlocks(uint32_t first, uint32_t count) override;
  util::Result<std::vector<Transaction>> GetTransactions(std::span<const Hash256> txids) override;

 private:
  util::Result<Block> ParseAndCheck(const Bytes& raw, const Hash256& want, uint32_t height);
  std::unique_ptr<RpcClient> m_client;
};

}  // namespace blockstack::bitcoin::rpc
