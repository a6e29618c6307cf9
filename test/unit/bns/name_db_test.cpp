#include <bns/db/name_db.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include <bitcoin/address.h>
#include <bns/records_codec.h>
#include <bns/records_json.h>

#include "db/db_test_util.h"
#include "testutil/vectors.h"

namespace blockstack::bns::db {
namespace {

class NameDbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = testutil::MakeTempDir("namedb");
    m_db = std::move(*NameDb::Open(m_dir + "/names.db"));
  }
  void TearDown() override {
    m_db.reset();
    std::filesystem::remove_all(m_dir);
  }
  void Block(uint32_t h, const ops::Effect& e = {}) {
    ASSERT_TRUE(m_db->BeginBlock(h));
    ASSERT_TRUE(m_db->Apply(e));
    ASSERT_TRUE(m_db->EndBlock({h, std::string(64, 'a'), std::string(32, 'c'), std::string(64, 'e')}));
  }
  static NameRecord Rec(const std::string& name, const std::string& owner) {
    NameRecord r;
    r.name = name;
    r.namespace_id = "id";
    r.sender = owner;
    r.address = owner;
    r.name_hash128 = "00";
    return r;
  }

  // Closes the database and gives it the op log of versions 5-8 (a row per
  // operation, keyed block << 24 | vtxindex) with three operations, in blocks 7
  // and 8, and the schema version `version`.
  void MakeVersion(const std::string& version, const std::string& more_sql = "") {
    m_db.reset();
    auto db = db::Sqlite::Open(m_dir + "/names.db", /*read_only=*/false).value();
    ASSERT_TRUE(
        db.Exec("UPDATE meta SET value = '" + version +
                "' WHERE key = 'schema_version';"
                "DROP TABLE block_ops;"
                "CREATE TABLE ops(id INTEGER PRIMARY KEY, block_id INTEGER NOT NULL, vtxindex INTEGER NOT NULL, "
                "txid TEXT NOT NULL, opcode TEXT NOT NULL, accepted INTEGER NOT NULL, reason TEXT NOT NULL, "
                "raw_tx BLOB NOT NULL, senders TEXT NOT NULL);"
                "INSERT INTO ops VALUES(117440514, 7, 2, 'tx7b', 'NAME_UPDATE', 0, 'why', x'00', '[]');"
                "INSERT INTO ops VALUES(117440513, 7, 1, '" +
                std::string(64, 'f') +
                "', 'NAME_REGISTRATION', 1, '', "
                "x'0102', '[[\"76a9\",5]]');"
                "INSERT INTO ops VALUES(134217729, 8, 1, 'tx8', 'NAME_UPDATE', 1, '', x'02', '[]');" +
                more_sql));
  }
  // The three operations MakeVersion wrote, read back in order.
  static void ExpectOldOpLog(NameDb& db) {
    auto ops7 = db.OpsAt(7);
    ASSERT_TRUE(ops7) << ops7.error().message;
    ASSERT_EQ(ops7->size(), 2u);
    EXPECT_EQ((*ops7)[0],
              (OpRow{7, 1, std::string(64, 'f'), "NAME_REGISTRATION", true, "", {1, 2}, "[[\"76a9\",5]]", ""}));
    EXPECT_EQ((*ops7)[1], (OpRow{7, 2, "tx7b", "NAME_UPDATE", false, "why", {0}, "[]", ""}));
    auto ops8 = db.OpsAt(8);
    ASSERT_TRUE(ops8);
    ASSERT_EQ(ops8->size(), 1u);
    EXPECT_EQ((*ops8)[0].txid, "tx8");
    EXPECT_TRUE(db.OpsAt(9)->empty());
  }

  std::string m_dir;
  std::unique_ptr<NameDb> m_db;
};

TEST_F(NameDbTest, UndoRestoresPreviousRecords) {
  ops::Effect e1;
  e1.name = Rec("a.id", "alice");
  Block(0, e1);
  ops::Effect e2;
  e2.name = Rec("a.id", "bob");
  e2.name->op = ">>";
  Block(1, e2);
  EXPECT_EQ(m_db->GetName("a.id").value()->sender, "bob");
  ASSERT_TRUE(m_db->UndoBlock(1));
  EXPECT_EQ(m_db->GetName("a.id").value()->sender, "alice");
  EXPECT_EQ(*m_db->LastBlock().value(), 0u);
  EXPECT_FALSE(m_db->SnapshotAt(1).value().has_value());
  ASSERT_TRUE(m_db->UndoBlock(0));
  EXPECT_FALSE(m_db->GetName("a.id").value().has_value());
  EXPECT_FALSE(m_db->LastBlock().value().has_value());
}

