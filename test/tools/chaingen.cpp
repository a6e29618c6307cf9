// chaingen: writes a deterministic synthetic chain of valid BNS operations to a
// block file (doc/block-file.md), for the crash test and the indexing benchmark.
//
// Wallets are derived from the seed; a namespace is created, then every block
// carries name preorders, the registrations of the previous block's preorders,
// updates and renewals. An in-memory node indexes each block as it is made, so
// consensus hashes in payloads are right and every operation is checked to be
// accepted. Prints the final height and consensus hash.
//
// Usage: chaingen --out FILE [--blocks N] [--ops-per-block M] [--seed S] [--first-block F]
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <deque>
#include <unordered_map>

#include <bitcoin/address.h>
#include <bitcoin/block_file.h>
#include <bitcoin/sign.h>
#include <bns/engine.h>
#include <bns/names.h>
#include <bns/ops/ops.h>
#include <crypto/hash.h>

using namespace blockstack;

namespace {

constexpr const char* MAGIC = "id";
constexpr int OUTPUTS_PER_WALLET = 90;
constexpr int NAMES_PER_WALLET = 20;

class IndexedSource final : public bitcoin::BlockSource {
 public:
  explicit IndexedSource(uint32_t first) : m_first(first) {}
  void Add(bitcoin::Block b) {
    for (std::size_t i = 0; i < b.txids.size(); ++i) m_index[b.txids[i]] = b.txs[i];
    m_hashes.push_back(b.hash);
    m_pending.push_back(std::move(b));
  }
  util::Result<uint32_t> TipHeight() override { return m_first + static_cast<uint32_t>(m_hashes.size()) - 1; }
  util::Result<util::Hash256> BlockHash(uint32_t h) override { return m_hashes.at(h - m_first); }
  util::Result<bitcoin::Block> GetBlock(uint32_t) override {
    bitcoin::Block b = std::move(m_pending.front());
    m_pending.pop_front();
    return b;
  }
  util::Result<std::vector<bitcoin::Transaction>> GetTransactions(std::span<const util::Hash256> ids) override {
    std::vector<bitcoin::Transaction> out;
    for (const auto& id : ids) {
      auto it = m_index.find(id);
      if (it == m_index.end()) return util::Fail(util::ErrorCode::NotFound, "unknown tx");
      out.push_back(it->second);
    }
    return out;
  }

