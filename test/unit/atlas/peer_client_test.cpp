#include <atlas/peer_client.h>

#include <gtest/gtest.h>

#include <atlas/zonefile_store.h>
#include <net/http_server.h>

namespace blockstack::atlas {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

// A peer that answers every request with the given response.
class FakePeer {
 public:
  explicit FakePeer(std::function<net::Response(const net::Request&)> answer) {
    auto server = net::HttpServer::Start("127.0.0.1", 0, std::move(answer));
    EXPECT_TRUE(server);
    m_server = std::move(*server);
  }
  std::unique_ptr<PeerClient> Client() {
    auto client = PeerClient::Create("127.0.0.1:" + std::to_string(m_server->Port()));
    EXPECT_TRUE(client);
    return std::move(*client);
  }

 private:
  std::unique_ptr<net::HttpServer> m_server;
};

net::Response Frames(const std::string& frames) {
  return net::Response::Text(200, frames, ZONEFILE_FRAMES_TYPE);
}

TEST(PeerClientTest, EndlessPeerListsAreCutAndMalformedEntriesDropped) {
  FakePeer peer([](const net::Request&) {
    json peers = json::array({"no-port", 7, "host:0", "host:080", "a/b:1234", "[::1]:6270"});
    for (int i = 0; i < 5000; ++i) peers.push_back("10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250) + ":6270");
    return net::Response::Json(200, {{"status", true}, {"peers", peers}});
  });
  auto list = peer.Client()->ExchangePeers("127.0.0.1:16270", milliseconds(2000));
  ASSERT_TRUE(list) << list.error().message;
  EXPECT_EQ(list->size(), MAX_NEIGHBORS);
  for (const auto& p : *list) EXPECT_TRUE(IsValidHostPort(p)) << p;
  EXPECT_EQ(list->front(), "10.0.0.0:6270");
}

TEST(PeerClientTest, ZonefilesThatFailAnyCheckAreCountedNotReturned) {
  const std::string good = "$ORIGIN a.id\n";
  const std::string other = "$ORIGIN b.id\n";
  const std::string h_good = ZonefileHash(good), h_other = ZonefileHash(other), h_asked = std::string(40, 'c');
  FakePeer peer([&](const net::Request&) {
    std::string frames;
    AppendZonefileFrame(frames, h_good, good);       // fine
    AppendZonefileFrame(frames, h_asked, "forged");  // bytes do not hash to the key
    AppendZonefileFrame(frames, h_other, other);     // never asked for
    AppendZonefileFrame(frames, h_good, good);       // sent twice
    return Frames(frames);
  });
  auto got = peer.Client()->GetZonefiles({h_good, h_asked}, milliseconds(2000));
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->files.size(), 1u);
  EXPECT_EQ(got->files.at(h_good), good);
  EXPECT_EQ(got->bad, 3u);
}

TEST(PeerClientTest, TruncatedFramesAndWrongAnswersAreErrors) {
  const std::string good = "$ORIGIN a.id\n";
  std::string frames;
  AppendZonefileFrame(frames, ZonefileHash(good), good);
  FakePeer truncated([&](const net::Request&) { return Frames(frames.substr(0, frames.size() - 1)); });
  EXPECT_FALSE(truncated.Client()->GetZonefiles({ZonefileHash(good)}, milliseconds(2000)));
  FakePeer json_only([](const net::Request&) { return net::Response::Json(200, {{"zonefiles", json::object()}}); });
  EXPECT_FALSE(json_only.Client()->GetZonefiles({ZonefileHash(good)}, milliseconds(2000)));
  FakePeer long_inventory([](const net::Request&) { return net::Response::Json(200, {{"inv", "AAAA"}}); });
  EXPECT_FALSE(long_inventory.Client()->GetInventory(0, 2, milliseconds(2000)));  // 3 bytes for 2 asked
  FakePeer short_saved([](const net::Request&) { return net::Response::Json(200, {{"saved", {1}}}); });
  EXPECT_FALSE(short_saved.Client()->PutZonefiles({good, good}, milliseconds(2000)));
  FakePeer refusing([](const net::Request&) { return net::Response::Json(200, {{"error", "overloaded"}}); });
  auto info = refusing.Client()->GetInfo(milliseconds(2000));
  ASSERT_FALSE(info);
  EXPECT_NE(info.error().message.find("overloaded"), std::string::npos);
  EXPECT_FALSE(PeerClient::Create("not a peer"));
}

}  // namespace
}  // namespace blockstack::atlas