// A name written with its operation's history row keeps only that row's number in
// its undo entry; undo reads the text back from there. Names written without one
// (and rows from before schema 6) keep the text in the entry. Both kinds, and two
// writes of one name in one block, undo to the same records.
TEST_F(NameDbTest, UndoEntriesPointAtHistoryRowsAndRestoreTheSameRecords) {
  auto with_history = [](NameRecord r, uint32_t h, uint32_t vtx) {
    ops::Effect e;
    e.history.push_back({r.name, r.op, "NAME_UPDATE", r.value_hash, std::nullopt, h, vtx, "tx" + std::to_string(h),
                         EncodeNameRecord(r)});
    e.name = std::move(r);
    return e;
  };
  auto undo_kinds = [&](uint32_t h) {
    auto db = db::Sqlite::Open(m_dir + "/names.db", /*read_only=*/true).value();
    return blockstack::db::test_util::QueryText(
        db, "SELECT group_concat(kind || ':' || length(old), ' ') FROM undo WHERE block_id = " + std::to_string(h));
  };
  NameRecord v0 = Rec("a.id", "alice");
  NameRecord v1 = v0;
  v1.value_hash = std::string(40, '1');
  NameRecord v2 = v1;
  v2.value_hash = std::string(40, '2');
  NameRecord v3 = v2;
  v3.sender = v3.address = "bob";
  ops::Effect legacy;  // no history row: the undo entry must keep the text
  legacy.name = v0;
  Block(0, legacy);
  Block(1, with_history(v1, 1, 1));
  EXPECT_EQ(undo_kinds(1), "name:" + std::to_string(EncodeNameRecord(v0).size()));
  Block(2, with_history(v2, 2, 1));
  EXPECT_EQ(undo_kinds(2).substr(0, 13), "name@history:") << "a row number, not the text";
  ASSERT_TRUE(m_db->BeginBlock(3));
  ASSERT_TRUE(m_db->Apply(with_history(v3, 3, 1)));
  ASSERT_TRUE(m_db->Apply(with_history(v1, 3, 2)));  // back to v1's text, in the same block
  ASSERT_TRUE(m_db->EndBlock({3, std::string(64, 'a'), std::string(32, 'c'), std::string(64, 'e')}));
  EXPECT_EQ(*m_db->GetName("a.id").value(), v1);
  const std::vector<NameRecord> expected = {v0, v1, v2};
  for (uint32_t h = 3; h >= 1; --h) {
    ASSERT_TRUE(m_db->UndoBlock(h)) << h;
    EXPECT_EQ(*m_db->GetName("a.id").value(), expected[h - 1]) << "after undoing block " << h;
    auto reader = NameDb::Open(m_dir + "/names.db", /*read_only=*/true).value();
    EXPECT_EQ(*reader->GetName("a.id").value(), expected[h - 1]) << "read from the file, block " << h;
  }
  // Written again after the undos, the name's entries point at live rows.
  Block(1, with_history(v2, 1, 1));
  ASSERT_TRUE(m_db->BeginBlock(2));
  ASSERT_TRUE(m_db->Apply(with_history(v3, 2, 1)));
  ASSERT_TRUE(m_db->EndBlock({2, std::string(64, 'a'), std::string(32, 'c'), std::string(64, 'e')}));
  ASSERT_TRUE(m_db->UndoBlock(2));
  EXPECT_EQ(*m_db->GetName("a.id").value(), v2);
  ASSERT_TRUE(m_db->UndoBlock(1));
  EXPECT_EQ(*m_db->GetName("a.id").value(), v0);
}

// Rows written before the compact form hold JSON. A database with both kinds reads
// each as what it is: records, lookups, past records and history pages (which
// answer JSON either way), and an undo back to a JSON row.
TEST_F(NameDbTest, JsonRowsAndCompactRowsAreReadAlike) {
  NameRecord v0 = Rec("a.id", "alice");
  v0.txid = std::string(64, '1');
  v0.value_hash = std::string(40, 'a');
  NameRecord v1 = v0;
  v1.txid = std::string(64, '2');
  v1.value_hash = std::string(40, 'b');
  auto effect = [](const NameRecord& r, uint32_t h, std::string stored) {
    ops::Effect e;
    e.history.push_back({r.name, r.op, "NAME_UPDATE", r.value_hash, std::nullopt, h, 1, r.txid, std::move(stored)});
    e.name = r;
    return e;
  };
  Block(0, effect(v0, 0, NameRecordJsonText(v0)));  // as version 6 wrote it
  Block(1, effect(v1, 1, EncodeNameRecord(v1)));
  auto first_bytes = [&](const std::string& table) {
    auto db = db::Sqlite::Open(m_dir + "/names.db", /*read_only=*/true).value();
    return blockstack::db::test_util::QueryText(
        db, "SELECT group_concat(hex(substr(data, 1, 1)), ',') FROM (SELECT data FROM " + table + " ORDER BY rowid)");
  };
  EXPECT_EQ(first_bytes("history"), "7B,01") << "one JSON row, one compact row";
  EXPECT_EQ(first_bytes("name_records"), "01");
  auto lookup = [&](const NameRecord& want) {
    auto reader = NameDb::Open(m_dir + "/names.db", /*read_only=*/true).value();
    auto got = reader->GetNameLookup("a.id");
    ASSERT_TRUE(got && *got);
    EXPECT_EQ((*got)->txid, want.txid);
    EXPECT_EQ((*got)->value_hash, want.value_hash);
    EXPECT_EQ(*reader->GetName("a.id").value(), want);
  };
  lookup(v1);
  EXPECT_EQ(*m_db->GetNameAt("a.id", 0).value(), v0);
  EXPECT_EQ(*m_db->GetNameAt("a.id", 1).value(), v1);
  auto rows = m_db->History("a.id", 0);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].data, NameRecordJsonText(v1));
  EXPECT_EQ((*rows)[1].data, NameRecordJsonText(v0));
  ASSERT_TRUE(m_db->UndoBlock(1));
  EXPECT_EQ(first_bytes("name_records"), "7B") << "the undo restores the row as it was";
  lookup(v0);
}

// A version-6 database (JSON rows, the index by address, the last block in the
// meta table, an op-log row per operation) opens as version 9: the index and the
// meta key go, the rows read as they are, the last block comes from the
// snapshots, and the op log moves to a row per block.
TEST_F(NameDbTest, AVersion6DatabaseOpensAsVersion9) {
  NameRecord r = Rec("a.id", "alice");
  ops::Effect e;
  e.history.push_back(
      {r.name, r.op, "NAME_REGISTRATION", r.value_hash, std::nullopt, 0, 1, "tx", NameRecordJsonText(r)});
  e.name = r;
  Block(0, e);
  const std::string path = m_dir + "/names.db";
  MakeVersion("6",
              "INSERT INTO meta VALUES('last_block', '0');"
              "CREATE INDEX name_records_address ON name_records(address);");
  auto reopened = NameDb::Open(path);
  ASSERT_TRUE(reopened) << reopened.error().message;
  EXPECT_EQ(*(*reopened)->GetMeta("schema_version"), std::optional<std::string>("9"));
  ExpectOldOpLog(**reopened);
  EXPECT_FALSE((*reopened)->GetMeta("last_block").value().has_value());
  EXPECT_EQ(*(*reopened)->LastBlock().value(), 0u);
  EXPECT_EQ(*(*reopened)->GetName("a.id").value(), r);
  reopened->reset();
  auto db = db::Sqlite::Open(path, /*read_only=*/true).value();
  EXPECT_EQ(blockstack::db::test_util::QueryText(
                db, "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'name_records_address'"),
            "0");
  EXPECT_EQ(blockstack::db::test_util::QueryText(db, "SELECT hex(substr(data, 1, 1)) FROM name_records"), "7B")
      << "the JSON row is kept as it was";
  EXPECT_EQ(blockstack::db::test_util::QueryText(db, "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'ops'"), "0");
}