 private:
  uint32_t m_first;
  std::vector<util::Hash256> m_hashes;
  std::deque<bitcoin::Block> m_pending;
  std::unordered_map<util::Hash256, bitcoin::Transaction> m_index;
};

struct Wallet {
  crypto::PrivateKey key;
  util::Bytes script;
  std::string address;
  std::vector<bitcoin::OutPoint> utxos;
  int names = 0;
};

struct Name {
  std::string fqn;
  std::size_t owner;
  uint32_t preorder_block = 0;
  bool registered = false;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"chaingen: a synthetic chain of valid BNS operations"};
  std::string out_path;
  uint32_t blocks = 2000, ops_per_block = 6, first = 100;
  std::string seed = "blockstack";
  app.add_option("--out", out_path, "Block file to write")->required();
  app.add_option("--blocks", blocks, "Blocks after the namespace is ready");
  app.add_option("--ops-per-block", ops_per_block, "Operations per block (at least 4)");
  app.add_option("--seed", seed, "Seed for the wallets");
  app.add_option("--first-block", first, "Height of the first block");
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);
  if (ops_per_block < 4) ops_per_block = 4;

  bns::ops::Rules rules;
  rules.network = bitcoin::Network::Regtest;
  rules.epochs = bns::EpochSchedule::Single(3);
  rules.first_block = first;
  rules.test_mode = true;
  const auto& net = rules.Net();

  auto db = bns::db::NameDb::Open(":memory:");
  if (!db) {
    std::fprintf(stderr, "%s\n", db.error().message.c_str());
    return 1;
  }
  bns::Engine engine(**db, rules);
  IndexedSource source(first);
  virtualchain::ScanOptions so;
  so.first_block = first;
  so.confirmations = 0;
  so.network = rules.network;
  so.batch_blocks = 1;
  virtualchain::Scanner scanner(source, engine, so);
  auto writer = bitcoin::BlockFileWriter::Create(out_path, first);
  if (!writer) {
    std::fprintf(stderr, "%s\n", writer.error().message.c_str());
    return 1;
  }

  std::vector<Wallet> wallets;
  uint64_t nonce = 0;
  std::vector<bitcoin::Transaction> pending;
  auto new_wallet = [&]() -> std::size_t {
    std::string material = seed + "/" + std::to_string(wallets.size());
    auto secret = crypto::Sha256(util::AsBytes(material));
    Wallet w{*crypto::PrivateKey::FromBytes(secret.view()), {}, {}, {}, 0};
    auto pub = w.key.GetPublicKey();
    w.script = bitcoin::MakeP2pkhScript(crypto::Hash160Of(pub.Serialize()));
    w.address = bitcoin::P2pkhAddress(pub, net);
    bitcoin::Transaction fund;
    bitcoin::TxIn in;
    ++nonce;
    for (int i = 0; i < 8; ++i) in.prevout.txid[static_cast<std::size_t>(i)] = static_cast<uint8_t>(nonce >> (8 * i));
    fund.inputs.push_back(in);
    for (int i = 0; i < OUTPUTS_PER_WALLET; ++i) fund.outputs.push_back({1000000, w.script});
    auto id = fund.ComputeTxid();
    for (uint32_t i = 0; i < OUTPUTS_PER_WALLET; ++i) w.utxos.push_back({id, i});
    pending.push_back(std::move(fund));
    wallets.push_back(std::move(w));
    return wallets.size() - 1;
  };
  auto op = [&](std::size_t who, const util::Bytes& data, std::vector<bitcoin::TxOut> extra) {
    Wallet& w = wallets[who];
    if (w.utxos.empty()) {
      std::fprintf(stderr, "wallet %zu ran out of outputs\n", who);
      std::exit(1);
    }
    bitcoin::Transaction tx;
    bitcoin::TxIn in;
    in.prevout = w.utxos.back();
    w.utxos.pop_back();
    tx.inputs.push_back(in);
    tx.outputs.push_back({0, *bitcoin::MakeOpReturnScript(data)});
    for (auto& o : extra) tx.outputs.push_back(std::move(o));
    (void)bitcoin::SignP2pkhInput(tx, 0, w.script, w.key);
    pending.push_back(std::move(tx));
  };
  auto burn = [&](int64_t v) { return bitcoin::TxOut{v, *bitcoin::ScriptFromAddress(rules.BurnAddress(), net)}; };
  auto pay = [&](std::size_t who, int64_t v) { return bitcoin::TxOut{v, wallets[who].script}; };

  uint32_t height = first;
  util::Hash256 prev;
  uint64_t total_ops = 0;
  auto mine = [&]() {
    bitcoin::Block b;
    b.header.version = 4;
    b.header.prev_hash = prev;
    b.header.time = 1600000000 + height * 600;
    bitcoin::Transaction cb;
    bitcoin::TxIn in;
    in.prevout.index = 0xffffffff;
    in.script_sig = {0x04, static_cast<uint8_t>(height), static_cast<uint8_t>(height >> 8),
                     static_cast<uint8_t>(height >> 16), static_cast<uint8_t>(height >> 24)};
    cb.inputs.push_back(in);
    cb.outputs.push_back({5000000000, util::Bytes{0x51}});
    b.txs.push_back(cb);
    for (auto& t : pending) b.txs.push_back(std::move(t));
    pending.clear();
    b.Finalize();
    b.header.merkle_root = bitcoin::ComputeMerkleRoot(b.txids);
    b.Finalize();
    prev = b.hash;
    if (auto st = writer->Append(b); !st) {
      std::fprintf(stderr, "%s\n", st.error().message.c_str());
      std::exit(1);
    }
    source.Add(std::move(b));
    std::atomic<bool> stop{false};
    auto r = scanner.CatchUp(stop);
    if (!r) {
      std::fprintf(stderr, "indexing failed: %s\n", r.error().message.c_str());
      std::exit(1);
    }
    auto ops = (*db)->OpsAt(height);
    for (const auto& o : *ops) {
      if (!o.accepted) {
        std::fprintf(stderr, "block %u: %s rejected: %s\n", height, o.opcode.c_str(), o.reason.c_str());
        std::exit(1);
      }
    }
    total_ops += ops->size();
    ++height;
  };
  auto last_ch = [&]() { return (*db)->ConsensusHashAt(height - 1)->value_or(""); };

  // The namespace "bench", with cheap names that never expire.
  std::size_t creator = new_wallet();
  mine();
  op(creator, bns::ops::BuildNamespacePreorder(MAGIC, *bns::HashName("bench", wallets[creator].script, wallets[creator].address), last_ch()),
     {pay(creator, 5500), burn(410000000)});
  mine();
  bns::ops::RevealOp ns;
  ns.namespace_id = "bench";
  ns.lifetime = 0xffffffff;
  ns.coeff = 1;
  ns.base = 2;
  ns.buckets.fill(1);
  ns.nonalpha_discount = 1;
  ns.no_vowel_discount = 1;
  ns.version = 1;
  op(creator, bns::ops::BuildReveal(MAGIC, ns), {pay(creator, 5500), pay(creator, 5500)});
  mine();
  op(creator, bns::ops::BuildReady(MAGIC, "bench"), {pay(creator, 5500)});
  mine();

  // Steady state: per block a quarter preorders, a quarter registrations of the
  // previous block's preorders, the rest updates and renewals of registered names.
  std::vector<Name> names;
  std::vector<std::size_t> to_register;
  std::size_t current = new_wallet();
  std::size_t cursor = 0;  // round-robin over registered names for updates/renewals
  const uint32_t quarter = ops_per_block / 4;
  const auto start = std::chrono::steady_clock::now();
  for (uint32_t b = 0; b < blocks; ++b) {
    const std::string ch = last_ch();
    // registrations of last block's preorders
    for (std::size_t idx : to_register) {
      Name& n = names[idx];
      util::Hash160 zh = crypto::Hash160Of(util::AsBytes(n.fqn));
      op(n.owner, bns::ops::BuildRegistration(MAGIC, n.fqn, zh), {pay(n.owner, 5500), pay(n.owner, 5500)});
      n.registered = true;
    }
    to_register.clear();
    // updates and renewals
      uint32_t maintenance = ops_per_block - 2 * quarter;
    // Names preordered two or more blocks ago are registered: a prefix of the list.
    std::size_t eligible = names.size();
    while (eligible > 0 && names[eligible - 1].preorder_block + 2 >= height) --eligible;
    for (uint32_t i = 0; i < maintenance && eligible > 0; ++i) {
      Name& n = names[cursor++ % eligible];
      util::Hash160 zh = crypto::Hash160Of(util::AsBytes(n.fqn + "/" + std::to_string(height)));
      if (i % 2 == 0) {
        op(n.owner, bns::ops::BuildUpdate(MAGIC, n.fqn, ch, zh), {pay(n.owner, 5500)});
      } else {
        op(n.owner, bns::ops::BuildRegistration(MAGIC, n.fqn, std::nullopt),
           {pay(n.owner, 5500), pay(n.owner, 5500), burn(1000)});
      }
    }
    // new preorders
    for (uint32_t i = 0; i < quarter; ++i) {
      if (wallets[current].names >= NAMES_PER_WALLET) current = new_wallet();
      Wallet& w = wallets[current];
      std::string fqn = "n" + std::to_string(names.size()) + ".bench";
      op(current, bns::ops::BuildNamePreorder(MAGIC, *bns::HashName(fqn, w.script, w.address), ch),
         {pay(current, 5500), burn(1000)});
      ++w.names;
      names.push_back({fqn, current, height, false});
      to_register.push_back(names.size() - 1);
    }
    mine();
    if (b % 1000 == 999) {
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::fprintf(stderr, "chaingen: %u blocks, %llu ops, %.0f ops/s\n", b + 1,
                   static_cast<unsigned long long>(total_ops), static_cast<double>(total_ops) / s);
    }
  }
  if (auto st = writer->Close(); !st) {
    std::fprintf(stderr, "%s\n", st.error().message.c_str());
    return 1;
  }
  std::printf("{\"last_block\": %u, \"consensus_hash\": \"%s\", \"ops\": %llu, \"names\": %zu}\n", height - 1,
              last_ch().c_str(), static_cast<unsigned long long>(total_ops), names.size());
  return 0;
}
