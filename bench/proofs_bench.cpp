// Verifiable lookups (doc/proofs.md), measured:
//  1. history bundles against the chain's length (10,000 and 300,000 blocks) and
//     the name's history (1, 10 and 100 operations): size, time to build, time
//     to read and verify; and the round trips the original's SNV took for the
//     same proof (one per consensus hash it walked) against our one request;
//  2. the name-state tree at N names (default 1,000,000): build time, memory,
//     proofs made and checked per second, a proof's size, and the cost of a
//     block's update.
// The cost of keeping the tree while indexing is measured by
// bench/proofs_bench.sh, which runs blockstackd with and without it.
//
// Usage: proofs_bench [NAMES]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "bench_util.h"

#include <bitcoin/script.h>
#include <bitcoin/tx.h>
#include <bns/records.h>
#include <crypto/hash.h>
#include <proofs/bundle.h>
#include <proofs/state_tree.h>
#include <proofs/verify.h>
#include <virtualchain/canonical.h>
#include <virtualchain/consensus.h>

using namespace blockstack;

namespace {

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

constexpr uint32_t FIRST = 100;
constexpr int OPS_PER_BLOCK = 10;  // the name's operation and nine others

std::string Hex20(uint64_t i) { return crypto::Sha256(util::AsBytes(std::to_string(i))).Hex().substr(0, 40); }

// An update of `name` in a transaction of its own: its serialisation and raw tx.
std::pair<std::string, std::string> Update(const std::string& name, uint32_t height, uint32_t vtx) {
  bitcoin::Transaction tx;
  tx.inputs.push_back({{crypto::Sha256(util::AsBytes(name + std::to_string(height))), vtx}, {}, 0xffffffff, {}});
  // "id+": a name consensus hash (16 bytes) and a zone-file hash (20).
  util::Bytes payload{'i', 'd', '+'};
  auto body = crypto::Sha256(util::AsBytes(name));
  payload.insert(payload.end(), body.begin(), body.end());
  payload.resize(3 + 36, 0);
  tx.outputs.push_back({0, *bitcoin::MakeOpReturnScript(payload)});
  tx.outputs.push_back({5500, bitcoin::MakeP2pkhScript(crypto::Hash160Of(util::AsBytes(name)))});
  const util::Bytes raw = bitcoin::SerializeTransaction(tx, false);
  bns::NameRecord r;
  r.name = name;
  r.value_hash = Hex20(height);
  r.sender = "76a914" + Hex20(7) + "88ac";
  r.address = "mxVFsFW5N4mu1HPkxPttorvocvzeZ7KZyk";
  r.block_number = r.first_registered = r.last_renewed = r.preorder_block_number = FIRST;
  r.op = "+";
  r.txid = crypto::Sha256d(raw).ReversedHex();
  r.vtxindex = vtx;
  r.op_fee = int64_t{6400000};
  auto values = bns::NameRecordValues(r);
  values.emplace_back(std::string(32, 'a'));
  values.emplace_back(std::string(32, 'b'));
  return {virtualchain::SerializeOp('+', values), util::ToHex(raw)};
}

void Bundles(uint32_t chain, int history) {
  const uint32_t tip = FIRST + chain - 1;
  // The blocks with the name's operations, spread over the chain.
  std::vector<uint32_t> op_blocks;
  for (int i = 0; i < history; ++i) op_blocks.push_back(FIRST + (uint64_t{chain} * (i + 1)) / (history + 1));
  std::vector<proofs::BlockOps> blocks;
  std::vector<std::string> ops_hash(chain, virtualchain::EMPTY_OPS_HASH);
  for (uint32_t h : op_blocks) {
    proofs::BlockOps b;
    b.height = h;
    for (int k = 0; k < OPS_PER_BLOCK; ++k) {
      auto [text, raw] = Update(k == 0 ? "alice.id" : "other" + std::to_string(k) + ".id", h, k + 1);
      if (k == 0) {
        const auto txid = crypto::Sha256d(*util::FromHex(raw)).ReversedHex();
        b.name_ops.push_back({txid, 1, raw});
      }
      b.ops.push_back(std::move(text));
    }
    ops_hash[h - FIRST] = virtualchain::OpsHash(b.ops);
    blocks.push_back(std::move(b));
  }
  std::reverse(blocks.begin(), blocks.end());
  // Every block's consensus hash, as the chain would have it.
  std::vector<std::string> ch(chain);
  for (uint32_t h = FIRST; h <= tip; ++h) {
    std::vector<std::string> prev;
    for (uint32_t p : virtualchain::PreviousHashHeights(h, FIRST)) prev.push_back(ch[p - FIRST]);
    ch[h - FIRST] = virtualchain::ConsensusHash(prev, ops_hash[h - FIRST]);
  }
  auto start = Clock::now();
  proofs::HistoryBundle bundle;
  bundle.name = "alice.id";
  bundle.anchor_height = tip;
  bundle.anchor_consensus_hash = ch[tip - FIRST];
  bundle.first_block = FIRST;
  bundle.blocks = blocks;
  std::vector<uint32_t> heights{tip};
  for (const auto& b : blocks) {
    for (uint32_t h : proofs::LinkPath(heights.back(), b.height, FIRST)) heights.push_back(h);
  }
  for (uint32_t h : heights) {
    proofs::Link link{h, ops_hash[h - FIRST], {}};
    for (uint32_t p : virtualchain::PreviousHashHeights(h, FIRST)) link.previous.push_back(ch[p - FIRST]);
    bundle.links.push_back(std::move(link));
  }
  const std::string json = proofs::ToJson(bundle);
  const double build_ms = Since(start) * 1e3;
  std::vector<double> verify_ms;
  for (int i = 0; i < 15; ++i) {
    auto t = Clock::now();
    auto parsed = proofs::ParseHistoryBundle(json);
    auto verified = parsed ? proofs::VerifyHistory(*parsed, bundle.anchor_consensus_hash) : util::Fail(parsed.error());
    verify_ms.push_back(Since(t) * 1e3);
    if (!verified || verified->ops.size() != static_cast<std::size_t>(history)) {
      std::printf("proofs_bench: the bundle does not verify: %s\n",
                  verified ? "operations missing" : verified.error().message.c_str());
      std::exit(1);
    }
  }
  std::size_t hashes = 0;
  for (const auto& l : bundle.links) hashes += l.previous.size();
  std::printf(
      "  bundle  chain %7u blocks  history %3d ops: %8.1f KB  %4zu links (%5zu hashes)  build %7.2f ms  "
      "read+verify %7.2f ms (median)  SNV round trips %4zu vs 1\n",
      chain, history, static_cast<double>(json.size()) / 1024, bundle.links.size(), hashes, build_ms,
      bench::Percentile(verify_ms, 0.5), bundle.links.size());
}

void Tree(std::size_t names) {
  std::vector<proofs::Hash256> keys(names);
  for (std::size_t i = 0; i < names; ++i) keys[i] = proofs::StateKey("name" + std::to_string(i) + ".id");
  auto value = [](std::size_t i, int v) { return crypto::Sha256(util::AsBytes(std::to_string(i * 31 + v))); };
  auto start = Clock::now();
  proofs::StateTree tree;
  for (std::size_t i = 0; i < names; ++i) tree.Set(keys[i], value(i, 0));
  tree.Commit();
  const double build_s = Since(start);
  // A block's update: 40 names changed, then the root.
  std::vector<double> block_ms;
  for (int b = 0; b < 200; ++b) {
    auto t = Clock::now();
    for (int k = 0; k < 40; ++k) tree.Set(keys[(b * 7919 + k * 104729) % names], value(b, k + 1));
    tree.Commit();
    block_ms.push_back(Since(t) * 1e3);
  }
  const int proofs_made = 100000;
  std::size_t bytes = 0;
  start = Clock::now();
  for (int i = 0; i < proofs_made; ++i) {
    const auto& key = keys[(static_cast<std::size_t>(i) * 2654435761u) % names];
    auto p = tree.Prove(key);
    bytes += p.siblings.size() * 32 + 64;
  }
  const double prove_s = Since(start);
  auto answer = proofs::StateAnswer{"name7.id", 1, std::string(32, 'c'), tree.Root(), tree.Prove(keys[7])};
  const std::string json = proofs::ToJson(answer);
  start = Clock::now();
  for (int i = 0; i < proofs_made; ++i) {
    auto a = proofs::ParseStateAnswer(json);
    if (!a || !proofs::VerifyState(*a, a->root)) std::exit(1);
  }
  const double check_s = Since(start);
  std::printf(
      "  tree    %zu names: built in %.2f s, %.0f MB; a block of 40 changes %.3f ms (median); "
      "%.0f proofs/s made (%.0f bytes each), %.0f/s read from JSON and checked (%zu bytes)\n",
      names, build_s, static_cast<double>(tree.MemoryBytes()) / 1e6, bench::Percentile(block_ms, 0.5),
      proofs_made / prove_s, static_cast<double>(bytes) / proofs_made, proofs_made / check_s, json.size());
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t names = argc > 1 ? std::stoul(argv[1]) : 1000000;
  std::printf("proofs_bench\n");
  for (uint32_t chain : {10000u, 300000u}) {
    for (int history : {1, 10, 100}) Bundles(chain, history);
  }
  Tree(names);
  std::printf("  rerun: build/release/bench/proofs_bench %zu (or make bench)\n", names);
  return 0;
}