// A version-8 database's op log moves to a row per block, in the same transaction
// as the version; a block's operations then undo with it.
TEST_F(NameDbTest, AVersion8OpLogMovesToARowPerBlock) {
  for (uint32_t h = 0; h <= 8; ++h) Block(h);
  MakeVersion("8");
  auto reopened = NameDb::Open(m_dir + "/names.db");
  ASSERT_TRUE(reopened) << reopened.error().message;
  EXPECT_EQ(*(*reopened)->GetMeta("schema_version"), std::optional<std::string>("9"));
  ExpectOldOpLog(**reopened);
  ASSERT_TRUE((*reopened)->UndoBlock(8));
  EXPECT_TRUE((*reopened)->OpsAt(8)->empty());
  EXPECT_EQ((*reopened)->OpsAt(7)->size(), 2u);
  reopened->reset();
  auto again = NameDb::Open(m_dir + "/names.db");
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ((*again)->OpsAt(7)->size(), 2u);
}

// Names by address go through the index by owner script: an address finds the
// names its script owns; the same key hash as another kind of address, or an
// address of another network, finds none.
TEST_F(NameDbTest, NamesOwnedByAddressFollowTheOwnerScript) {
  const auto& main = bitcoin::Params(bitcoin::Network::Mainnet);
  const std::string p2pkh = "76a914" + std::string(40, '1') + "88ac";
  const std::string p2sh = "a914" + std::string(40, '1') + "87";
  auto address_of = [&](const std::string& script_hex, const bitcoin::NetworkParams& params) {
    return *bitcoin::AddressFromScript(util::FromHex(script_hex).value(), params);
  };
  const std::vector<std::pair<std::string, std::string>> owners = {{"b.id", p2pkh}, {"a.id", p2pkh}, {"c.id", p2sh}};
  uint32_t h = 0;
  for (const auto& [name, script] : owners) {
    ops::Effect e;
    e.name = Rec(name, script);
    e.name->address = address_of(script, main);
    Block(h++, e);
  }
  auto names = [&](const std::string& address, const bitcoin::NetworkParams& params) {
    std::vector<std::string> out;
    auto records = m_db->NamesOwnedByAddress(address, params);
    EXPECT_TRUE(records);
    for (const auto& r : *records) out.push_back(r.name);
    return out;
  };
  EXPECT_EQ(names(address_of(p2pkh, main), main), (std::vector<std::string>{"a.id", "b.id"}));
  EXPECT_EQ(names(address_of(p2sh, main), main), std::vector<std::string>{"c.id"});
  const auto& test = bitcoin::Params(bitcoin::Network::Testnet);
  EXPECT_TRUE(names(address_of(p2pkh, test), main).empty()) << "another network's address";
  EXPECT_TRUE(names(address_of(p2pkh, main), test).empty());
  EXPECT_TRUE(names("not an address", main).empty());
}

// The catching-up state is stored: a restart keeps the query indexes left out,
// readers get Unavailable rather than a scan, and leaving the state builds them
// with every row written meanwhile.
TEST_F(NameDbTest, CatchingUpIsKeptAcrossARestartAndEndsWithTheIndexesBuilt) {
  auto with_hash = [](const std::string& name, char digit, uint32_t h) {
    NameRecord r = Rec(name, "alice");
    r.value_hash = std::string(40, digit);
    ops::Effect e;
    e.history.push_back({name, "+", "NAME_REGISTRATION", r.value_hash, std::nullopt, h, 1, "tx", EncodeNameRecord(r)});
    e.name = std::move(r);
    return e;
  };
  auto unavailable = [](NameDb& db, char digit) {
    auto known = db.IsValueHashKnown(std::string(40, digit));
    auto ids = db.HistoryIdsWithValueHash(std::string(40, digit));
    return !known && known.error().code == util::ErrorCode::Unavailable && !ids &&
           ids.error().code == util::ErrorCode::Unavailable;
  };
  // Name histories wait for the tip as well; the rules' lookup of a name's hashes
  // and a namespace's names are answered meanwhile.
  auto history_unavailable = [](NameDb& db) {
    auto rows = db.History("a.id", 0);
    auto at = db.GetNameAt("a.id", 1);
    auto ready = db.RequireHistoryIndex();
    return !rows && rows.error().code == util::ErrorCode::Unavailable && !at &&
           at.error().code == util::ErrorCode::Unavailable && !ready &&
           ready.error().code == util::ErrorCode::Unavailable;
  };
  Block(0, with_hash("a.id", '1', 0));
  ASSERT_TRUE(m_db->SetCatchingUp(true));
  ASSERT_TRUE(m_db->SetCatchingUp(true));  // again: nothing to do
  EXPECT_TRUE(unavailable(*m_db, '1'));
  EXPECT_TRUE(history_unavailable(*m_db));
  EXPECT_EQ(*m_db->NameValueHashes("a.id"), std::vector<std::string>{std::string(40, '1')});
  EXPECT_EQ(m_db->NamesInNamespace("id")->size(), 1u);
  Block(1, with_hash("b.id", '2', 1));
  m_db.reset();
  m_db = std::move(*NameDb::Open(m_dir + "/names.db"));
  auto reader = NameDb::Open(m_dir + "/names.db", /*read_only=*/true).value();
  EXPECT_TRUE(unavailable(*m_db, '2')) << "a restart keeps the index left out";
  EXPECT_TRUE(unavailable(*reader, '2'));
  EXPECT_TRUE(history_unavailable(*reader));
  Block(2, with_hash("c.id", '3', 2));
  ASSERT_TRUE(m_db->SetCatchingUp(false));
  for (NameDb* db : {m_db.get(), reader.get()}) {
    ASSERT_TRUE(db->RequireHistoryIndex());
    EXPECT_EQ(db->History("b.id", 0)->size(), 1u);
    EXPECT_TRUE(db->GetNameAt("c.id", 2).value().has_value());
    EXPECT_EQ(db->NamesInNamespace("id")->size(), 3u);
    EXPECT_TRUE(*db->IsValueHashKnown(std::string(40, '1')));
    EXPECT_TRUE(*db->IsValueHashKnown(std::string(40, '3')));
    EXPECT_EQ(*db->HistoryIdsWithValueHash(std::string(40, '2')), std::vector<std::string>{"b.id"});
    EXPECT_FALSE(*db->IsValueHashKnown(std::string(40, '4')));
  }
  // Told while a block is open, the database leaves the state alone.
  ASSERT_TRUE(m_db->BeginBlock(3));
  ASSERT_TRUE(m_db->SetCatchingUp(true));
  m_db->AbortBlock();
  EXPECT_TRUE(*m_db->IsValueHashKnown(std::string(40, '1')));
  // Every query index is back.
  auto raw = db::Sqlite::Open(m_dir + "/names.db", /*read_only=*/true).value();
  EXPECT_EQ(blockstack::db::test_util::QueryText(raw,
                                                 "SELECT COUNT(*) FROM sqlite_schema WHERE name IN "
                                                 "('history_by_value_hash', 'history_by_id', 'name_records_namespace', "
                                                 "'snapshots_by_hash')"),
            "4");
}

