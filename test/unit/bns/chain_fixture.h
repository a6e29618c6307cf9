// A synthetic Bitcoin chain for engine tests: keys with spendable outputs,
// transactions carrying BNS payloads built by our builders and signed by our
// signer, blocks served through a BlockSource, and nodes (NameDb + Engine +
// Scanner) that index them.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <bitcoin/address.h>
#include <bitcoin/block_source.h>
#include <bitcoin/memory_source.h>
#include <bitcoin/sign.h>
#include <bns/db/engine.h>
#include <bns/names.h>
#include <bns/ops/ops.h>
#include <crypto/hash.h>
#include <virtualchain/scanner.h>

#include "testutil/vectors.h"

namespace blockstack::testutil {

struct Wallet {
  crypto::PrivateKey key = crypto::PrivateKey::Generate();
  std::string address;
  util::Bytes script;
  std::string script_hex;
};

struct Utxo {
  util::Hash256 txid;
  uint32_t vout;
  int64_t value;
};

// One indexing node over a temporary database.
struct Node {
  std::string dir;
  std::unique_ptr<bns::db::NameDb> db;
  std::unique_ptr<bns::db::Engine> engine;
  std::unique_ptr<virtualchain::Scanner> scanner;

  // catch_up_blocks: how far behind the tip the scanner tells the engine it is
  // catching up (virtualchain::ScanOptions).
  Node(bitcoin::BlockSource& source, const bns::ops::Rules& rules, uint32_t catch_up_blocks = 1000) {
    dir = MakeTempDir("bnsnode");
    db = std::move(*bns::db::NameDb::Open(dir + "/names.db"));
    engine = std::make_unique<bns::db::Engine>(*db, rules);
    virtualchain::ScanOptions o;
    o.first_block = rules.first_block;
    o.confirmations = 0;
    o.network = rules.network;
    o.catch_up_blocks = catch_up_blocks;
    scanner = std::make_unique<virtualchain::Scanner>(source, *engine, o);
  }
  ~Node() {
    scanner.reset();
    engine.reset();
    db.reset();
    std::filesystem::remove_all(dir);
  }
  void Sync() {
    std::atomic<bool> stop{false};
    auto r = scanner->CatchUp(stop);
    if (!r) throw std::runtime_error(r.error().ToString());
  }
  std::string Ch(uint32_t h) { return db->ConsensusHashAt(h)->value_or(""); }
};

class ChainFixture {
 public:
  static constexpr uint32_t FIRST = 100;

  explicit ChainFixture(bns::EpochSchedule epochs = bns::EpochSchedule::Single(3)) : source(FIRST) {
    rules.network = bitcoin::Network::Regtest;
    rules.epochs = std::move(epochs);
    rules.first_block = FIRST;
    rules.test_mode = true;
  }

  Wallet NewWallet() {
    Wallet w{crypto::PrivateKey::Generate(), "", {}, ""};
    auto pub = w.key.GetPublicKey();
    w.script = bitcoin::MakeP2pkhScript(crypto::Hash160Of(pub.Serialize()));
    w.script_hex = util::ToHex(w.script);
    w.address = bitcoin::P2pkhAddress(pub, rules.Net());
    // Fund it in the next block: 80 outputs of 10 BTC.
    bitcoin::Transaction fund;
    bitcoin::TxIn in;
    in.prevout.txid[0] = static_cast<uint8_t>(++m_nonce);
    in.prevout.txid[1] = static_cast<uint8_t>(m_nonce >> 8);
    fund.inputs.push_back(in);
    for (int i = 0; i < 80; ++i) fund.outputs.push_back({1000000000, w.script});
    auto id = fund.ComputeTxid();
    for (uint32_t i = 0; i < 80; ++i) m_utxos[w.script_hex].push_back({id, i, 1000000000});
    m_pending.push_back(fund);
    return w;
  }

  // A transaction from `from` with outputs [OP_RETURN data, extra...], signed.
  bitcoin::Transaction Op(const Wallet& from, const util::Bytes& data, std::vector<bitcoin::TxOut> extra) {
    auto& list = m_utxos[from.script_hex];
    if (list.empty()) throw std::runtime_error("wallet ran out of outputs");
    Utxo u = list.front();
    list.erase(list.begin());
    bitcoin::Transaction tx;
    bitcoin::TxIn in;
    in.prevout.txid = u.txid;
    in.prevout.index = u.vout;
    tx.inputs.push_back(in);
    tx.outputs.push_back({0, *bitcoin::MakeOpReturnScript(data)});
    for (auto& o : extra) tx.outputs.push_back(std::move(o));
    if (!bitcoin::SignP2pkhInput(tx, 0, from.script, from.key)) throw std::runtime_error("sign");
    m_pending.push_back(tx);
    return tx;
  }

  bitcoin::TxOut Pay(const std::string& address, int64_t value) {
    return {value, *bitcoin::ScriptFromAddress(address, rules.Net())};
  }
  bitcoin::TxOut Pay(const Wallet& w, int64_t value) { return {value, w.script}; }

