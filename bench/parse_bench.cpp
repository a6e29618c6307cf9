// Block parsing throughput against its floor.
//
// Writes ~10,000 synthetic blocks (~200 MB, legacy and segwit transactions mixed)
// to a block file, then reads them back through BlockFileSource::GetBlock (parse +
// txids + merkle check) and, over the same mapped bytes, computes plain double
// SHA-256 of every block: the least any parser that derives txids must pay.
// Prints both rates and their ratio.
//
// Usage: parse_bench [BLOCKS] [DIR]   (defaults 10000, /tmp)
//        parse_bench --file BLOCKFILE  (measure an existing block file instead)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <bitcoin/rpc/block_file.h>
#include <bitcoin/script.h>
#include <crypto/hash.h>

using namespace blockstack;
using Clock = std::chrono::steady_clock;

namespace {

struct Rng {
  uint64_t s;
  uint64_t Next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  void Fill(uint8_t* p, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(Next());
  }
};

bitcoin::Transaction RandomTx(Rng& rng, bool segwit) {
  bitcoin::Transaction tx;
  tx.version = 2;
  int inputs = 1 + static_cast<int>(rng.Next() % 3);
  for (int i = 0; i < inputs; ++i) {
    bitcoin::TxIn in;
    rng.Fill(in.prevout.txid.begin(), 32);
    in.prevout.index = static_cast<uint32_t>(rng.Next() % 4);
    if (segwit) {
      in.witness = {util::Bytes(72), util::Bytes(33)};
      rng.Fill(in.witness[0].data(), 72);
      rng.Fill(in.witness[1].data(), 33);
    } else {
      in.script_sig.resize(107);
      rng.Fill(in.script_sig.data(), 107);
    }
    tx.inputs.push_back(std::move(in));
  }
  int outputs = 1 + static_cast<int>(rng.Next() % 3);
  for (int o = 0; o < outputs; ++o) {
    util::Hash160 h;
    rng.Fill(h.begin(), 20);
    tx.outputs.push_back({static_cast<int64_t>(rng.Next() % 100000000), bitcoin::MakeP2pkhScript(h)});
  }
  if (rng.Next() % 4 == 0) {
    util::Bytes data(40);
    rng.Fill(data.data(), data.size());
    tx.outputs.push_back({0, *bitcoin::MakeOpReturnScript(data)});
  }
  return tx;
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

int main(int argc, char** argv) {
  const bool existing = argc > 2 && std::string(argv[1]) == "--file";
  const int requested = !existing && argc > 1 ? std::atoi(argv[1]) : 10000;
  const std::string dir = !existing && argc > 2 ? argv[2] : "/tmp";
  const std::string path = existing ? argv[2] : dir + "/parse_bench_" + std::to_string(::getpid()) + ".blk";
  if (!existing) {
  const int blocks = requested;
  Rng rng{42};
  auto writer = bitcoin::rpc::BlockFileWriter::Create(path, 0);
  if (!writer) {
    std::fprintf(stderr, "%s\n", writer.error().message.c_str());
    return 1;
  }
  util::Hash256 prev;
  for (int b = 0; b < blocks; ++b) {
    bitcoin::Block block;
    block.header.version = 0x20000000;
    block.header.prev_hash = prev;
    block.header.time = 1600000000 + static_cast<uint32_t>(b) * 600;
    int txs = 30 + static_cast<int>(rng.Next() % 30);
    for (int t = 0; t < txs; ++t) block.txs.push_back(RandomTx(rng, rng.Next() % 2 == 0));
    block.Finalize();
    block.header.merkle_root = bitcoin::ComputeMerkleRoot(block.txids);
    block.Finalize();
    prev = block.hash;
    if (auto st = writer->Append(block); !st) {
      std::fprintf(stderr, "%s\n", st.error().message.c_str());
      return 1;
    }
  }
  (void)writer->Close();
  }
  auto src = bitcoin::rpc::BlockFileSource::Open(path);
  if (!src) {
    std::fprintf(stderr, "%s\n", src.error().message.c_str());
    return 1;
  }
  std::size_t total = 0;
  for (std::size_t i = 0; i < (*src)->BlockCount(); ++i) total += (*src)->RawBlock(i).size();
  const double mb = static_cast<double>(total) / 1e6;

  // Peer: double SHA-256 over every block's bytes.
  auto t0 = Clock::now();
  uint8_t sink = 0;
  for (std::size_t i = 0; i < (*src)->BlockCount(); ++i) sink ^= crypto::Sha256d((*src)->RawBlock(i))[0];
  double sha_s = Seconds(Clock::now() - t0);

  // Ours: full parse, txids and merkle check through the BlockSource.
  const int blocks = static_cast<int>((*src)->BlockCount());
  t0 = Clock::now();
  std::size_t txs = 0;
  for (uint32_t h = (*src)->FirstHeight(); h < (*src)->FirstHeight() + static_cast<uint32_t>(blocks); ++h) {
    auto block = (*src)->GetBlock(h);
    if (!block) {
      std::fprintf(stderr, "block %u: %s\n", h, block.error().message.c_str());
      return 1;
    }
    txs += block->txs.size();
  }
  double parse_s = Seconds(Clock::now() - t0);
  if (!existing) std::filesystem::remove(path);

  std::printf("parse_bench: %d blocks, %zu transactions, %.1f MB (sink %u)\n", blocks, txs, mb, sink);
  std::printf("  ours   parse+txids+merkle  %8.1f MB/s  %8.0f blocks/s  %.3f s\n", mb / parse_s, blocks / parse_s, parse_s);
  std::printf("  floor  double SHA-256      %8.1f MB/s  %8.0f blocks/s  %.3f s\n", mb / sha_s, blocks / sha_s, sha_s);
  std::printf("  ratio  ours / floor        %8.2f  (1.00 would be parsing for free)\n", (mb / parse_s) / (mb / sha_s));
  std::printf("  rerun: make bench, or build/release/bench/parse_bench [BLOCKS] [DIR]\n");
  return 0;
}
