#include <node/snapshot.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>


#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>

#include <atlas/zonefile_store.h>
#include <bitcoin/tx.h>
#include <bns/db/engine.h>
#include <crypto/hash.h>
#include <node/command.h>
#include <node/progress.h>
#include <snapshot/snapshot_file.h>
#include <util/fsync.h>
#include <util/log.h>
#include <util/text.h>
#include <virtualchain/scanner.h>

namespace blockstack::node {

using util::ErrorCode;
using util::Fail;
namespace fs = std::filesystem;

namespace {

// Zone files stored per transaction while restoring.
constexpr std::size_t ZONEFILE_BATCH = 2000;
// Blocks per commit while replaying (the database is discarded on any failure).
constexpr uint32_t BLOCKS_PER_COMMIT = 500;
// Page size of a restored database: fewer, larger writes and shallower trees than
// SQLite's 4 KiB for a file written in one go.
constexpr int RESTORE_PAGE_SIZE = 32768;

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Senders as the op log stores them: [[scriptPubKey hex, value], ...].
util::Result<std::vector<snapshot::SpentOutput>> ParseSenders(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_array()) return Fail(ErrorCode::Corruption, "stored senders are not a JSON array");
  std::vector<snapshot::SpentOutput> out;
  for (const auto& e : j) {
    if (!e.is_array() || e.size() != 2 || !e[0].is_string() || !e[1].is_number_integer()) {
      return Fail(ErrorCode::Corruption, "stored sender is not [script, value]");
    }
    BS_TRY(auto script, util::FromHex(e[0].get<std::string>()));
    out.push_back({std::move(script), e[1].get<int64_t>()});
  }
  return out;
}

// The engine's input for one snapshot block: what the scanner would have built
// from the Bitcoin node (spec bns.md §1.2-§1.3).
util::Result<std::vector<virtualchain::FilteredTx>> FilteredTxs(const snapshot::Block& block, const std::string& magic,
                                                                bitcoin::Network network) {
  std::vector<virtualchain::FilteredTx> txs;
  txs.reserve(block.ops.size());
  for (const auto& op : block.ops) {
    auto where = [&] { return "block " + std::to_string(block.height) + " operation " + std::to_string(op.vtxindex); };
    virtualchain::FilteredTx f;
    auto tx = bitcoin::ParseTransaction(op.raw_tx, &f.txid);
    if (!tx) return Fail(ErrorCode::Corruption, "snapshot: " + where() + " is not a transaction: " + tx.error().message);
    auto payload = virtualchain::BlockstackPayload(*tx, magic);
    if (!payload) return Fail(ErrorCode::Corruption, "snapshot: " + where() + " carries no Blockstack payload");
    if (op.spent.size() != tx->inputs.size()) {
      return Fail(ErrorCode::Corruption, "snapshot: " + where() + " has " + std::to_string(op.spent.size()) +
                                             " senders for " + std::to_string(tx->inputs.size()) + " inputs");
    }
    f.vtxindex = op.vtxindex;
    f.tx = std::move(*tx);
    f.opcode = static_cast<char>((*payload)[0]);
    f.payload.assign(payload->begin() + 1, payload->end());
    for (const auto& s : op.spent) f.senders.push_back(virtualchain::SenderOf(s.script_pubkey, s.value, network));
    if (!virtualchain::CompleteFilteredTx(f)) {
      return Fail(ErrorCode::Corruption, "snapshot: " + where() + " has a sender without an address");
    }
    txs.push_back(std::move(f));
  }
  return txs;
}

// Removes a directory tree when it goes out of scope.
class TempDir {
 public:
  explicit TempDir(fs::path path) : m_path(std::move(path)) {}
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(m_path, ec);
  }
  const fs::path& Path() const { return m_path; }

 private:
  fs::path m_path;
};