TEST_F(NameDbTest, OnlyTheNewestBlockCanBeUndone) {
  Block(0);
  Block(1);
  auto st = m_db->UndoBlock(0);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, util::ErrorCode::Conflict);
}

TEST_F(NameDbTest, UndoIsRefusedBeyondTheKeptDepth) {
  for (uint32_t h = 0; h <= 1100; ++h) Block(h);
  for (uint32_t h = 1100; h >= 101; --h) ASSERT_TRUE(m_db->UndoBlock(h)) << h;
  auto st = m_db->UndoBlock(100);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, util::ErrorCode::NotFound);
  EXPECT_EQ(*m_db->LastBlock().value(), 100u) << "nothing was changed";
}

// Undo entries are pruned every 100 blocks. Blocks taken back and written again
// never bring the kept depth back below what was pruned.
TEST_F(NameDbTest, TheKeptUndoDepthNeverMovesBack) {
  for (uint32_t h = 0; h <= 1100; ++h) Block(h);  // block 1100 prunes below 101
  EXPECT_EQ(*m_db->GetMeta("undo_from"), std::optional<std::string>("101"));
  for (uint32_t h = 1100; h >= 151; --h) ASSERT_TRUE(m_db->UndoBlock(h)) << h;
  for (uint32_t h = 151; h <= 1000; ++h) Block(h);  // 1000 alone would keep from block 1
  EXPECT_EQ(*m_db->GetMeta("undo_from"), std::optional<std::string>("101"));
  for (uint32_t h = 1000; h >= 101; --h) ASSERT_TRUE(m_db->UndoBlock(h)) << h;
  auto st = m_db->UndoBlock(100);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, util::ErrorCode::NotFound);
  EXPECT_EQ(*m_db->LastBlock().value(), 100u);
}

TEST_F(NameDbTest, ADamagedUndoDepthIsCorruptionAndChangesNothing) {
  Block(0);
  Block(1);
  ASSERT_TRUE(m_db->SetMeta("undo_from", "1x"));
  auto st = m_db->UndoBlock(1);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, util::ErrorCode::Corruption);
  EXPECT_EQ(*m_db->LastBlock().value(), 1u);
  EXPECT_TRUE(m_db->SnapshotAt(1).value().has_value());
}

// A node catching up is told how far it will go: blocks that will by then be too
// deep to undo get no undo entries, the first of them raises undo_from past itself
// in its own transaction, and the blocks from the horizon on undo exactly.
TEST_F(NameDbTest, BlocksBelowTheUndoHorizonKeepNoUndoAndAreNeverTakenBack) {
  auto owner_at = [&](uint32_t h, const std::string& owner) {
    ops::Effect e;
    e.name = Rec("a.id", owner);
    e.name->op = ">>";
    Block(h, e);
  };
  ASSERT_TRUE(m_db->KeepUndoFor(1002));  // undo kept from block 3 on
  // An aborted block leaves undo_from alone.
  ASSERT_TRUE(m_db->BeginBlock(0));
  EXPECT_EQ(m_db->KeepUndoFor(5000).error().code, util::ErrorCode::Conflict);
  m_db->AbortBlock();
  EXPECT_FALSE(m_db->GetMeta("undo_from").value().has_value());
  owner_at(0, "alice");
  EXPECT_EQ(*m_db->GetMeta("undo_from"), std::optional<std::string>("3"));
  owner_at(1, "bob");
  owner_at(2, "carol");
  owner_at(3, "dave");
  owner_at(4, "erin");
  {
    auto raw = db::Sqlite::Open(m_dir + "/names.db", /*read_only=*/true).value();
    EXPECT_EQ(blockstack::db::test_util::QueryText(raw, "SELECT COUNT(*) FROM undo WHERE block_id < 3"), "0");
    EXPECT_EQ(blockstack::db::test_util::QueryText(raw, "SELECT COUNT(*) FROM undo WHERE block_id >= 3"), "2");
  }
  ASSERT_TRUE(m_db->UndoBlock(4));
  EXPECT_EQ(m_db->GetName("a.id").value()->sender, "dave");
  ASSERT_TRUE(m_db->UndoBlock(3));
  EXPECT_EQ(m_db->GetName("a.id").value()->sender, "carol");
  auto deep = m_db->UndoBlock(2);
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.error().code, util::ErrorCode::NotFound);
  EXPECT_EQ(*m_db->LastBlock().value(), 2u);
  EXPECT_EQ(m_db->GetName("a.id").value()->sender, "carol");
  // A lower target keeps undo for every block again; undo_from stays where it was.
  ASSERT_TRUE(m_db->KeepUndoFor(10));
  owner_at(3, "frank");
  EXPECT_EQ(*m_db->GetMeta("undo_from"), std::optional<std::string>("3"));
  ASSERT_TRUE(m_db->UndoBlock(3));
  EXPECT_EQ(m_db->GetName("a.id").value()->sender, "carol");
  EXPECT_EQ(m_db->UndoBlock(2).error().code, util::ErrorCode::NotFound);
}

