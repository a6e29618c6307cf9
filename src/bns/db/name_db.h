// The name database on SQLite (spec bns.md §5).
//
// Writes happen block by block: BeginBlock, then Apply/RecordOp for each operation,
// then EndBlock, all in one SQLite transaction, so a crash leaves the database at
// the last committed block. Every change made while applying a block is recorded
// as an undo entry, so UndoBlock can take the newest block back exactly (reorgs).
//
// Undo records are kept for the newest 1,000 blocks; a deeper reorganisation
// cannot be undone (UndoBlock fails with NotFound) and needs a re-index. Blocks
// that will be deeper than that by the end of a catch-up get none (KeepUndoFor).
//
// Thread safety: one NameDb per thread. Readers open their own (read_only) handle;
// WAL mode lets them read while the indexer writes.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <bitcoin/network.h>
#include <bns/ops/op.h>
#include <bns/state_view.h>
#include <db/sqlite.h>
#include <db/wal_checkpointer.h>
#include <interfaces/zonefile_index.h>

namespace blockstack::bns::db {

// The SQLite layer is shared with the zone-file store (src/db).
using blockstack::db::Sqlite;
using blockstack::db::WalCheckpointer;
using blockstack::db::Statement;

// The op log's rows (bns/records.h).
using bns::OpRow;

struct HistoryRow {
  uint32_t block_id = 0;
  uint32_t vtxindex = 0;
  std::string txid;
  std::string op;
  std::string opcode;
  std::optional<std::string> value_hash;
  std::string data;  // JSON of the record after the operation (whatever form it is stored in)
};

// The fields of a name record that a lookup answers with, read without decoding
// the whole record.
struct NameLookup {
  std::string namespace_id;
  std::string address;
  std::string txid;
  std::optional<std::string> value_hash;
  uint32_t first_registered = 0;
  uint32_t last_renewed = 0;
  bool revoked = false;
};

struct Snapshot {
  uint32_t block_id = 0;
  std::string block_hash;
  std::string consensus_hash;
  std::string ops_hash;
};

class NameDb final : public StateView {
 public:
  // Opens or creates the database. Fails with IoError, or Corruption when the file
  // is not a name database of this version.
  // page_size applies when the file is created (default SQLite's).
  static util::Result<std::unique_ptr<NameDb>> Open(const std::string& path, bool read_only = false, int page_size = 0);

  // --- StateView ---
  util::Result<std::optional<NameRecord>> GetName(std::string_view fqn) override;
  util::Result<std::optional<NameLookup>> GetNameLookup(std::string_view fqn);
  util::Result<std::optional<NamespaceRecord>> GetNamespace(std::string_view namespace_id) override;
  util::Result<std::optional<PreorderRecord>> GetPreorder(std::string_view preorder_hash) override;
  util::Result<std::vector<NameRecord>> NamesOwnedBy(std::string_view script_hex) override;
  util::Result<NameSummaries> NameSummariesOwnedBy(std::string_view script_hex) override;
  util::Result<std::vector<std::string>> NameValueHashes(std::string_view fqn) override;
  util::Result<std::optional<std::string>> ConsensusHashAt(uint32_t height) override;

  // --- block writes ---
  util::Status BeginBlock(uint32_t height);
  util::Status Apply(const ops::Effect& effect);
  util::Status RecordOp(const OpRow& row);
  // Stores the snapshot, moves the last block to `snapshot.block_id` and commits.
  util::Status EndBlock(const Snapshot& snapshot);
  // Rolls back an unfinished block.
  void AbortBlock();
  // Takes back the newest block (which must be `height`) in its own transaction.
  util::Status UndoBlock(uint32_t height);

