// DHT records: manifests and chunks (pure), then three OpenDHT nodes on loopback:
// records put on one node are read back from another, large records through
// chunks, and junk stored under a key by a node that does not check (a raw
// OpenDHT node) is ignored by readers.
#include <dht/dht_node.h>
#include <dht/records.h>

#include <gtest/gtest.h>

#include <thread>

#include <opendht.h>

#include <crypto/hash.h>
#include <util/bytes.h>

namespace blockstack::dht {
namespace {

std::string H(std::string_view data) { return crypto::Hash160Of(util::AsBytes(data)).Hex(); }

TEST(DhtRecordsTest, ManifestsRoundTripAndRefuseWhatIsWrong) {
  std::string record(CHUNK_BYTES * 2 + 10, 'x');
  record[5] = 'y';
  auto chunks = SplitChunks(record);
  ASSERT_EQ(chunks.size(), 3u);
  Manifest m;
  m.size = record.size();
  for (const auto& c : chunks) m.chunks.push_back(H(c));
  const std::string self = H(record);
  auto back = DecodeManifest(EncodeManifest(m), self);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->size, m.size);
  EXPECT_EQ(back->chunks, m.chunks);
  auto joined = JoinChunks(*back, chunks, self, H);
  ASSERT_TRUE(joined);
  EXPECT_EQ(*joined, record);

  auto altered = chunks;
  altered[1][0] = 'z';
  EXPECT_EQ(JoinChunks(m, altered, self, H).error().code, util::ErrorCode::Corruption);
  EXPECT_FALSE(JoinChunks(m, {chunks[0], chunks[1]}, self, H));
  EXPECT_FALSE(JoinChunks(m, chunks, H("other"), H));

  EXPECT_FALSE(DecodeManifest("manifest 10 " + m.chunks[0], self));                       // wrong prefix
  EXPECT_FALSE(DecodeManifest(std::string(MANIFEST_TYPE) + " 10", self));                 // no chunks
  EXPECT_FALSE(DecodeManifest(std::string(MANIFEST_TYPE) + " 10 XYZ", self));             // not a hash
  EXPECT_FALSE(DecodeManifest(std::string(MANIFEST_TYPE) + " 10 " + self, self));         // a loop
  EXPECT_FALSE(DecodeManifest(std::string(MANIFEST_TYPE) + " 999999 " + m.chunks[0], self));  // size
  EXPECT_FALSE(DecodeManifest(std::string(MANIFEST_TYPE) + " -1 " + m.chunks[0], self));
  std::string many = std::string(MANIFEST_TYPE) + " 100";
  for (std::size_t i = 0; i <= MAX_CHUNKS; ++i) many += " " + m.chunks[0];
  EXPECT_FALSE(DecodeManifest(many, self));
  EXPECT_TRUE(util::IsHash160Hex(self));
  EXPECT_FALSE(util::IsHash160Hex(std::string(40, 'G')));
}

class DhtNetworkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DhtSettings s;
    s.network_id = NetworkIdFor("regtest") + 100;  // apart from anything else running
    s.timeout = std::chrono::seconds(15);
    for (int i = 0; i < 3; ++i) {
      if (i > 0) s.bootstrap = {"127.0.0.1:" + std::to_string(nodes.back()->Port())};
      auto n = DhtNode::Start(s, H);
      ASSERT_TRUE(n) << n.error().message;
      nodes.push_back(std::move(*n));
    }
    // Wait (up to 20 s: sanitizer builds are slow) until every node knows the others.
    for (int i = 0; i < 400; ++i) {
      bool meshed = true;
      for (const auto& n : nodes) meshed = meshed && n->KnownNodes() >= 2;
      if (meshed) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  std::vector<std::unique_ptr<DhtNode>> nodes;
};

TEST_F(DhtNetworkTest, RecordsPutOnOneNodeAreReadOnAnother) {
  const std::string small = "$ORIGIN alice.id\n$TTL 3600\n_http._tcp URI 10 1 \"https://example.org/a.json\"\n";
  auto key = nodes[0]->Put(small);
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(*key, H(small));
  auto got = nodes[2]->Get(*key);
  ASSERT_TRUE(got);
  ASSERT_TRUE(*got);
  EXPECT_EQ(**got, small);

  std::string big;
  for (int i = 0; i < 3000; ++i) big += "line " + std::to_string(i) + " of a record larger than one DHT value\n";
  ASSERT_GT(big.size(), CHUNK_BYTES * 2);
  auto big_key = nodes[1]->Put(big);
  ASSERT_TRUE(big_key) << big_key.error().message;
  auto big_got = nodes[0]->Get(*big_key);
  ASSERT_TRUE(big_got && *big_got);
  EXPECT_EQ(**big_got, big);

  auto missing = nodes[2]->Get(H("never stored"));
  ASSERT_TRUE(missing);
  EXPECT_FALSE(*missing);
  EXPECT_FALSE(nodes[0]->Get("not-a-hash"));
  EXPECT_EQ(nodes[0]->Put(std::string(MAX_RECORD_BYTES + 1, 'a')).error().code, util::ErrorCode::TooLarge);
}

TEST_F(DhtNetworkTest, JunkUnderAKeyIsIgnored) {
  // A plain OpenDHT node on the same network stores whatever it is given, with the
  // default value type: readers must check.
  ::dht::DhtRunner raw;
  ::dht::DhtRunner::Config config;
  config.dht_config.node_config.network = static_cast<::dht::NetId>(NetworkIdFor("regtest") + 100);
  config.threaded = true;
  config.bind4 = ::dht::SockAddr::resolve("127.0.0.1", "0").front();
  raw.run(0, config);
  raw.bootstrap("127.0.0.1", std::to_string(nodes[0]->Port()));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const std::string wanted = "the real record";
  const std::string key = H(wanted);
  auto put = [&](std::string data, std::string user_type) {
    auto v = std::make_shared<::dht::Value>(::dht::Blob(data.begin(), data.end()));
    v->user_type = std::move(user_type);
    std::promise<bool> done;
    auto f = done.get_future();
    raw.put(::dht::InfoHash(key), v, [&done](bool ok) { done.set_value(ok); });
    f.wait_for(std::chrono::seconds(5));
  };
  put("not the real record", "");
  put(std::string(MANIFEST_TYPE) + " 10 " + key, MANIFEST_TYPE);            // loops to itself
  put(std::string(MANIFEST_TYPE) + " 10 " + H("no such chunk"), MANIFEST_TYPE);  // points nowhere
  auto got = nodes[1]->Get(key);
  ASSERT_TRUE(got);
  EXPECT_FALSE(*got);
  // Once the real record is stored, it is found among the junk.
  ASSERT_TRUE(nodes[2]->Put(wanted));
  auto real = nodes[1]->Get(key);
  ASSERT_TRUE(real && *real);
  EXPECT_EQ(**real, wanted);
  raw.shutdown({}, true);
  raw.join();
}

}  // namespace
}  // namespace blockstack::dht