// A snapshot record made ready for the replay.
struct Prepared {
  enum class Kind { Block, Zonefile, End } kind = Kind::End;
  uint32_t height = 0;
  util::Hash256 hash;
  std::string consensus_hash;
  std::vector<virtualchain::FilteredTx> txs;
  snapshot::Zonefile zonefile;
  bool hash_ok = false;  // the zone file hashes to its key
};

// Reads the snapshot on a second thread while the caller replays: decompression,
// decoding, transaction parsing, sender addresses and zone-file hashes. Blocks
// above `height` are skipped. Pop returns records in file order, the first error
// in their place, and End last.
class Pipeline {
 public:
  Pipeline(snapshot::Reader& reader, uint32_t height, const Config& cfg)
      : m_reader(reader), m_height(height), m_magic(cfg.magic), m_network(cfg.network), m_thread([this] { Run(); }) {}
  ~Pipeline() {
    {
      std::lock_guard lock(m_mutex);
      m_stop = true;
    }
    m_cv.notify_all();
    m_thread.join();
  }
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  util::Result<Prepared> Pop() {
    std::unique_lock lock(m_mutex);
    m_cv.wait(lock, [&] { return !m_queue.empty(); });
    auto item = std::move(m_queue.front());
    m_queue.pop_front();
    m_cv.notify_all();
    return item;
  }

 private:
  static constexpr std::size_t DEPTH = 64;

  // Queues an item; false when the consumer has gone.
  bool Push(util::Result<Prepared> item) {
    std::unique_lock lock(m_mutex);
    m_cv.wait(lock, [&] { return m_stop || m_queue.size() < DEPTH; });
    if (m_stop) return false;
    m_queue.push_back(std::move(item));
    m_cv.notify_all();
    return true;
  }

  void Run() {
    while (true) {
      auto rec = m_reader.Next();
      if (!rec) {
        Push(Fail(rec.error()));
        return;
      }
      Prepared p;
      if (auto* block = std::get_if<snapshot::Block>(&*rec)) {
        if (block->height > m_height) continue;
        auto txs = FilteredTxs(*block, m_magic, m_network);
        if (!txs) {
          Push(Fail(txs.error()));
          return;
        }
        p.kind = Prepared::Kind::Block;
        p.height = block->height;
        p.hash = block->hash;
        p.consensus_hash = std::move(block->consensus_hash);
        p.txs = std::move(*txs);
      } else if (auto* zonefile = std::get_if<snapshot::Zonefile>(&*rec)) {
        p.kind = Prepared::Kind::Zonefile;
        p.hash_ok = atlas::ZonefileHash(zonefile->data) == zonefile->hash;
        p.zonefile = std::move(*zonefile);
      }
      const bool end = p.kind == Prepared::Kind::End;
      if (!Push(std::move(p)) || end) return;
    }
  }

  snapshot::Reader& m_reader;
  const uint32_t m_height;
  const std::string m_magic;
  const bitcoin::Network m_network;
  std::mutex m_mutex;
  std::condition_variable m_cv;
  std::deque<util::Result<Prepared>> m_queue;  // guarded by m_mutex
  bool m_stop = false;                         // guarded by m_mutex
  std::thread m_thread;                        // last: starts once the rest is built
};

}  // namespace