  // Bulk loading (restoring a snapshot into a fresh file): blocks are committed
  // `blocks_per_commit` at a time, straight into the file (no write-ahead log) and
  // without syncing, and blocks below `last_block` - 999, whose undo records would
  // be pruned anyway, get none. A block that fails then rolls back every block
  // since the last commit, so the caller must discard the database on any failure.
  // EndBulkLoad commits what is left, syncs and returns to WAL mode with one
  // synchronous transaction per block.
  util::Status BeginBulkLoad(uint32_t blocks_per_commit, uint32_t last_block);
  util::Status EndBulkLoad();
  // Told, between blocks, that blocks will be written up to `last_block` (a node
  // catching up: the chain's tip less the confirmations). Blocks below
  // `last_block` - 999 then get no undo entries: by the time that block is
  // written they would be deeper than the kept undo records. The first block
  // written without them raises undo_from past itself in its own transaction, so
  // UndoBlock refuses it (NotFound) instead of taking it back partly. A later call
  // replaces the horizon; undo_from never moves back.
  util::Status KeepUndoFor(uint32_t last_block);

  // --- reads ---
  // Holds one view of the database across many reads (a read transaction) until
  // EndRead, so a writer on another connection cannot change what they see.
  util::Status BeginRead();
  void EndRead();
  util::Result<std::optional<uint32_t>> LastBlock();
  util::Result<std::optional<Snapshot>> SnapshotAt(uint32_t height);
  // The name's record as it was after block `height` (nullopt: not yet known then).
  // Unavailable while catching up, as History is.
  util::Result<std::optional<NameRecord>> GetNameAt(std::string_view fqn, uint32_t height);
  // The highest height at or below max_height whose consensus hash is `ch`.
  // Unavailable while catching up (see SetCatchingUp).
  util::Result<std::optional<uint32_t>> HeightOfConsensusHash(std::string_view ch, uint32_t max_height);
  // History rows of a name or namespace, newest first, `page_size` per page.
  // Unavailable while catching up (see SetCatchingUp).
  util::Result<std::vector<HistoryRow>> History(std::string_view id, uint32_t page, uint32_t page_size = 20);
  // The name whose registration or import was the index-th (from 0, in chain
  // order) that address created: what a DID names. Unavailable while the node
  // catches up (its index is built at the tip).
  util::Result<std::optional<std::string>> NameCreatedBy(std::string_view address, uint64_t index);
  // The inverse: who created the name's current registration (or import) and
  // its index among that address's creations; nullopt when it has none.
  struct Creation {
    std::string address;
    uint64_t index = 0;
  };
  util::Result<std::optional<Creation>> CreationOf(std::string_view fqn);
  // The preorders accepted at block height that are still pending (not consumed
  // by a registration or reveal), in transaction order: what the original listed.
  util::Result<std::vector<PreorderRecord>> PendingPreordersAt(uint32_t height);
  // The history rows of operations at block height (block_id), in transaction
  // order: the records its accepted operations left, and the preorders they
  // consumed later (a preorder's row has its own block). What the original's
  // operations route listed after the pending preorders. Unavailable while
  // catching up.
  util::Result<std::vector<HistoryRow>> HistoryAt(uint32_t height);
  // Fails with Unavailable while catching up, when the index of name histories is
  // left out. Queries call it before NameValueHashes, which would scan instead.
  util::Status RequireHistoryIndex();
  // Names currently owned by an address of the network `params` (records, live or
  // not; callers filter). An address of another network, or none at all, owns none.
  util::Result<std::vector<NameRecord>> NamesOwnedByAddress(std::string_view address,
                                                            const bitcoin::NetworkParams& params);
  util::Result<std::vector<NamespaceRecord>> AllNamespaces();
  util::Result<std::vector<NameRecord>> NamesInNamespace(std::string_view namespace_id);
  // The first_registered block of every name record in the namespace, unordered.
  util::Result<std::vector<uint32_t>> FirstRegisteredIn(std::string_view namespace_id);
  util::Result<std::vector<NameRecord>> AllNames(uint32_t offset, uint32_t limit);
  // Up to `limit` names ordered by name, those after `after` ("" = from the first):
  // a walk over every name that does not slow down as it goes.
  util::Result<std::vector<NameRecord>> NamesAfter(std::string_view after, uint32_t limit);
  // How many name operations (registrations, renewals, updates, transfers,
  // revokes, imports) each name has had, in no particular order.
  util::Status ForEachNameOperationCount(const std::function<void(std::string_view name, uint32_t count)>& each);
  // The ids (names, namespaces, preorder hashes) with history written by blocks
  // above `after` up to and including `upto`.
  util::Result<std::vector<std::string>> HistoryIdsWrittenBetween(uint32_t after, uint32_t upto);
  util::Result<uint64_t> NameRowCount();
  // Drops the decoded namespaces and consensus hashes kept in memory. A read-only
  // connection calls it when another connection has written since its last use.
  void ClearCaches() {
    m_ns_cache.clear();
    m_ch_cache.clear();
    DropRecordCaches();
  }
  // While catching up (far below the chain's tip) the indexes only queries need
  // (zone-file hashes, name histories, namespaces' names, blocks by consensus
  // hash) are dropped, and they are built again in one pass when catching up ends:
  // a random insert per operation costs more than the build. Meanwhile lookups by
  // zone-file hash or consensus hash and name histories fail with Unavailable, and
  // a namespace's names are found by a scan.
  // The state is stored, so a restart keeps it. Called between blocks; a no-op
  // while bulk loading.
  util::Status SetCatchingUp(bool catching_up);
  // Whether some name has (or had) this zone-file hash as its value hash.
  // Unavailable while catching up (see SetCatchingUp).
  util::Result<bool> IsValueHashKnown(std::string_view value_hash);
  // The names (history ids) some operation gave this zone-file hash, now or before.
  // Unavailable while catching up.
  util::Result<std::vector<std::string>> HistoryIdsWithValueHash(std::string_view value_hash);
  // Every distinct zone-file hash some operation at or below `height` set, sorted.
  util::Result<std::vector<std::string>> ValueHashesUpTo(uint32_t height);
  // Atlas inventory slots (spec atlas.md §1.1) of blocks at or above height, in
  // (block, vtxindex) order; and how many lie below height.
  util::Result<std::vector<interfaces::ZonefileSlot>> ZonefileSlotsFrom(uint32_t height);
  util::Result<uint64_t> ZonefileSlotCountBelow(uint32_t height);
  util::Result<std::vector<OpRow>> OpsAt(uint32_t height);
  // Metadata (network, first block) that must not change under an existing database.
  util::Result<std::optional<std::string>> GetMeta(std::string_view key);
  util::Status SetMeta(std::string_view key, std::string_view value);
  util::Status DeleteMeta(std::string_view key);

