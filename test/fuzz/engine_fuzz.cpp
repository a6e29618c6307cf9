// The BNS engine on arbitrary operations: the fuzz input becomes blocks of signed
// transactions whose OP_RETURN payloads, opcodes and output shapes it chooses.
// Nothing may crash, and two fresh nodes must reach the same consensus hashes.
#include <atomic>
#include <cstdlib>
#include <cstring>

#include <bitcoin/address.h>
#include <bitcoin/memory_source.h>
#include <bitcoin/sign.h>
#include <bns/db/engine.h>
#include <crypto/hash.h>
#include <util/serialize.h>
#include <virtualchain/scanner.h>

#include <spdlog/spdlog.h>

using namespace blockstack;

namespace {

constexpr uint32_t FIRST = 10;

const crypto::PrivateKey& Key(int i) {
  static const crypto::PrivateKey keys[2] = {
      *crypto::PrivateKey::FromHex("a5c61c6ca7b3e7e55edee68566aeab22e4da26baa285c7bd10e8d2218aa3b229"),
      *crypto::PrivateKey::FromHex("e0a0eab434faf2c609cac5919b71a2348a747cdf7618cc8847c2d55d98e3df4e")};
  return keys[i];
}

util::Bytes ScriptOf(int i) { return bitcoin::MakeP2pkhScript(crypto::Hash160Of(Key(i).GetPublicKey().Serialize())); }

void Seal(bitcoin::Block& b, const util::Hash256& prev, uint32_t n) {
  bitcoin::Transaction cb;
  bitcoin::TxIn in;
  in.prevout.index = 0xffffffff;
  in.script_sig = {0x01, static_cast<uint8_t>(n)};
  cb.inputs.push_back(in);
  cb.outputs.push_back({1, util::Bytes{0x51}});
  b.txs.insert(b.txs.begin(), cb);
  b.header.prev_hash = prev;
  b.Finalize();
  b.header.merkle_root = bitcoin::ComputeMerkleRoot(b.txids);
  b.Finalize();
}

std::vector<std::string> Run(bitcoin::MemoryBlockSource& source, const bns::ops::Rules& rules) {
  auto db = bns::db::NameDb::Open(":memory:");
  if (!db) std::abort();
  bns::db::Engine engine(**db, rules);
  virtualchain::ScanOptions o;
  o.first_block = FIRST;
  o.confirmations = 0;
  o.network = rules.network;
  virtualchain::Scanner scanner(source, engine, o);
  std::atomic<bool> stop{false};
  auto r = scanner.CatchUp(stop);
  if (!r) std::abort();  // every input is processable: bad ops are rejected, not errors
  std::vector<std::string> out;
  for (uint32_t h = FIRST; h < FIRST + source.Size(); ++h) out.push_back((*db)->ConsensusHashAt(h)->value_or("?"));
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static bool quiet = [] {
    spdlog::set_level(spdlog::level::off);
    return true;
  }();
  (void)quiet;
  bns::ops::Rules rules;
  rules.network = bitcoin::Network::Regtest;
  rules.epochs = bns::EpochSchedule::Single(3);
  rules.first_block = FIRST;
  const auto& net = rules.Net();

  bitcoin::MemoryBlockSource source(FIRST);
  // Block FIRST funds both keys with 64 outputs each.
  bitcoin::Block fund_block;
  bitcoin::Transaction fund;
  fund.inputs.emplace_back();
  fund.inputs[0].prevout.txid[0] = 1;
  for (int k = 0; k < 2; ++k) {
    for (int i = 0; i < 64; ++i) fund.outputs.push_back({100000000, ScriptOf(k)});
  }
  fund_block.txs.push_back(fund);
  Seal(fund_block, {}, 0);
  source.Add(fund_block);
  util::Hash256 tip = fund_block.hash;
  const util::Hash256 fund_id = fund.ComputeTxid();
  uint32_t next_out[2] = {0, 64};

  util::ByteReader r(util::ByteView(data, size));
  int blocks = 0;
  while (!r.AtEnd() && blocks < 6) {
    bitcoin::Block b;
    uint8_t ntx = r.U8().value_or(0) % 8;
    for (uint8_t t = 0; t < ntx && !r.AtEnd(); ++t) {
      uint8_t ctl = r.U8().value_or(0);
      int who = ctl & 1;
      if (next_out[who] >= static_cast<uint32_t>(64 * (who + 1))) break;
      static const char OPS[] = "?~:+>;*&!#$";
      char opcode = OPS[(ctl >> 1) % 11];
      uint8_t len = r.U8().value_or(0) % 78;
      auto body = r.Take(std::min<std::size_t>(len, r.Remaining())).value_or(util::ByteView{});
      util::Bytes payload{'i', 'd', static_cast<uint8_t>(opcode)};
      payload.insert(payload.end(), body.begin(), body.end());
      bitcoin::Transaction tx;
      tx.inputs.emplace_back();
      tx.inputs[0].prevout.txid = fund_id;
      tx.inputs[0].prevout.index = next_out[who]++;
      tx.outputs.push_back({0, *bitcoin::MakeOpReturnScript(payload)});
      uint8_t nout = r.U8().value_or(0) % 5;
      for (uint8_t i = 0; i < nout; ++i) {
        uint8_t kind = r.U8().value_or(0);
        int64_t value = int64_t{r.U16LE().value_or(0)} * 100;
        util::Bytes script;
        switch (kind % 4) {
          case 0: script = ScriptOf(kind / 4 % 2); break;
          case 1: script = bitcoin::MakeP2pkhScript(util::Hash160{}); break;  // the burn address
          case 2: script = bitcoin::MakeP2shScript(crypto::Hash160Of(util::Bytes{kind})); break;
          default: script = {0x6a, 0x01, kind}; break;
        }
        tx.outputs.push_back({value, script});
      }
      (void)bitcoin::SignP2pkhInput(tx, 0, ScriptOf(who), Key(who));
      b.txs.push_back(tx);
    }
    Seal(b, tip, static_cast<uint32_t>(source.Size()));
    tip = b.hash;
    source.Add(b);
    ++blocks;
  }
  (void)net;
  auto first = Run(source, rules);
  auto second = Run(source, rules);
  if (first != second) std::abort();
  return 0;
}