TEST_F(NameDbTest, AbortedBlockLeavesNoTrace) {
  Block(0);
  ASSERT_TRUE(m_db->BeginBlock(1));
  ops::Effect e;
  e.name = Rec("x.id", "carol");
  ASSERT_TRUE(m_db->Apply(e));
  m_db->AbortBlock();
  EXPECT_FALSE(m_db->GetName("x.id").value().has_value());
  EXPECT_EQ(*m_db->LastBlock().value(), 0u);
}

// The writer keeps decoded records between reads; what it answers must always be
// what the file holds, after in-place updates, aborts, undos and owner changes.
TEST_F(NameDbTest, CachedRecordsFollowWritesAbortsAndUndos) {
  ops::Effect e1;
  e1.name = Rec("a.id", "alice");
  e1.name->last_renewed = 5;
  e1.name->first_registered = 5;
  Block(0, e1);
  // An update that keeps every indexed column: written in place.
  ops::Effect e2 = e1;
  e2.name->value_hash = std::string(40, '1');
  Block(1, e2);
  // A renewal: the owner index's summary columns change. A list read before it
  // (shared with the writer's cache) keeps what it said.
  auto held = m_db->NameSummariesOwnedBy("alice").value();
  ASSERT_EQ(held->size(), 1u);
  ops::Effect e3 = e2;
  e3.name->last_renewed = 9;
  Block(2, e3);
  EXPECT_EQ(held->at(0).last_renewed, 5u);
  auto reader = NameDb::Open(m_dir + "/names.db", /*read_only=*/true).value();
  for (NameDb* db : {m_db.get(), reader.get()}) {
    auto rec = db->GetName("a.id").value();
    ASSERT_TRUE(rec);
    EXPECT_EQ(rec->value_hash, std::string(40, '1'));
    auto owned = *db->NameSummariesOwnedBy("alice").value();
    ASSERT_EQ(owned.size(), 1u);
    EXPECT_EQ(owned[0].last_renewed, 9u);
  }
  // A transfer moves the name between owners' index entries.
  ops::Effect e4 = e3;
  e4.name->sender = "bob";
  e4.name->address = "bob";
  Block(3, e4);
  reader->ClearCaches();
  for (NameDb* db : {m_db.get(), reader.get()}) {
    EXPECT_TRUE(db->NameSummariesOwnedBy("alice").value()->empty());
    EXPECT_EQ(db->NamesOwnedBy("bob").value().size(), 1u);
  }
  // An aborted block's record is forgotten.
  ASSERT_TRUE(m_db->BeginBlock(4));
  ops::Effect e5 = e4;
  e5.name->value_hash = std::string(40, '2');
  ASSERT_TRUE(m_db->Apply(e5));
  EXPECT_EQ(m_db->GetName("a.id").value()->value_hash, std::string(40, '2'));
  m_db->AbortBlock();
  EXPECT_EQ(m_db->GetName("a.id").value()->value_hash, std::string(40, '1'));
  // Undo brings back each earlier record, indexes included.
  ASSERT_TRUE(m_db->UndoBlock(3));
  EXPECT_EQ(m_db->GetName("a.id").value()->sender, "alice");
  EXPECT_EQ(m_db->NameSummariesOwnedBy("alice").value()->size(), 1u);
  ASSERT_TRUE(m_db->UndoBlock(2));
  EXPECT_EQ(m_db->NameSummariesOwnedBy("alice").value()->at(0).last_renewed, 5u);
  ASSERT_TRUE(m_db->UndoBlock(1));
  EXPECT_FALSE(m_db->GetName("a.id").value()->value_hash.has_value());
  ASSERT_TRUE(m_db->UndoBlock(0));
  EXPECT_FALSE(m_db->GetName("a.id").value().has_value());
  EXPECT_TRUE(m_db->NameSummariesOwnedBy("alice").value()->empty());
}

// A preorder consumed by an operation whose history keeps the preorder's row is
// undone from that row; the entry holds only its number.
TEST_F(NameDbTest, AConsumedPreorderIsUndoneFromItsHistoryRow) {
  PreorderRecord p;
  p.preorder_hash = std::string(40, 'f');
  p.sender = "alice";
  p.block_number = 0;
  p.vtxindex = 3;
  p.txid = std::string(64, '7');
  ops::Effect e1;
  e1.new_preorder = p;
  Block(0, e1);
  ops::Effect e2;
  e2.consumed_preorder = p;
  e2.history.push_back(
      {"a.id", "?", "NAME_PREORDER", std::nullopt, std::nullopt, 0, 3, p.txid, EncodePreorderRecord(p)});
  NameRecord r = Rec("a.id", "alice");
  e2.history.push_back(
      {"a.id", "+", "NAME_REGISTRATION", std::nullopt, std::nullopt, 1, 1, "tx1", EncodeNameRecord(r)});
  e2.name = r;
  Block(1, e2);
  EXPECT_FALSE(m_db->GetPreorder(p.preorder_hash).value());
  {
    auto db = db::Sqlite::Open(m_dir + "/names.db", /*read_only=*/true).value();
    const std::string entry = "SELECT kind, length(old) FROM undo WHERE block_id = 1 AND key = '" + p.preorder_hash + "'";
    EXPECT_EQ(blockstack::db::test_util::QueryText(db, entry, 0), "preorder@history");
    EXPECT_LT(std::stoi(blockstack::db::test_util::QueryText(db, entry, 1)), 12);
  }
  ASSERT_TRUE(m_db->UndoBlock(1));
  EXPECT_EQ(m_db->GetPreorder(p.preorder_hash).value(), p);
  EXPECT_FALSE(m_db->GetName("a.id").value());
  auto reader = NameDb::Open(m_dir + "/names.db", /*read_only=*/true).value();
  EXPECT_EQ(reader->GetPreorder(p.preorder_hash).value(), p);
}

