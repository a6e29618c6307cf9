#include <atlas/atlas_node.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include <util/base64.h>

#include "testutil/vectors.h"

namespace blockstack::atlas {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

// A chain as Atlas sees it: slots appended per block, consensus hash per block.
class FakeIndex : public interfaces::ZonefileIndex {
 public:
  void Add(uint32_t height, const std::string& zonefile) {
    std::lock_guard lock(m_mutex);
    uint32_t vtx = 0;
    for (const auto& s : m_slots) vtx += s.block_height == height ? 1 : 0;
    m_slots.push_back({"n" + std::to_string(m_slots.size()) + ".id", ZonefileHash(zonefile),
                       "tx" + std::to_string(m_slots.size()), height, vtx});
    m_last = std::max(m_last, height);
  }
  // Takes back every block above height (a reorg).
  void Rewind(uint32_t height) {
    std::lock_guard lock(m_mutex);
    std::erase_if(m_slots, [&](const auto& s) { return s.block_height > height; });
    m_last = height;
  }
  util::Result<std::vector<interfaces::ZonefileSlot>> SlotsFrom(uint32_t height) override {
    std::lock_guard lock(m_mutex);
    std::vector<interfaces::ZonefileSlot> out;
    for (const auto& s : m_slots) {
      if (s.block_height >= height) out.push_back(s);
    }
    return out;
  }
  util::Result<uint64_t> SlotCountBelow(uint32_t height) override {
    std::lock_guard lock(m_mutex);
    return static_cast<uint64_t>(std::count_if(m_slots.begin(), m_slots.end(),
                                               [&](const auto& s) { return s.block_height < height; }));
  }
  util::Result<std::optional<uint32_t>> LastBlock() override {
    std::lock_guard lock(m_mutex);
    return std::optional<uint32_t>(m_last);
  }
  util::Result<std::optional<std::string>> ConsensusHashAt(uint32_t height) override {
    return std::optional<std::string>("ch" + std::to_string(height));
  }

 private:
  std::mutex m_mutex;
  std::vector<interfaces::ZonefileSlot> m_slots;
  uint32_t m_last = 0;
};

std::string Zonefile(int i) {
  return "$ORIGIN n" + std::to_string(i) + ".id\n$TTL 3600\n_http._tcp URI 10 1 \"https://example.org/" +
         std::to_string(i) + "\"\n";
}

AtlasSettings FastSettings() {
  AtlasSettings s;
  s.network = "regtest";
  s.work_interval = milliseconds(50);
  s.inventory_refresh = milliseconds(100);
  s.peer_clean_interval = milliseconds(500);
  return s;
}

class AtlasNodeTest : public ::testing::Test {
 protected:
  void SetUp() override { m_dir = testutil::MakeTempDir("atlas-node"); }
  void TearDown() override { std::filesystem::remove_all(m_dir); }

  std::unique_ptr<ZonefileStore> OpenStore(const std::string& name) {
    auto store = ZonefileStore::Open(m_dir + "/" + name + ".db");
    EXPECT_TRUE(store);
    return std::move(*store);
  }
  static net::Response Call(AtlasNode& node, const std::string& method, const std::string& path,
                            const std::string& body = "", std::map<std::string, std::string> query = {}) {
    net::Request req;
    req.method = method;
    req.path = path;
    req.target = path;
    req.body = body;
    req.query = std::move(query);
    req.remote_ip = "127.0.0.1";
    return node.Handle(req);
  }

  // A node over a fresh store whose index announces one zone file.
  std::unique_ptr<AtlasNode> OneFileNode() {
    m_index.Add(1, Zonefile(0));
    m_store = OpenStore("one");
    auto node = AtlasNode::Create(FastSettings(), *m_store, m_index);
    EXPECT_TRUE(node);
    return node ? std::move(*node) : nullptr;
  }