 private:
  NameDb(Sqlite db, bool read_only) : m_db(std::move(db)), m_cache_names(!read_only) {}
  util::Status CreateSchema();
  // Brings a version-3 to -8 database to the current version in one transaction
  // (no-op for a new or current one).
  util::Status Migrate();
  // Moves the op log of versions 5-8 (a row per operation), when there is one, to
  // a blob per block, and drops its table.
  util::Status MigrateOpLogToBlocks();
  // Moves the writer's WAL checkpoints to their own thread (WalCheckpointer).
  util::Status StartCheckpoints();
  // Whether the block being written records undo entries (all do, except blocks
  // below the undo horizon: see KeepUndoFor and BeginBulkLoad).
  bool KeepsUndo() const { return !m_block || *m_block >= m_undo_horizon; }
  util::Status AddUndo(std::string_view kind, std::string_view key, const std::optional<std::string>& old);
  // The first block whose undo entries are all kept (0: every block's are).
  util::Result<uint32_t> UndoFrom();
  // History rows are only ever appended, block after block and within a block in
  // transaction order, so their rowids follow the order in which they were
  // written and no index on written_block is kept. Returns the rowid from which
  // the rows written at `block` or later start (one past the last row when none
  // are), found by binary search.
  util::Result<int64_t> FirstHistoryRowFrom(uint32_t block);
  // Drops the writer's record caches (the rows behind them changed or may have).
  void DropRecordCaches() {
    m_name_cache.clear();
    m_preorder_cache.clear();
    m_owner_cache.clear();
  }
  // Keeps a cached owner's name list in step with a record written over `old`
  // (nullptr: the name had no record, or the caller drops the caches afterwards).
  void UpdateOwnerCache(const NameRecord& r, const NameRecord* old);
  // A name's stored record, decoded, with its stored form (bns/records_codec.h).
  struct StoredName {
    NameRecord record;
    std::string bytes;
    int64_t history_row = 0;  // the history row holding the same bytes (0: none known)
  };
  // The stored record of a name (nullptr: none), through the cache when it is on.
  util::Result<const StoredName*> LoadName(std::string_view fqn);
  // Writes the record; `stored`, when given, is its stored form already encoded,
  // and history_row the history row holding those same bytes (0: none).
  // `old` is the record it replaces, when known: if the indexed columns are the
  // same, the row is updated in place and the indexes are left alone.
  util::Status PutName(const NameRecord& r, const std::string* stored, int64_t history_row, const NameRecord* old);
  util::Status PutNamespace(const NamespaceRecord& r);
  util::Status PutPreorder(const PreorderRecord& r);
  // Fail with Unavailable when the index named is left out (catching up), saying
  // which queries wait for it.
  util::Status RequireIndex(const char* name, const char* answers);
  util::Status RequireValueHashIndex();
  util::Status DropQueryIndexes();
  util::Status BuildQueryIndexes();
  util::Result<std::vector<NameRecord>> NamesWhere(const std::string& sql, std::string_view arg);