  // Mines the pending transactions into the next block.
  uint32_t Mine() {
    bitcoin::Block b;
    b.header.version = 4;
    b.header.time = 1600000000 + static_cast<uint32_t>(source.Size());
    b.header.nonce = m_branch;
    if (source.Size() > 0) b.header.prev_hash = *source.BlockHash(FIRST + static_cast<uint32_t>(source.Size()) - 1);
    bitcoin::Transaction cb;
    bitcoin::TxIn in;
    in.prevout.index = 0xffffffff;
    in.script_sig = {0x02, static_cast<uint8_t>(source.Size()), static_cast<uint8_t>(m_branch)};
    cb.inputs.push_back(in);
    cb.outputs.push_back({5000000000, util::Bytes{0x51}});
    b.txs.push_back(cb);
    for (auto& t : m_pending) b.txs.push_back(t);
    m_pending.clear();
    b.Finalize();
    b.header.merkle_root = bitcoin::ComputeMerkleRoot(b.txids);
    b.Finalize();
    source.Add(b);
    return FIRST + static_cast<uint32_t>(source.Size()) - 1;
  }

  // Starts a competing branch above `height` (changes coinbase contents).
  void Fork(uint32_t height) {
    source.TruncateAbove(height);
    ++m_branch;
  }

  bitcoin::MemoryBlockSource source;
  bns::ops::Rules rules;

 private:
  std::map<std::string, std::vector<Utxo>> m_utxos;
  std::vector<bitcoin::Transaction> m_pending;
  uint32_t m_nonce = 0;
  uint32_t m_branch = 0;
};

inline constexpr const char* MAGIC = "id";

inline util::Hash160 H160(uint8_t fill) {
  util::Hash160 h;
  h.data.fill(fill);
  return h;
}

// A namespace with cheap names: coeff 1, base 2, every bucket 1, so a name costs
// 2 * 100 = 200 satoshis (x0.1 in epoch 3 = 20, floored at the unit: 100 * 0.1 = 10).
inline bns::ops::RevealOp CheapNamespace(const std::string& id, uint32_t lifetime) {
  bns::ops::RevealOp r;
  r.namespace_id = id;
  r.lifetime = lifetime;
  r.coeff = 1;
  r.base = 2;
  r.buckets.fill(1);
  r.nonalpha_discount = 1;
  r.no_vowel_discount = 1;
  r.version = 1;
  return r;
}

// Three funded wallets, a node following the chain, and the steps most tests take:
// create a namespace, register a name. A refused step throws.
class Scenario {
 public:
  explicit Scenario(bns::EpochSchedule epochs = bns::EpochSchedule::Single(3)) : chain(std::move(epochs)) {
    creator = chain.NewWallet();
    alice = chain.NewWallet();
    bob = chain.NewWallet();
    chain.Mine();  // block 100: funding
    node = std::make_unique<Node>(chain.source, chain.rules);
    node->Sync();
  }

  uint32_t MineAndSync() {
    uint32_t h = chain.Mine();
    node->Sync();
    return h;
  }

  std::string LastCh() { return node->Ch(*node->db->LastBlock().value()); }

  bns::db::OpRow OpAt(uint32_t height, std::size_t i = 0) {
    auto ops = node->db->OpsAt(height);
    if (!ops || ops->size() <= i) throw std::runtime_error("no operation " + std::to_string(i) + " at block " +
                                                           std::to_string(height));
    return (*ops)[i];
  }

  void Expect(uint32_t height, const char* what) {
    auto op = OpAt(height);
    if (!op.accepted) throw std::runtime_error(std::string(what) + " refused: " + op.reason);
  }

  // namespace preorder -> reveal -> ready for `id`.
  void CreateNamespace(const std::string& id, uint32_t lifetime, bool ready = true) {
    auto hash = *bns::HashName(id, creator.script, creator.address);
    chain.Op(creator, bns::ops::BuildNamespacePreorder(MAGIC, hash, LastCh()),
             {chain.Pay(creator, 5000), chain.Pay(chain.rules.BurnAddress(), 4100000000)});
    Expect(MineAndSync(), "namespace preorder");
    chain.Op(creator, bns::ops::BuildReveal(MAGIC, CheapNamespace(id, lifetime)),
             {chain.Pay(creator, 5500), chain.Pay(creator, 5000)});
    Expect(MineAndSync(), "namespace reveal");
    if (!ready) return;
    chain.Op(creator, bns::ops::BuildReady(MAGIC, id), {chain.Pay(creator, 5000)});
    Expect(MineAndSync(), "namespace ready");
  }

  // preorder + register `fqn` for `who` (paying `fee`), with an optional zone-file hash.
  uint32_t Register(const Wallet& who, const std::string& fqn, std::optional<util::Hash160> zh = std::nullopt,
                    int64_t fee = 100000) {
    auto hash = *bns::HashName(fqn, who.script, who.address);
    chain.Op(who, bns::ops::BuildNamePreorder(MAGIC, hash, LastCh()),
             {chain.Pay(who, 5000), chain.Pay(chain.rules.BurnAddress(), fee)});
    MineAndSync();
    chain.Op(who, bns::ops::BuildRegistration(MAGIC, fqn, zh), {chain.Pay(who, 5500), chain.Pay(who, 5000)});
    return MineAndSync();
  }

  ChainFixture chain;
  Wallet creator, alice, bob;
  std::unique_ptr<Node> node;
};

}  // namespace blockstack::testutil