  std::string m_dir;
  FakeIndex m_index;
  std::unique_ptr<ZonefileStore> m_store;
};

// Readers keep a read transaction between lookups: a write through the store is
// seen at once, a write through another connection within a second or so.
TEST_F(AtlasNodeTest, StoreReadersSeeNewWrites) {
  auto store = OpenStore("readers");
  const std::string first = Zonefile(0), second = Zonefile(1);
  EXPECT_FALSE(store->Get(ZonefileHash(first)).value());
  ASSERT_TRUE(store->Put(first));
  EXPECT_EQ(store->Get(ZonefileHash(first)).value(), first);

  auto other = OpenStore("readers");  // a second writer on the same file
  EXPECT_FALSE(store->Get(ZonefileHash(second)).value());
  ASSERT_TRUE(other->Put(second));
  std::optional<std::string> seen;
  for (int i = 0; i < 40 && !seen; ++i) {
    seen = store->Get(ZonefileHash(second)).value();
    if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(seen, second);
}

TEST_F(AtlasNodeTest, StoreTakesHashesTheCallerComputed) {
  auto store = OpenStore("hashed");
  const std::vector<std::string> files = {Zonefile(0), Zonefile(1)};
  const std::vector<std::string> hashes = {ZonefileHash(files[0]), ZonefileHash(files[1])};
  const std::vector<std::string> one = {hashes[0]};
  auto mismatched = store->PutMany(files, &one);
  ASSERT_FALSE(mismatched);
  EXPECT_EQ(mismatched.error().code, util::ErrorCode::InvalidArgument);
  EXPECT_FALSE(store->Get(hashes[0]).value());  // nothing was written
  EXPECT_EQ(store->PutMany(files, &hashes).value(), std::vector<bool>({true, true}));
  EXPECT_EQ(store->Get(hashes[1]).value(), files[1]);
  EXPECT_EQ(store->PutMany(files).value(), std::vector<bool>({false, false}));
}

TEST_F(AtlasNodeTest, StoresOnlyAnnouncedZonefiles) {
  auto node = OneFileNode();
  ASSERT_TRUE(node);
  EXPECT_EQ(node->Store(Zonefile(0)).value(), true);
  EXPECT_EQ(node->Store(Zonefile(0)).value(), false);
  auto unknown = node->Store(Zonefile(1));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, util::ErrorCode::NotFound);
  auto big = node->Store(std::string(MAX_ZONEFILE_BYTES + 1, 'x'));
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, util::ErrorCode::TooLarge);
  // Announced later: found once the block is read.
  m_index.Add(2, Zonefile(1));
  node->OnBlock();
  EXPECT_TRUE(node->Store(Zonefile(1)));
  EXPECT_EQ(m_store->Count().value(), 2u);
}

TEST_F(AtlasNodeTest, InventoryHasOneBitPerSlotInChainOrder) {
  FakeIndex index;
  index.Add(1, Zonefile(0));
  index.Add(1, Zonefile(1));
  index.Add(2, Zonefile(0));  // the same hash announced again: its own slot
  auto store = OpenStore("a");
  auto node = AtlasNode::Create(FastSettings(), *store, index);
  ASSERT_TRUE(node);
  ASSERT_TRUE((*node)->Store(Zonefile(0)));
  auto res = Call(**node, "GET", "/v1/atlas/inventory");
  ASSERT_EQ(res.status, 200u);
  EXPECT_EQ(json::parse(res.body)["inv"], util::EncodeBase64(util::Bytes{0xa0}));
  auto st = (*node)->Stats();
  EXPECT_EQ(st.slots, 3u);
  EXPECT_EQ(st.hashes, 2u);
  EXPECT_EQ(st.present, 1u);
  EXPECT_EQ(st.missing, 1u);
  // Paging is in bytes; past the end is empty.
  auto past = Call(**node, "GET", "/v1/atlas/inventory", "", {{"offset", "1"}, {"length", "10"}});
  EXPECT_EQ(json::parse(past.body)["inv"], "");
}

TEST_F(AtlasNodeTest, ReorgTakesBackSlots) {
  FakeIndex index;
  for (int i = 0; i < 4; ++i) index.Add(static_cast<uint32_t>(1 + i), Zonefile(i));
  auto store = OpenStore("a");
  auto node = AtlasNode::Create(FastSettings(), *store, index);
  ASSERT_TRUE(node);
  EXPECT_EQ((*node)->Stats().slots, 4u);
  index.Rewind(2);
  index.Add(3, Zonefile(7));
  (*node)->OnBlock();
  auto st = (*node)->Stats();
  EXPECT_EQ(st.slots, 3u);
  EXPECT_EQ(st.hashes, 3u);
  EXPECT_FALSE((*node)->Store(Zonefile(3)));  // no longer announced
  EXPECT_TRUE((*node)->Store(Zonefile(7)));
}