// A preorder is remembered when written and forgotten when consumed or undone.
TEST_F(NameDbTest, CachedPreordersFollowConsumptionAndUndo) {
  PreorderRecord p;
  p.preorder_hash = std::string(40, 'f');
  p.sender = "alice";
  ops::Effect e1;
  e1.new_preorder = p;
  Block(0, e1);
  ASSERT_TRUE(m_db->GetPreorder(p.preorder_hash).value());
  ops::Effect e2;
  e2.consumed_preorder = p;
  e2.name = Rec("a.id", "alice");
  Block(1, e2);
  EXPECT_FALSE(m_db->GetPreorder(p.preorder_hash).value());
  ASSERT_TRUE(m_db->UndoBlock(1));
  EXPECT_EQ(m_db->GetPreorder(p.preorder_hash).value(), p);
  ASSERT_TRUE(m_db->UndoBlock(0));
  EXPECT_FALSE(m_db->GetPreorder(p.preorder_hash).value());
}

TEST_F(NameDbTest, BulkLoadKeepsUndoOnlyForTheNewestBlocksAndRebuildsIndexes) {
  // 1,200 blocks, each writing one name: the first 100 are older than the kept
  // undo depth (1,000 below the last block, 1,199).
  ASSERT_TRUE(m_db->BeginBulkLoad(500, 1199));
  for (uint32_t h = 0; h < 1200; ++h) {
    ops::Effect e;
    e.name = Rec("n" + std::to_string(h) + ".id", h % 2 ? "alice" : "bob");
    Block(h, e);
  }
  ASSERT_TRUE(m_db->EndBulkLoad());
  EXPECT_EQ(*m_db->LastBlock().value(), 1199u);
  EXPECT_EQ(m_db->NamesOwnedBy("alice").value().size(), 600u);
  EXPECT_EQ(m_db->NamesInNamespace("id").value().size(), 1200u);
  // The newest block undoes as usual; back at block 200, the old blocks cannot.
  ASSERT_TRUE(m_db->UndoBlock(1199));
  EXPECT_FALSE(m_db->GetName("n1199.id").value().has_value());
  EXPECT_TRUE(m_db->GetName("n1198.id").value().has_value());
  for (uint32_t h = 1198; h >= 200; --h) ASSERT_TRUE(m_db->UndoBlock(h)) << h;
  auto deep = m_db->UndoBlock(199);
  ASSERT_FALSE(deep);
  EXPECT_EQ(deep.error().code, util::ErrorCode::NotFound);
  // Normal per-block writing resumes.
  Block(200);
  EXPECT_EQ(*m_db->LastBlock().value(), 200u);
}

TEST_F(NameDbTest, AbortedBulkBatchRollsBackToTheLastCommit) {
  ASSERT_TRUE(m_db->BeginBulkLoad(3, 10));
  for (uint32_t h = 0; h < 4; ++h) Block(h);  // blocks 0-2 committed, 3 pending
  ASSERT_TRUE(m_db->BeginBlock(4));
  m_db->AbortBlock();
  EXPECT_EQ(*m_db->LastBlock().value(), 2u);
  EXPECT_FALSE(m_db->UndoBlock(2));  // no undoing while bulk loading
  ASSERT_TRUE(m_db->EndBulkLoad());
}

TEST_F(NameDbTest, RefusesAnotherSchemaVersion) {
  ASSERT_TRUE(m_db->SetMeta("schema_version", "999"));
  m_db.reset();
  auto reopened = NameDb::Open(m_dir + "/names.db");
  ASSERT_FALSE(reopened);
  EXPECT_EQ(reopened.error().code, util::ErrorCode::Corruption);
}

TEST_F(NameDbTest, NotADatabaseIsCorruption) {
  std::string path = m_dir + "/garbage.db";
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    std::fputs("this is not an sqlite database, not at all, no........................................", f);
    std::fclose(f);
  }
  auto db = NameDb::Open(path);
  ASSERT_FALSE(db);
}

// Lookups by zone-file hash read only the history rows that brought a name a hash
// it did not have just before; a renewal that keeps the hash is left out. Every
// hash a name ever had is still found, and undoing blocks keeps that true.
TEST_F(NameDbTest, ValueHashLookupsFindEveryHashAndSkipRepeats) {
  const std::string a(40, 'a');
  const std::string b(40, 'b');
  auto op = [&](uint32_t h, const std::optional<std::string>& value_hash, const char* opcode) {
    ops::Effect e;
    e.name = Rec("n.id", "alice");
    e.name->value_hash = value_hash;
    ops::HistoryEntry row;
    row.history_id = "n.id";
    row.opcode_name = opcode;
    row.value_hash = value_hash;
    row.block_height = h;
    row.txid = std::string(64, static_cast<char>('0' + h));
    row.data = EncodeNameRecord(*e.name);  // the writer stores it as the record
    e.history.push_back(row);
    Block(h, e);
  };
  op(0, a, "NAME_REGISTRATION");
  op(1, a, "NAME_RENEWAL");  // repeats a
  op(2, b, "NAME_UPDATE");
  op(3, b, "NAME_TRANSFER");  // repeats b
  op(4, a, "NAME_UPDATE");    // a again, after b: flagged
  auto rows = m_db->History("n.id", 0, 100);
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 5u) << "every operation keeps its history row";
  EXPECT_TRUE(*m_db->IsValueHashKnown(a));
  EXPECT_TRUE(*m_db->IsValueHashKnown(b));
  EXPECT_FALSE(*m_db->IsValueHashKnown(std::string(40, 'c')));
  EXPECT_EQ(*m_db->HistoryIdsWithValueHash(a), std::vector<std::string>{"n.id"});
  EXPECT_EQ(*m_db->ValueHashesUpTo(4), (std::vector<std::string>{a, b}));
  EXPECT_EQ(*m_db->ValueHashesUpTo(1), std::vector<std::string>{a});
  // Three rows are in the index: block 0 (a), 2 (b) and 4 (a after b).
  auto db = db::Sqlite::Open(m_dir + "/names.db", /*read_only=*/true).value();
  auto s = db.Prepare("SELECT group_concat(block_id) FROM (SELECT block_id FROM history INDEXED BY "
                      "history_by_value_hash WHERE value_hash_new = 1 ORDER BY block_id)");
  ASSERT_TRUE(s);
  ASSERT_TRUE(*(*s)->Step());
  EXPECT_EQ((*s)->Text(0), "0,2,4");
  (*s)->Reset();
  auto undone = m_db->UndoBlock(4);
  ASSERT_TRUE(undone) << undone.error().message;
  ASSERT_TRUE(m_db->UndoBlock(3));
  ASSERT_TRUE(m_db->UndoBlock(2));
  EXPECT_FALSE(*m_db->IsValueHashKnown(b));
  EXPECT_TRUE(*m_db->IsValueHashKnown(a));
}