util::Result<SnapshotSummary> WriteSnapshot(const std::string& data_dir, const std::string& out,
                                            std::optional<uint32_t> height, const StepProgressFn& progress) {
  const auto start = std::chrono::steady_clock::now();
  const std::string db_path = data_dir + "/blockstack.db";
  if (!fs::exists(db_path)) return Fail(ErrorCode::NotFound, "no name database in " + data_dir);
  BS_TRY(auto db, bns::db::NameDb::Open(db_path, /*read_only=*/true));
  BS_TRY(auto zonefiles, atlas::ZonefileStore::Open(data_dir + "/zonefiles.db"));
  bns::db::ReadScope read(*db);
  BS_CHECK_OK(read.Begin());

  BS_TRY(auto network, db->GetMeta("network"));
  BS_TRY(auto first_text, db->GetMeta("first_block"));
  BS_TRY(auto magic, db->GetMeta("magic"));
  BS_TRY(auto last, db->LastBlock());
  if (!network || !first_text || !last) return Fail(ErrorCode::NotFound, "nothing is indexed in " + data_dir + " yet");
  auto first_parsed = util::ParseDecimal(*first_text, UINT32_MAX);
  if (!first_parsed) return Fail(ErrorCode::Corruption, "the database's first block '" + *first_text + "' is not a number");
  const uint32_t first = static_cast<uint32_t>(*first_parsed);
  const uint32_t h = height.value_or(*last);
  if (h < first || h > *last) {
    return Fail(ErrorCode::NotFound, "height " + std::to_string(h) + " is not indexed (blocks " +
                                         std::to_string(first) + " to " + std::to_string(*last) + ")");
  }
  BS_TRY(auto top, db->SnapshotAt(h));
  if (!top) return Fail(ErrorCode::Corruption, "no consensus hash stored for block " + std::to_string(h));

  // The zone files this node holds of those set up to the height.
  BS_TRY(auto hashes, db->ValueHashesUpTo(h));
  std::vector<std::string> present;
  for (const auto& hash : hashes) {
    BS_TRY(bool has, zonefiles->Has(hash));
    if (has) present.push_back(hash);
  }

  snapshot::Header header;
  header.zonefiles = present.size();
  header.network = *network;
  header.magic = magic.value_or("id");
  header.first_block = first;
  header.height = h;
  header.block_hash = top->block_hash;
  header.consensus_hash = top->consensus_hash;
  header.created = util::FormatUtc(std::time(nullptr), "%Y-%m-%dT%H:%M:%SZ");
  BS_TRY(auto writer, snapshot::Writer::Create(out, header));

  SnapshotSummary summary;
  summary.height = h;
  summary.consensus_hash = top->consensus_hash;
  const uint64_t total_blocks = uint64_t{h} - first + 1;
  for (uint32_t b = first; b <= h; ++b) {
    BS_TRY(auto snap, db->SnapshotAt(b));
    if (!snap) return Fail(ErrorCode::Corruption, "no consensus hash stored for block " + std::to_string(b));
    snapshot::Block block;
    block.height = b;
    BS_TRY(block.hash, util::Hash256::FromReversedHex(snap->block_hash));
    block.consensus_hash = snap->consensus_hash;
    BS_TRY(auto rows, db->OpsAt(b));
    for (auto& row : rows) {
      snapshot::Operation op;
      op.vtxindex = row.vtxindex;
      op.raw_tx = std::move(row.raw_tx);
      BS_TRY(op.spent, ParseSenders(row.senders));
      block.ops.push_back(std::move(op));
    }
    summary.ops += block.ops.size();
    BS_CHECK_OK(writer->AddBlock(block));
    summary.blocks += 1;
    if (progress) progress({"snapshot: blocks", summary.blocks, total_blocks, SecondsSince(start)});
  }

  const auto zstart = std::chrono::steady_clock::now();
  summary.zonefiles_missing = hashes.size() - present.size();
  for (const auto& hash : present) {
    BS_TRY(auto data, zonefiles->Get(hash));
    if (!data) return Fail(ErrorCode::NotFound, "zone file " + hash + " vanished from the store while writing");
    BS_CHECK_OK(writer->AddZonefile(hash, *data));
    summary.zonefiles += 1;
    if (progress) progress({"snapshot: zone files", summary.zonefiles, present.size(), SecondsSince(zstart)});
  }
  BS_CHECK_OK(writer->Finish());
  summary.bytes = writer->BytesWritten();
  summary.seconds = SecondsSince(start);
  return summary;
}

