// chaingen: writes a deterministic synthetic chain of valid BNS operations to a
// block file (doc/block-file.md), for the crash test and the indexing benchmark.
//
// Wallets are derived from the seed; a namespace is created, then every block
// carries name preorders, the registrations of the previous block's preorders,
// updates and renewals. An in-memory node indexes each block as it is made, so
// consensus hashes in payloads are right and every operation is checked to be
// accepted. Prints the final height and consensus hash.
//
// With --imports N, N names are imported (NAME_IMPORT) into the namespace before it
// is made ready, --imports-per-block at a time, from chains of transactions that
// each spend the previous one's change; the first --zonefiles of them point at
// generated zone files of about 4 KB, which --zonefiles-db stores (for the snapshot
// benchmark).
//
// Usage: chaingen --out FILE [--blocks N] [--ops-per-block M] [--seed S] [--first-block F]
//                 [--imports N] [--imports-per-block K] [--zonefiles Z --zonefiles-db PATH]
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <deque>
#include <unordered_map>

#include <atlas/zonefile_store.h>
#include <bitcoin/address.h>
#include <bitcoin/memory_source.h>
#include <bitcoin/rpc/block_file.h>
#include <bitcoin/sign.h>
#include <bns/db/engine.h>
#include <bns/names.h>
#include <bns/ops/ops.h>
#include <crypto/hash.h>
#include <virtualchain/scanner.h>

using namespace blockstack;

namespace {

constexpr const char* MAGIC = "id";
constexpr int OUTPUTS_PER_WALLET = 90;
constexpr int NAMES_PER_WALLET = 20;
// Import chains: outputs of the importer's funding transaction, and their value.
constexpr int IMPORT_CHAINS = 90;
constexpr int64_t IMPORT_CHAIN_VALUE = 100000000000;  // 1,000 BTC: ~9 million imports of 11,000 sat

// A zone file of about 4 KB for an imported name: a profile URI and TXT records.
std::string SyntheticZonefile(const std::string& fqn) {
  std::string z = "$ORIGIN " + fqn + "\n$TTL 3600\n_http._tcp IN URI 10 1 \"https://hub.example.org/" + fqn +
                  "/profile.json\"\n";
  auto seed = crypto::Sha256(util::AsBytes(fqn));
  for (int i = 0; z.size() < 4000; ++i) {
    seed = crypto::Sha256(seed.view());
    z += "r" + std::to_string(i) + " IN TXT \"" + seed.Hex() + "\"\n";
  }
  return z;
}

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
  uint32_t imports = 0, imports_per_block = 1000, zonefile_count = 0;
  std::string zonefiles_db;
  app.add_option("--imports", imports, "Names to import before the namespace is ready");
  app.add_option("--imports-per-block", imports_per_block, "Imports per block");
  app.add_option("--zonefiles", zonefile_count, "Imported names whose zone file is generated");
  app.add_option("--zonefiles-db", zonefiles_db, "Zone-file store (blockstackd's zonefiles.db) to write them to");
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
  bns::db::Engine engine(**db, rules);
  bitcoin::MemoryBlockSource source(first);
  virtualchain::ScanOptions so;
  so.first_block = first;
  so.confirmations = 0;
  so.network = rules.network;
  so.batch_blocks = 1;
  virtualchain::Scanner scanner(source, engine, so);
  auto writer = bitcoin::rpc::BlockFileWriter::Create(out_path, first);
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
  // With chain set, the transaction's last output is change that the wallet spends next.
  auto op = [&](std::size_t who, const util::Bytes& data, std::vector<bitcoin::TxOut> extra, bool chain = false) {
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
    if (chain) w.utxos.insert(w.utxos.begin(), {tx.ComputeTxid(), static_cast<uint32_t>(tx.outputs.size() - 1)});
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
    source.ForgetBlocksBelow(height + 1);  // indexed: only its hash is needed now
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
  if (imports > 0) {
    std::unique_ptr<atlas::ZonefileStore> store;
    if (zonefile_count > 0) {
      auto opened = atlas::ZonefileStore::Open(zonefiles_db);
      if (!opened) {
        std::fprintf(stderr, "--zonefiles-db: %s\n", opened.error().message.c_str());
        return 1;
      }
      store = std::move(*opened);
    }
    // The revealer's chains: one funding transaction with IMPORT_CHAINS big outputs.
    Wallet& importer = wallets[creator];
    bitcoin::Transaction fund;
    bitcoin::TxIn fin;
    fin.prevout.index = 7;
    fund.inputs.push_back(fin);
    for (int i = 0; i < IMPORT_CHAINS; ++i) fund.outputs.push_back({IMPORT_CHAIN_VALUE, importer.script});
    auto fid = fund.ComputeTxid();
    importer.utxos.clear();
    for (uint32_t i = 0; i < IMPORT_CHAINS; ++i) importer.utxos.push_back({fid, i});
    pending.push_back(std::move(fund));
    std::vector<std::size_t> owners;
    for (int i = 0; i < 16; ++i) owners.push_back(new_wallet());
    std::vector<std::string> batch;
    int64_t change = IMPORT_CHAIN_VALUE;
    for (uint32_t i = 0; i < imports; ++i) {
      std::string fqn = "i" + std::to_string(i) + ".bench";
      util::Hash160 zh;
      if (i < zonefile_count) {
        batch.push_back(SyntheticZonefile(fqn));
        zh = crypto::Hash160Of(util::AsBytes(batch.back()));
      } else {
        zh = crypto::Hash160Of(util::AsBytes(fqn));
      }
      // Each chain pays 11,000 satoshis per import; the change shrinks alike on all.
      if (i % IMPORT_CHAINS == 0) change -= 11000;
      op(creator, bns::ops::BuildImport(MAGIC, fqn),
         {pay(owners[i % owners.size()], 5500), bitcoin::TxOut{5500, bitcoin::MakeP2pkhScript(zh)},
          pay(creator, change)},
         /*chain=*/true);
      if (batch.size() >= 1000 || (i + 1 == zonefile_count && !batch.empty())) {
        if (auto st = store->PutMany(batch); !st) {
          std::fprintf(stderr, "zone-file store: %s\n", st.error().message.c_str());
          return 1;
        }
        batch.clear();
      }
      if ((i + 1) % imports_per_block == 0 || i + 1 == imports) mine();
    }
  }
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
              last_ch().c_str(), static_cast<unsigned long long>(total_ops), names.size() + imports);
  return 0;
}