// History rows are found by the block that wrote them through their rowids (no
// index on written_block): blocks without rows, rows that are not slots, undone
// blocks and blocks written again after an undo all land in the right ranges.
TEST_F(NameDbTest, HistoryRowsAreFoundByTheBlockThatWroteThem) {
  // Per block, the names written there (each a NAME_UPDATE with its own hash),
  // plus a preorder row, which is history but not an inventory slot.
  auto write = [&](uint32_t h, const std::vector<std::string>& names, bool preorder) {
    ASSERT_TRUE(m_db->BeginBlock(h));
    uint32_t vtx = 1;
    if (preorder) {
      ops::Effect p;
      p.history.push_back({"p" + std::to_string(h), "?", "NAME_PREORDER", std::nullopt, std::nullopt, h, vtx++,
                           "tp" + std::to_string(h), "{}"});
      ASSERT_TRUE(m_db->Apply(p));
    }
    for (const auto& n : names) {
      ops::Effect e;
      e.name = Rec(n, "alice");
      e.name->value_hash = std::string(40, n[0]);
      e.history.push_back(
          {n, "+", "NAME_UPDATE", e.name->value_hash, std::nullopt, h, vtx++, "t" + n, EncodeNameRecord(*e.name)});
      ASSERT_TRUE(m_db->Apply(e));
    }
    ASSERT_TRUE(m_db->EndBlock({h, std::string(64, 'a'), std::string(32, 'c'), std::string(64, 'e')}));
  };
  auto slots = [&](uint32_t from) {
    auto found = m_db->ZonefileSlotsFrom(from);
    std::string out;
    for (const auto& s : *found) out += s.name + "@" + std::to_string(s.block_height) + " ";
    return out;
  };
  auto ids = [&](uint32_t after, uint32_t upto) {
    auto v = *m_db->HistoryIdsWrittenBetween(after, upto);
    std::sort(v.begin(), v.end());
    std::string out;
    for (const auto& id : v) out += id + " ";
    return out;
  };
  write(0, {"a.id", "b.id"}, false);
  write(1, {}, false);
  write(2, {"c.id"}, true);
  write(3, {"d.id", "e.id"}, false);
  write(4, {}, true);
  write(5, {"f.id"}, false);

  EXPECT_EQ(slots(0), "a.id@0 b.id@0 c.id@2 d.id@3 e.id@3 f.id@5 ");
  EXPECT_EQ(slots(1), "c.id@2 d.id@3 e.id@3 f.id@5 ");
  EXPECT_EQ(slots(3), "d.id@3 e.id@3 f.id@5 ");
  EXPECT_EQ(slots(4), "f.id@5 ");
  EXPECT_EQ(slots(6), "");
  const std::vector<uint64_t> below{0, 2, 2, 3, 5, 5, 6, 6};
  for (uint32_t h = 0; h < below.size(); ++h) EXPECT_EQ(*m_db->ZonefileSlotCountBelow(h), below[h]) << h;
  EXPECT_EQ(ids(0, 2), "c.id p2 ");
  EXPECT_EQ(ids(1, 1), "");
  EXPECT_EQ(ids(3, 4), "p4 ");
  EXPECT_EQ(ids(2, 9), "d.id e.id f.id p4 ");
  EXPECT_EQ(ids(5, 3), "");
  EXPECT_EQ(m_db->ValueHashesUpTo(2)->size(), 3u);
  EXPECT_EQ(m_db->ValueHashesUpTo(4)->size(), 5u);

  // Undo back to block 2 and write different blocks 3 and 4.
  ASSERT_TRUE(m_db->UndoBlock(5));
  ASSERT_TRUE(m_db->UndoBlock(4));
  ASSERT_TRUE(m_db->UndoBlock(3));
  EXPECT_EQ(slots(0), "a.id@0 b.id@0 c.id@2 ");
  EXPECT_EQ(ids(2, 9), "");
  write(3, {"x.id"}, true);
  write(4, {"y.id", "z.id"}, false);
  EXPECT_EQ(slots(3), "x.id@3 y.id@4 z.id@4 ");
  EXPECT_EQ(slots(4), "y.id@4 z.id@4 ");
  EXPECT_EQ(*m_db->ZonefileSlotCountBelow(4), 4u);
  EXPECT_EQ(ids(2, 3), "p3 x.id ");
  ASSERT_TRUE(m_db->UndoBlock(4));
  EXPECT_EQ(slots(3), "x.id@3 ");
  EXPECT_EQ(ids(0, 9), "c.id p2 p3 x.id ");

  // The writer keeps no index on written_block.
  auto db = db::Sqlite::Open(m_dir + "/names.db", /*read_only=*/true).value();
  EXPECT_EQ(blockstack::db::test_util::QueryText(
                db, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND sql LIKE '%written_block%'"),
            "0");
}

// A version-3 database (every history row indexed by hash, op log and undo rows
// keyed by a second index) is brought to the current version when a writer opens
// it: its history stays findable by hash and its op log reads back the same.
TEST_F(NameDbTest, AVersion3DatabaseIsMigrated) {
  m_db.reset();
  const std::string path = m_dir + "/v3.db";
  {
    auto raw = db::Sqlite::Open(path, /*read_only=*/false).value();
    ASSERT_TRUE(raw.Exec(
        "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "INSERT INTO meta VALUES('schema_version', '3');"
        "CREATE TABLE history(id INTEGER PRIMARY KEY, history_id TEXT NOT NULL, block_id INTEGER NOT NULL, "
        "vtxindex INTEGER NOT NULL, txid TEXT NOT NULL, op TEXT NOT NULL, opcode TEXT NOT NULL, value_hash TEXT, "
        "creator_address TEXT, written_block INTEGER NOT NULL, data TEXT NOT NULL);"
        "CREATE INDEX history_by_value_hash ON history(value_hash);"
        "INSERT INTO history(history_id, block_id, vtxindex, txid, op, opcode, value_hash, written_block, data) "
        "VALUES('old.id', 7, 1, 'tx', ':', 'NAME_REGISTRATION', '" + std::string(40, 'd') + "', 7, '{}');"
        "CREATE TABLE ops(block_id INTEGER NOT NULL, vtxindex INTEGER NOT NULL, txid TEXT NOT NULL, "
        "opcode TEXT NOT NULL, accepted INTEGER NOT NULL, reason TEXT NOT NULL, raw_tx BLOB NOT NULL, "
        "senders TEXT NOT NULL, PRIMARY KEY(block_id, vtxindex));"
        "INSERT INTO ops VALUES(7, 2, 'tx7b', 'NAME_UPDATE', 0, 'why', x'00', '[]');"
        "INSERT INTO ops VALUES(7, 1, 'tx7a', 'NAME_REGISTRATION', 1, '', x'01', '[]');"
        "INSERT INTO ops VALUES(8, 1, 'tx8', 'NAME_UPDATE', 1, '', x'02', '[]');"
        "CREATE TABLE undo(block_id INTEGER NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL, "
        "key TEXT NOT NULL, old TEXT, PRIMARY KEY(block_id, seq));"
        "INSERT INTO undo VALUES(7, 0, 'name', 'old.id', NULL);"
        "CREATE TABLE name_records(name TEXT PRIMARY KEY, namespace_id TEXT NOT NULL, sender TEXT NOT NULL, "
        "name_hash128 TEXT NOT NULL, address TEXT NOT NULL, first_registered INTEGER NOT NULL, "
        "last_renewed INTEGER NOT NULL, revoked INTEGER NOT NULL, data TEXT NOT NULL);"
        "INSERT INTO name_records VALUES('old.id', 'id', 'alice', '00', 'alice', 7, 7, 0, '" +
        NameRecordJsonText(Rec("old.id", "alice")) + "');"));
  }
  auto migrated = NameDb::Open(path);
  ASSERT_TRUE(migrated) << migrated.error().message;
  EXPECT_EQ(*(*migrated)->GetMeta("schema_version"), std::optional<std::string>("9"));
  // The names table has its new column (no history row known for the old name).
  auto name = (*migrated)->GetName("old.id");
  ASSERT_TRUE(name && *name);
  EXPECT_EQ((*name)->sender, "alice");
  EXPECT_TRUE(*(*migrated)->IsValueHashKnown(std::string(40, 'd')));
  EXPECT_EQ(*(*migrated)->HistoryIdsWithValueHash(std::string(40, 'd')), std::vector<std::string>{"old.id"});
  // The op log keeps its rows, in transaction order, block by block.
  auto ops7 = (*migrated)->OpsAt(7);
  ASSERT_TRUE(ops7);
  ASSERT_EQ(ops7->size(), 2u);
  EXPECT_EQ((*ops7)[0].txid, "tx7a");
  EXPECT_EQ((*ops7)[1].txid, "tx7b");
  EXPECT_EQ((*ops7)[1].reason, "why");
  EXPECT_EQ((*migrated)->OpsAt(8)->size(), 1u);
  migrated->reset();
  // Opening it again changes nothing.
  auto again = NameDb::Open(path);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(*(*again)->IsValueHashKnown(std::string(40, 'd')));
}

// Op-log rows are keyed by block and transaction index packed into one rowid: an
// index that does not fit is refused with an error, and the block's other rows
// read back in order.
TEST_F(NameDbTest, OpLogRowsReadBackInOrderAndAnOversizedIndexIsRefused) {
  ASSERT_TRUE(m_db->BeginBlock(3));
  for (uint32_t vtx : {9u, 2u, 5u}) {
    ASSERT_TRUE(m_db->RecordOp({3, vtx, "tx" + std::to_string(vtx), "NAME_UPDATE", true, "", {0x01}, "[]", ""}));
  }
  auto huge = m_db->RecordOp({3, 1u << 24, "txbig", "NAME_UPDATE", true, "", {0x01}, "[]", ""});
  ASSERT_FALSE(huge);
  EXPECT_EQ(huge.error().code, util::ErrorCode::TooLarge);
  EXPECT_EQ(m_db->RecordOp({4, 1, "tx", "NAME_UPDATE", true, "", {0x01}, "[]", ""}).error().code,
            util::ErrorCode::Conflict);
  // A transaction recorded again replaces its row.
  ASSERT_TRUE(m_db->RecordOp({3, 5, "tx5", "NAME_UPDATE", false, "again", {0x02}, "[]", ""}));
  ASSERT_TRUE(m_db->EndBlock({3, std::string(64, 'a'), std::string(32, 'c'), std::string(64, 'e')}));
  auto ops = m_db->OpsAt(3);
  ASSERT_TRUE(ops);
  ASSERT_EQ(ops->size(), 3u);
  EXPECT_EQ((*ops)[0].vtxindex, 2u);
  EXPECT_EQ((*ops)[1], (OpRow{3, 5, "tx5", "NAME_UPDATE", false, "again", {0x02}, "[]", ""}));
  EXPECT_EQ((*ops)[2].vtxindex, 9u);
  EXPECT_TRUE(m_db->OpsAt(2)->empty());
  EXPECT_TRUE(m_db->OpsAt(4)->empty());
}

}  // namespace
}  // namespace blockstack::bns::db