util::Result<RestoreSummary> RestoreSnapshot(const Config& cfg, const RestoreArgs& args,
                                             const StepProgressFn& progress) {
  const auto start = std::chrono::steady_clock::now();
  if (!util::IsLowerHex(args.trusted_consensus_hash, 32)) {
    return Fail(ErrorCode::InvalidArgument, "--trusted-consensus-hash must be 32 lowercase hex digits");
  }
  BS_TRY(auto reader, snapshot::Reader::Open(args.file));
  const snapshot::Header& header = reader->GetHeader();
  const std::string network = bitcoin::Params(cfg.network).name;
  if (header.network != network || header.first_block != cfg.FirstBlock() || header.magic != cfg.magic) {
    return Fail(ErrorCode::InvalidArgument,
                "the snapshot is of " + header.network + " from block " + std::to_string(header.first_block) +
                    " with payloads starting '" + header.magic + "'; this node is configured for " + network +
                    " from block " + std::to_string(cfg.FirstBlock()) + " with '" + cfg.magic + "'");
  }
  const uint32_t h = args.height.value_or(header.height);
  if (h < header.first_block || h > header.height) {
    return Fail(ErrorCode::InvalidArgument, "--height " + std::to_string(h) + " is outside the snapshot (blocks " +
                                                std::to_string(header.first_block) + " to " +
                                                std::to_string(header.height) + ")");
  }
  if (h == header.height && header.consensus_hash != args.trusted_consensus_hash) {
    return Fail(ErrorCode::Corruption, "the snapshot's consensus hash at block " + std::to_string(h) + " is " +
                                           header.consensus_hash + ", not the trusted " + args.trusted_consensus_hash +
                                           ": it is of another chain or was altered");
  }

  const fs::path dir(cfg.data_dir);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Fail(ErrorCode::IoError, "cannot create " + cfg.data_dir + ": " + ec.message());
  const fs::path db_path = dir / "blockstack.db";
  if (fs::exists(db_path)) {
    BS_TRY(auto existing, bns::db::NameDb::Open(db_path.string(), /*read_only=*/true));
    BS_TRY(auto last, existing->LastBlock());
    if (last) {
      return Fail(ErrorCode::Conflict, "the data directory " + cfg.data_dir +
                                           " already holds a name database indexed to block " +
                                           std::to_string(*last) + "; restore into a new directory");
    }
  }
  TempDir temp(dir / "restore.partial");
  fs::remove_all(temp.Path(), ec);
  fs::create_directories(temp.Path(), ec);
  if (ec) return Fail(ErrorCode::IoError, "cannot create " + temp.Path().string() + ": " + ec.message());

  RestoreSummary summary;
  summary.height = h;
  {
    BS_TRY(auto db, bns::db::NameDb::Open((temp.Path() / "blockstack.db").string(), false, RESTORE_PAGE_SIZE));
    BS_CHECK_OK(db->SetMeta("network", network));
    BS_CHECK_OK(db->SetMeta("first_block", std::to_string(cfg.FirstBlock())));
    BS_CHECK_OK(db->SetMeta("magic", cfg.magic));
    // Replayed under this version's rules, whatever made the snapshot.
    BS_CHECK_OK(db->SetMeta("rules_revision", std::to_string(bns::ops::RULES_REVISION)));
    BS_TRY(auto store, atlas::ZonefileStore::Open((temp.Path() / "zonefiles.db").string(), /*bulk=*/true));
    bns::db::Engine engine(*db, RulesFor(cfg));
    BS_CHECK_OK(db->BeginBulkLoad(BLOCKS_PER_COMMIT, h));

    // 1. Replay every block's operations and compare consensus hashes.
    const uint64_t total_blocks = uint64_t{h} - header.first_block + 1;
    std::vector<std::string> batch;
    auto flush = [&]() -> util::Status {
      if (batch.empty()) return util::Ok();
      auto stored = store->PutMany(batch);
      if (!stored) return Fail(stored.error());
      batch.clear();
      return util::Ok();
    };
    auto zstart = std::chrono::steady_clock::now();
    Pipeline records(*reader, h, cfg);
    while (true) {
      BS_TRY(Prepared record, records.Pop());
      if (record.kind == Prepared::Kind::Block) {
        BS_CHECK_OK(engine.ProcessBlock(record.height, record.hash, record.txs));
        BS_TRY(auto derived, db->ConsensusHashAt(record.height));
        if (!derived || *derived != record.consensus_hash) {
          return Fail(ErrorCode::Corruption,
                      "block " + std::to_string(record.height) + " differs: the consensus hash rebuilt from the " +
                          "snapshot's operations is " + derived.value_or("(none)") + ", the snapshot records " +
                          record.consensus_hash + " (the snapshot was altered at this block, or this node runs " +
                          "other rules: check --network, --epoch and the config)");
        }
        summary.blocks += 1;
        summary.ops += record.txs.size();
        if (record.height == h) {
          if (*derived != args.trusted_consensus_hash) {
            return Fail(ErrorCode::Corruption, "the consensus hash at block " + std::to_string(h) +
                                                   " rebuilt from the snapshot is " + *derived + ", not the trusted " +
                                                   args.trusted_consensus_hash +
                                                   ": the snapshot is of another chain or was altered");
          }
          summary.consensus_hash = *derived;
          BS_CHECK_OK(db->EndBulkLoad());
          zstart = std::chrono::steady_clock::now();
        }
        if (progress) progress({"restore: blocks", summary.blocks, total_blocks, SecondsSince(start)});
      } else if (record.kind == Prepared::Kind::Zonefile) {
        // 2. Every zone file must hash to its key and be some name's zone-file hash.
        const std::string& hash = record.zonefile.hash;
        if (!record.hash_ok) {
          return Fail(ErrorCode::Corruption,
                      "zone file " + hash + " in the snapshot does not hash to its key: the snapshot was altered");
        }
        BS_TRY(bool known, db->IsValueHashKnown(hash));
        if (!known) {
          if (h < header.height) {
            summary.zonefiles_skipped += 1;
            continue;
          }
          return Fail(ErrorCode::Corruption,
                      "zone file " + hash + " in the snapshot is no name's zone-file hash: the snapshot was altered");
        }
        batch.push_back(std::move(record.zonefile.data));
        summary.zonefiles += 1;
        if (batch.size() >= ZONEFILE_BATCH) BS_CHECK_OK(flush());
        if (progress && (summary.zonefiles % 1000 == 0 || summary.zonefiles == header.zonefiles)) {
          progress({"restore: zone files", summary.zonefiles, std::max(header.zonefiles, summary.zonefiles),
                    SecondsSince(zstart)});
        }
      } else {
        break;  // the end record: the reader has checked the counts
      }
    }
    BS_CHECK_OK(flush());
  }

  // 3. Move the checked files into place, the name database last: until it is
  // there the directory holds no database, so an interruption leaves none behind.
  // The zone files' pack goes first: an interruption after it leaves the old
  // index over the new pack, whose bytes then fail the hash check every read makes.
  for (const std::string& name : {atlas::ZonefileStore::PackPath("zonefiles.db"), std::string("zonefiles.db"),
                                 std::string("blockstack.db")}) {
    BS_CHECK_OK(util::SyncFile((temp.Path() / name).string()));
    for (const char* suffix : {"-wal", "-shm"}) fs::remove(dir / (std::string(name) + suffix), ec);
    fs::rename(temp.Path() / name, dir / name, ec);
    if (ec) return Fail(ErrorCode::IoError, std::string("cannot move the restored ") + name + " into place: " + ec.message());
  }
  util::SyncDirectory(dir.string());
  summary.seconds = SecondsSince(start);
  return summary;
}

}  // namespace blockstack::node
