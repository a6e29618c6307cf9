// The snapshot file (doc/snapshot.md): a name database carried as what produces
// it, so a node can rebuild and check it with no Bitcoin node. Layout:
//
//   "BSSNAP\x01\n"                 8 bytes: magic and format version
//   zstd frame                      the record stream below, compressed
//   footer                          48 bytes: "BSSNAPFT", u64 LE length of the zstd
//                                   frame, SHA-256 of every byte before the footer
//
// Records (decompressed): a tag byte, a u32 LE body length, the body.
//   'H'  header, JSON (network, magic, first block, height, block hash, consensus hash)
//   'B'  one per block, heights first_block..height in order: height, block hash,
//        consensus hash, and every operation the node recorded at that height
//        (accepted or rejected), each with its raw transaction and, per input, the
//        scriptPubKey and value of the output it spends (the senders, spec bns.md §1.3)
//   'Z'  one per zone file: its hash160 and its bytes
//   'E'  the end: how many blocks, operations and zone files came before
//
// A missing or wrong footer (a partly written or damaged file) is found when the
// file is opened, before anything is read; a record stream that breaks any rule
// above fails the read that meets it. Nothing here checks consensus: the restore
// replays the operations and compares consensus hashes (src/node/snapshot.h).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <util/bytes.h>
#include <util/result.h>

namespace blockstack::snapshot {

inline constexpr uint32_t FORMAT_VERSION = 1;
// Largest record body accepted (a block's operations); anything larger is corrupt.
inline constexpr std::size_t MAX_RECORD_BYTES = 32u << 20;
// Largest zone file (the reference's limit, spec atlas.md §2).
inline constexpr std::size_t MAX_ZONEFILE_BYTES = 40960;

struct Header {
  uint32_t format = FORMAT_VERSION;
  std::string network;         // "mainnet", "testnet", "regtest"
  std::string magic;           // the payload prefix, "id" on mainnet
  uint32_t first_block = 0;
  uint32_t height = 0;         // the last block in the snapshot
  std::string block_hash;      // of `height`, display (reversed) hex
  std::string consensus_hash;  // at `height`, as the writing node computed it
  uint64_t zonefiles = 0;      // how many zone files follow the blocks (for progress)
  std::string created;         // UTC time of writing, informational
};

// The output an input spends: enough to rebuild the sender (spec bns.md §1.3).
struct SpentOutput {
  util::Bytes script_pubkey;
  int64_t value = 0;
};

struct Operation {
  uint32_t vtxindex = 0;
  util::Bytes raw_tx;                // non-witness serialisation
  std::vector<SpentOutput> spent;    // one per input, in input order
};

struct Block {
  uint32_t height = 0;
  util::Hash256 hash;                // internal byte order
  std::string consensus_hash;        // 32 lowercase hex, as the writing node computed it
  std::vector<Operation> ops;        // in vtxindex order
};

struct Zonefile {
  std::string hash;  // hash160, lowercase hex
  std::string data;
};

struct Counts {
  uint64_t blocks = 0;
  uint64_t ops = 0;
  uint64_t zonefiles = 0;
};

// Writes a snapshot to `path` through a temporary beside it; the file appears
// under its name only when Finish succeeds. A writer destroyed before Finish
// removes the temporary. Blocks must come in height order from the header's first
// block to its height, then the zone files. Not thread-safe.
class Writer {
 public:
  static util::Result<std::unique_ptr<Writer>> Create(const std::string& path, const Header& header,
                                                      int compression_level = 3);
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  util::Status AddBlock(const Block& block);
  util::Status AddZonefile(std::string_view hash_hex, std::string_view data);
  // Writes the end record and the footer, syncs and renames the file into place.
  // Fails with InvalidArgument when the blocks did not reach the header's height.
  util::Status Finish();
  // Bytes written to the file so far (compressed).
  uint64_t BytesWritten() const;

 private:
  struct State;
  explicit Writer(std::unique_ptr<State> state);
  std::unique_ptr<State> m_state;
};

// A record read from a snapshot: a block, a zone file, or the end.
using Record = std::variant<Block, Zonefile, Counts>;

// Reads a snapshot written by Writer. Not thread-safe.
class Reader {
 public:
  // Opens the file and checks its magic, footer, length and checksum, then reads
  // the header. Fails with IoError when it cannot be read and Corruption (saying
  // what is wrong) when it is truncated, damaged or not a snapshot.
  static util::Result<std::unique_ptr<Reader>> Open(const std::string& path);
  // The same over bytes in memory (tests, fuzzing).
  static util::Result<std::unique_ptr<Reader>> FromBytes(std::string bytes);
  ~Reader();
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  const Header& GetHeader() const;
  // The next record; after the end record, Counts again. Fails with Corruption on
  // a malformed record, a block out of order, or counts that disagree with what
  // was read.
  util::Result<Record> Next();
  // Compressed bytes consumed so far and in all (for progress).
  uint64_t Position() const;
  uint64_t Size() const;

 private:
  struct State;
  explicit Reader(std::unique_ptr<State> state);
  static util::Result<std::unique_ptr<Reader>> Start(std::unique_ptr<State> state);
  std::unique_ptr<State> m_state;
};

// Record bodies, public for tests and the fuzz target. Decoders fail with
// Corruption on anything malformed and never read past the body.
// EncodeBlock expects the block's consensus hash to be 32 lowercase hex digits (Writer::AddBlock checks).
util::Bytes EncodeBlock(const Block& block);
util::Result<Block> DecodeBlock(util::ByteView body);
util::Result<Zonefile> DecodeZonefile(util::ByteView body);
util::Result<Header> DecodeHeader(util::ByteView body);
util::Result<Counts> DecodeCounts(util::ByteView body);

}  // namespace blockstack::snapshot