TEST_F(AtlasNodeTest, PeerRequestsAreBounded) {
  auto node = OneFileNode();
  ASSERT_TRUE(node);
  ASSERT_TRUE(node->Store(Zonefile(0)));
  json hashes = json::array();
  for (int i = 0; i < 101; ++i) hashes.push_back(std::string(40, '0'));
  EXPECT_EQ(Call(*node, "POST", "/v1/atlas/zonefiles", json{{"zonefile_hashes", hashes}}.dump()).status, 400u);
  EXPECT_EQ(Call(*node, "POST", "/v1/atlas/zonefiles", json{{"zonefile_hashes", {"XYZ"}}}.dump()).status, 400u);
  EXPECT_EQ(Call(*node, "POST", "/v1/atlas/zonefiles", "{").status, 400u);
  auto got = Call(*node, "POST", "/v1/atlas/zonefiles",
                  json{{"zonefile_hashes", {ZonefileHash(Zonefile(0)), std::string(40, 'a')}}}.dump());
  ASSERT_EQ(got.status, 200u);
  json files = json::parse(got.body)["zonefiles"];
  EXPECT_EQ(files.size(), 1u);  // the unknown hash is left out
  EXPECT_EQ(files[ZonefileHash(Zonefile(0))], util::EncodeBase64(util::AsBytes(Zonefile(0))));
  json six = json::array();
  for (int i = 0; i < 6; ++i) six.push_back("AA==");
  EXPECT_EQ(Call(*node, "POST", "/v1/atlas/zonefiles/put", json{{"zonefile_datas", six}}.dump()).status, 400u);
  auto put = Call(*node, "POST", "/v1/atlas/zonefiles/put",
                  json{{"zonefile_datas", {util::EncodeBase64(util::AsBytes(Zonefile(0))), "!!"}}}.dump());
  EXPECT_EQ(put.status, 400u);  // one bad entry refuses the call
  EXPECT_EQ(Call(*node, "GET", "/v1/atlas/inventory", "", {{"length", "524289"}}).status, 400u);
  EXPECT_EQ(Call(*node, "POST", "/v1/atlas/peers", json{{"my_hostport", "nope"}}.dump()).status, 400u);
  EXPECT_EQ(Call(*node, "POST", "/v1/atlas/peers", std::string(MAX_REQUEST_BYTES + 1, ' ')).status, 413u);
  EXPECT_EQ(Call(*node, "GET", "/v1/atlas/nothing").status, 404u);
  auto info = json::parse(Call(*node, "GET", "/v1/atlas/info").body);
  EXPECT_EQ(info["network"], "regtest");
  EXPECT_EQ(info["consensus"], "ch1");
  EXPECT_EQ(info["zonefile_count"], 1);
}

// Two nodes on loopback: B knows only A (its seed), lacks everything, and must
// fetch it all; a file stored on B later is pushed to A.
TEST_F(AtlasNodeTest, ASeededNodeFetchesEverythingAndPushesBack) {
  FakeIndex index;
  constexpr int N = 250;  // more than two get_zonefiles batches
  for (int i = 0; i < N; ++i) index.Add(1 + static_cast<uint32_t>(i / 50), Zonefile(i));
  index.Add(10, Zonefile(N));
  auto store_a = OpenStore("a");
  auto store_b = OpenStore("b");
  auto a = AtlasNode::Create(FastSettings(), *store_a, index);
  ASSERT_TRUE(a);
  for (int i = 0; i < N; ++i) ASSERT_TRUE((*a)->Store(Zonefile(i)));
  auto server_a = net::HttpServer::Start("127.0.0.1", 0, [&](const net::Request& r) { return (*a)->Handle(r); });
  ASSERT_TRUE(server_a);
  std::string host_a = "127.0.0.1:" + std::to_string((*server_a)->Port());
  AtlasSettings sb = FastSettings();
  sb.seeds = {host_a};
  auto b = AtlasNode::Create(sb, *store_b, index);
  ASSERT_TRUE(b);
  auto server_b = net::HttpServer::Start("127.0.0.1", 0, [&](const net::Request& r) { return (*b)->Handle(r); });
  ASSERT_TRUE(server_b);
  (*a)->SetSelf(host_a);
  (*b)->SetSelf("127.0.0.1:" + std::to_string((*server_b)->Port()));
  (*a)->Start();
  (*b)->Start();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while ((*b)->Stats().present < N && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_EQ((*b)->Stats().present, static_cast<uint64_t>(N));
  EXPECT_EQ(store_b->Get(ZonefileHash(Zonefile(7))).value(), Zonefile(7));
  // A file stored on B is pushed to A, B's healthy seed.
  ASSERT_TRUE((*b)->Store(Zonefile(N)));
  while ((*a)->Stats().present < N + 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_EQ((*a)->Stats().present, static_cast<uint64_t>(N + 1));
  // One zone file asked of B's peers directly (the record fetch path), checked but
  // not stored; a hash nobody has gives nothing.
  std::string peer;
  auto direct = (*b)->FetchFromPeers(ZonefileHash(Zonefile(3)), &peer);
  ASSERT_TRUE(direct);
  EXPECT_EQ(*direct, Zonefile(3));
  EXPECT_EQ(peer, host_a);
  EXPECT_FALSE((*b)->FetchFromPeers(std::string(40, '0'), &peer));
  (*b)->Stop();
  (*a)->Stop();
}

}  // namespace
}  // namespace blockstack::atlas