  Sqlite m_db;
  std::string m_path;
  // A writer's checkpoints, on a thread of their own (stopped while bulk loading,
  // which leaves WAL mode). Declared after m_db: it goes first.
  std::unique_ptr<WalCheckpointer> m_checkpointer;
  // Namespaces are few and read by nearly every check: kept decoded. Cleared when
  // a namespace is written, a block is aborted or undone.
  std::map<std::string, std::optional<NamespaceRecord>, std::less<>> m_ns_cache;
  // Consensus hashes by height, as committed (immutable until undone).
  std::map<uint32_t, std::string> m_ch_cache;
  // The writer's decoded name records (nullopt: no such name), as of the block
  // being written: every check reads the names it touches, and Apply reads them
  // again for undo. Dropped when a block is aborted or undone, and whenever it
  // outgrows NAME_CACHE_ENTRIES at the end of a block. Read-only connections,
  // which another connection writes under, do not keep one.
  std::unordered_map<std::string, std::optional<StoredName>> m_name_cache;
  // Unconsumed preorders likewise (nullopt: none with that hash): a registration's
  // preorder is read by the collision pre-pass and by the check.
  std::unordered_map<std::string, std::optional<PreorderRecord>> m_preorder_cache;
  // Owners' name summaries, ordered by name: checked for every preorder,
  // registration and update of their sender.
  std::unordered_map<std::string, std::shared_ptr<std::vector<NameSummary>>> m_owner_cache;
  bool m_cache_names = false;
  std::optional<StoredName> m_uncached_name;  // LoadName's answer without the cache
  std::optional<uint32_t> m_block;            // the block being written
  uint32_t m_bulk_per_commit = 0;             // 0: not bulk loading
  uint32_t m_bulk_pending = 0;                // blocks written since the last commit
  uint32_t m_bulk_ops = 0;                    // operations recorded since the last commit
  bool m_bulk_open = false;                   // a bulk transaction is open
  uint32_t m_undo_horizon = 0;                // first block that gets undo records
  int64_t m_undo_seq = 0;
  std::vector<OpRow> m_block_ops;  // the block's op log, written by EndBlock
};

// Holds a read transaction (NameDb::BeginRead) until End or the end of the scope.
class ReadScope {
 public:
  explicit ReadScope(NameDb& db) : m_db(db) {}
  ~ReadScope() { End(); }
  ReadScope(const ReadScope&) = delete;
  ReadScope& operator=(const ReadScope&) = delete;
  util::Status Begin() {
    BS_CHECK_OK(m_db.BeginRead());
    m_open = true;
    return util::Ok();
  }
  void End() {
    if (m_open) m_db.EndRead();
    m_open = false;
  }

 private:
  NameDb& m_db;
  bool m_open = false;
};

}  // namespace blockstack::bns::db
