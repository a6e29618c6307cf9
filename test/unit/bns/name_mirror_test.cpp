// NameMirror: the in-memory copy of every name that the API and DNS answer from.
// It must follow new blocks only when told, encode again the names its encoder
// asks for, and start over when a reorg replaces the block it stands on.
#include <bns/db/name_mirror.h>

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <thread>

#include "bns/chain_fixture.h"

namespace blockstack::bns::db {
namespace {

using testutil::H160;
using testutil::MAGIC;

// Entries: the fqn header, then the owner address.
std::size_t EntrySize(const char* entry) {
  const std::size_t head = 1 + static_cast<uint8_t>(entry[0]);
  return head + 1 + static_cast<uint8_t>(entry[head]);
}

class AddressEncoder : public NameMirror::Encoder {
 public:
  util::Result<std::string> Encode(const NameRecord& rec) override {
    std::lock_guard lock(mutex);
    if (fail_next > 0) {
      --fail_next;
      ++failures;
      return util::Fail(util::ErrorCode::IoError, "the zone-file store could not be read");
    }
    ++encoded[rec.name];
    std::string out;
    NameTable::PutFqn(out, rec.name);
    out.push_back(static_cast<char>(rec.address.size()));
    out += rec.address;
    return out;
  }
  util::Result<std::vector<std::string>> Stale(NameDb&) override {
    std::lock_guard lock(mutex);
    return stale;
  }
  void StaleApplied() override {
    std::lock_guard lock(mutex);
    stale.clear();
  }
  int Count(const std::string& fqn) {
    std::lock_guard lock(mutex);
    return encoded[fqn];
  }
  std::mutex mutex;
  std::map<std::string, int> encoded;
  std::vector<std::string> stale;
  int fail_next = 0;  // Encode calls to fail
  int failures = 0;
};

class NameMirrorTest : public ::testing::Test, protected testutil::Scenario {
 protected:
  void WaitCurrent(NameMirror& mirror) {
    for (int i = 0; i < 1000 && !mirror.Current(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_TRUE(mirror.Current());
  }
  // The owner address the table holds for fqn, or "" when it holds no such name.
  static std::string Owner(NameMirror& mirror, const std::string& fqn) {
    return mirror.Read([&](const NameTable& table, const NamespaceMap&) {
      std::string_view entry = table.Find(fqn);
      if (entry.empty()) return std::string();
      const std::size_t head = 1 + static_cast<uint8_t>(entry[0]);
      return std::string(entry.substr(head + 1));
    });
  }
};

TEST_F(NameMirrorTest, FollowsBlocksWhenToldAndStartsOverAfterAReorg) {
  CreateNamespace("test", 0xffffffff);
  Register(alice, "alice.test", H160(1));
  const uint32_t fork = *node->db->LastBlock().value();
  AddressEncoder encoder;
  NameMirror mirror("test", std::move(*NameDb::Open(node->dir + "/names.db", true)), encoder, &EntrySize);
  WaitCurrent(mirror);
  EXPECT_EQ(Owner(mirror, "alice.test"), alice.address);
  EXPECT_EQ(mirror.Stats().names, 1u);
  EXPECT_EQ(mirror.Stats().height, fork);
  EXPECT_TRUE(mirror.Read([](const NameTable&, const NamespaceMap& ns) { return ns.count("test") == 1; }));

  // A new block is seen only once it is reported.
  const uint32_t bob_block = Register(bob, "bob.test", H160(2));
  EXPECT_TRUE(mirror.Current());
  EXPECT_EQ(Owner(mirror, "bob.test"), "");
  // (Whether Current() is false just after Changed() depends on how soon the
  // thread runs, so only the outcome is checked.)
  mirror.Changed();
  WaitCurrent(mirror);
  EXPECT_EQ(Owner(mirror, "bob.test"), bob.address);
  EXPECT_EQ(mirror.Stats().height, bob_block);
  EXPECT_EQ(encoder.Count("alice.test"), 1);  // untouched by bob's blocks

  // A name the encoder calls stale is encoded again.
  {
    std::lock_guard lock(encoder.mutex);
    encoder.stale = {"alice.test"};
  }
  mirror.Changed();
  WaitCurrent(mirror);
  EXPECT_EQ(encoder.Count("alice.test"), 2);
  {
    std::lock_guard lock(encoder.mutex);
    EXPECT_TRUE(encoder.stale.empty()) << "told the stale names are in the table";
  }

  // An update that fails after taking the stale names asks for them again.
  {
    std::lock_guard lock(encoder.mutex);
    encoder.stale = {"alice.test"};
    encoder.fail_next = 1;
  }
  mirror.Changed();
  WaitCurrent(mirror);
  EXPECT_EQ(encoder.Count("alice.test"), 3);
  {
    std::lock_guard lock(encoder.mutex);
    EXPECT_EQ(encoder.failures, 1);
    EXPECT_TRUE(encoder.stale.empty());
  }

  // A longer branch from before bob's preorder: bob.test goes, alice.test stays.
  chain.Fork(fork);
  for (int i = 0; i < 4; ++i) chain.Mine();
  node->Sync();
  ASSERT_FALSE(node->db->GetName("bob.test").value().has_value());
  mirror.Changed();
  WaitCurrent(mirror);
  EXPECT_EQ(Owner(mirror, "bob.test"), "");
  EXPECT_EQ(Owner(mirror, "alice.test"), alice.address);
  EXPECT_EQ(mirror.Stats().names, 1u);
  EXPECT_EQ(mirror.Stats().height, fork + 4);
  EXPECT_EQ(encoder.Count("alice.test"), 4);  // every name encoded again
}

}  // namespace
}  // namespace blockstack::bns::db
