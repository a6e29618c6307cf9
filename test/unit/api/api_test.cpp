// The REST API (spec bns.md §6) over a database built by indexing a real chain.
#include <api/api.h>
#include <api/name_entry.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <bitcoin/address.h>
#include <bns/did.h>
#include <crypto/hash.h>
#include <db/sqlite.h>
#include <util/base64.h>
#include <virtualchain/consensus.h>

#include "bns/chain_fixture.h"

namespace blockstack::api {
namespace {

using nlohmann::json;

const std::string ZONEFILE = "$ORIGIN alice.test\n$TTL 3600\n_http._tcp URI 10 1 \"https://example.org/a.json\"\n";

util::Hash160 ZonefileHash160() { return crypto::Hash160Of(util::AsBytes(ZONEFILE)); }

class ApiTest : public ::testing::Test, protected testutil::Scenario {
 protected:
  void SetUp() override {
    CreateNamespace("test", 0xffffffff);
    m_alice_block = Register(alice, "alice.test", ZonefileHash160());
    Expect(m_alice_block, "registration");
    m_dir = testutil::MakeTempDir("api");
    m_store = std::move(*atlas::ZonefileStore::Open(m_dir + "/zonefiles.db"));
    ApiSettings settings;
    settings.db_path = node->dir + "/names.db";
    settings.rules = chain.rules;
    settings.public_url = "http://node.example:6270";
    auto made = Api::Create(settings, *m_store);
    ASSERT_TRUE(made) << made.error().message;
    m_api = std::move(*made);
  }
  void TearDown() override {
    m_api.reset();
    m_store.reset();
    std::filesystem::remove_all(m_dir);
  }

  net::Response Call(const std::string& method, const std::string& target, const std::string& body = "",
                     Api* api = nullptr) {
    net::Request r;
    r.method = method;
    r.target = target;
    auto q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) {
      std::string rest = target.substr(q + 1);
      std::size_t pos = 0;
      while (pos < rest.size()) {
        auto amp = rest.find('&', pos);
        std::string pair = rest.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
        auto eq = pair.find('=');
        if (!r.query.emplace(pair.substr(0, eq), eq == std::string::npos ? "" : pair.substr(eq + 1)).second) {
          r.repeated_query_key = true;
        }
        if (amp == std::string::npos) break;
        pos = amp + 1;
      }
    }
    r.body = body;
    r.headers["content-type"] = "application/json";
    return (api ? api : m_api.get())->Handle(r);
  }
  json Get(const std::string& target, unsigned expect = 200) {
    auto r = Call("GET", target);
    EXPECT_EQ(r.status, expect) << target << ": " << r.body;
    return json::parse(r.body, nullptr, false);
  }

  uint32_t m_alice_block = 0;
  std::string m_dir;
  std::unique_ptr<atlas::ZonefileStore> m_store;
  std::unique_ptr<Api> m_api;
};

TEST_F(ApiTest, PingAndInfo) {
  EXPECT_EQ(Get("/v1/node/ping")["status"], "alive");
  EXPECT_EQ(Get("/v1/ping")["status"], "alive");
  auto info = Get("/v1/info");
  EXPECT_EQ(info["last_block_processed"], m_alice_block);
  EXPECT_EQ(info["first_block"], testutil::ChainFixture::FIRST);
  EXPECT_EQ(info["consensus"], LastCh());
  EXPECT_EQ(info["testnet"], true);
  EXPECT_EQ(info["server_alive"], true);
  EXPECT_EQ(info["zonefile_count"], 0);
  m_api->OnChainTip(m_alice_block + 10, true);
  info = Get("/v1/info");
  EXPECT_EQ(info["last_block_seen"], m_alice_block + 10);
  EXPECT_EQ(info["indexing"], true);
}

TEST_F(ApiTest, NameInfoAndZonefilePublishing) {
  auto info = Get("/v1/names/alice.test");
  EXPECT_EQ(info["status"], "registered");
  EXPECT_EQ(info["address"], alice.address);
  EXPECT_EQ(info["zonefile_hash"], ZonefileHash160().Hex());
  EXPECT_TRUE(info["zonefile"].is_null());
  EXPECT_EQ(info["blockchain"], "bitcoin");
  EXPECT_EQ(info["expire_block"], -1);
  EXPECT_EQ(info["grace_period"], false);

  // A zone file no name points at is refused and not stored.
  auto bad = Call("POST", "/v1/zonefile", json{{"zonefile", "$ORIGIN nobody.test\n"}}.dump());
  EXPECT_EQ(bad.status, 400u);
  EXPECT_EQ(json::parse(bad.body)["error"], "Blockstack node did not save the zone file");
  EXPECT_EQ(Call("POST", "/v1/zonefile", "{not json").status, 400u);
  EXPECT_EQ(Call("POST", "/v1/zonefile", R"({"zonefile": 5})").status, 400u);
  // Oversized zone files say so, and what the limit is.
  auto big = Call("POST", "/v1/zonefile", json{{"zonefile", std::string(50000, 'z')}}.dump());
  EXPECT_EQ(big.status, 400u);
  EXPECT_EQ(json::parse(big.body)["error"], "Zone file too large: 50000 bytes, the limit is 40960");
  auto huge = Call("POST", "/v1/zonefile", json{{"zonefile", std::string(90000, 'z')}}.dump());
  EXPECT_EQ(huge.status, 413u);
  EXPECT_EQ(json::parse(huge.body)["error"], "Request too large: a zone file may be at most 40960 bytes");
  EXPECT_EQ(Get("/v1/zonefiles/" + ZonefileHash160().Hex(), 404)["error"], "No such zone file");

  // While the node catches up it cannot tell which hashes are on chain: 503, and
  // nothing is stored.
  ASSERT_TRUE(node->db->SetCatchingUp(true));
  m_api->OnBlock(m_alice_block);  // the indexer reports its blocks: readers take a fresh view
  auto busy = Call("POST", "/v1/zonefile", json{{"zonefile", ZONEFILE}}.dump());
  EXPECT_EQ(busy.status, 503u) << busy.body;
  EXPECT_NE(json::parse(busy.body)["error"].get<std::string>().find("catching up"), std::string::npos) << busy.body;
  EXPECT_EQ(Get("/v1/zonefiles/" + ZonefileHash160().Hex(), 404)["error"], "No such zone file");
  // Name histories, a name's zone file by hash and a block by consensus hash wait
  // for the tip too.
  const std::vector<std::string> waiting_paths = {
      "/v1/names/alice.test/history", "/v1/names/alice.test/zonefile/" + ZonefileHash160().Hex(),
      "/v1/blockchains/bitcoin/consensus-block/" + *node->db->ConsensusHashAt(m_alice_block).value()};
  for (const auto& path : waiting_paths) {
    auto waiting = Call("GET", path);
    EXPECT_EQ(waiting.status, 503u) << path << " " << waiting.body;
    EXPECT_NE(json::parse(waiting.body)["error"].get<std::string>().find("catching up"), std::string::npos);
  }
  EXPECT_EQ(Get("/v1/names/alice.test")["status"], "registered");
  ASSERT_TRUE(node->db->SetCatchingUp(false));
  m_api->OnBlock(m_alice_block);

  auto ok = Call("POST", "/v1/zonefile/", json{{"zonefile", ZONEFILE}}.dump());
  ASSERT_EQ(ok.status, 200u) << ok.body;
  EXPECT_EQ(json::parse(ok.body), json({{"status", true}, {"servers", {"http://node.example:6270"}}}));
  EXPECT_EQ(Get("/v1/names/alice.test")["zonefile"], ZONEFILE);
  auto raw = Call("GET", "/v1/zonefiles/" + ZonefileHash160().Hex());
  EXPECT_EQ(raw.status, 200u);
  EXPECT_EQ(raw.body, ZONEFILE);
  EXPECT_EQ(Get("/v1/names/alice.test/zonefile")["zonefile"], ZONEFILE);
  EXPECT_EQ(Call("GET", "/v1/names/alice.test/zonefile?raw=1").body, ZONEFILE);
  EXPECT_EQ(Get("/v1/names/alice.test/zonefile/" + ZonefileHash160().Hex())["zonefile"], ZONEFILE);
  EXPECT_EQ(Get("/v1/names/alice.test/zonefile/" + std::string(40, 'a'), 404)["error"], "No such zonefile");
  EXPECT_EQ(Get("/v1/zonefiles/xyz", 400)["error"], "Invalid zone file hash");
  // A hash in upper case names the same file (the store keys it in lower case).
  std::string upper = ZonefileHash160().Hex();
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(Call("GET", "/v1/zonefiles/" + upper).body, ZONEFILE);
  EXPECT_EQ(Get("/v1/names/alice.test/zonefile/" + upper)["zonefile"], ZONEFILE);
  // The base64 form stores the same file (already there: still a success).
  auto b64 = Call("POST", "/v1/zonefile", json{{"zonefile_b64", util::EncodeBase64(util::AsBytes(ZONEFILE))}}.dump());
  EXPECT_EQ(b64.status, 200u);
  EXPECT_EQ(Get("/v1/info")["zonefile_count"], 1);
}

TEST_F(ApiTest, ARecordWhoseAddressFailsItsChecksumIsRefusedNotServed) {
  std::string address = json::parse(Call("GET", "/v1/names/alice.test").body)["address"];
  std::string flipped = address;
  flipped[5] = flipped[5] == 'a' ? 'b' : 'a';  // a flipped byte on disk
  {
    auto db = db::Sqlite::Open(node->dir + "/names.db", false);
    ASSERT_TRUE(db);
    auto update = db->Prepare("UPDATE name_records SET address = ? WHERE name = 'alice.test'");
    ASSERT_TRUE(update);
    ASSERT_TRUE((*update)->Bind(1, flipped).Run());
  }
  for (bool in_memory : {true, false}) {
    ApiSettings settings;
    settings.db_path = node->dir + "/names.db";
    settings.rules = chain.rules;
    settings.name_table = in_memory;
    auto api = Api::Create(settings, *m_store);
    ASSERT_TRUE(api) << api.error().message;
    auto res = Call("GET", "/v1/names/alice.test", "", api->get());
    EXPECT_EQ(res.status, 500u) << in_memory << " " << res.body;
    EXPECT_EQ(res.body.find(flipped), std::string::npos);
    EXPECT_NE(res.body.find("blockstackd verify"), std::string::npos);
  }
}

TEST_F(ApiTest, MainnetFormOwnersOnTestNetworksWhenAsked) {
  ASSERT_NE(chain.rules.network, bitcoin::Network::Mainnet);
  const std::string address = json::parse(Call("GET", "/v1/names/alice.test").body)["address"];
  auto decoded = bitcoin::DecodeAddress(address);
  ASSERT_TRUE(decoded);
  const std::string mainnet =
      bitcoin::AddressFromHash160(decoded->hash, bitcoin::Params(bitcoin::Network::Mainnet).p2pkh_version);
  ASSERT_NE(address, mainnet);
  for (bool in_memory : {true, false}) {
    ApiSettings settings;
    settings.db_path = node->dir + "/names.db";
    settings.rules = chain.rules;
    settings.name_table = in_memory;
    settings.mainnet_addresses = true;
    auto api = Api::Create(settings, *m_store);
    ASSERT_TRUE(api) << api.error().message;
    auto res = Call("GET", "/v1/names/alice.test", "", api->get());
    ASSERT_EQ(res.status, 200u) << res.body;
    EXPECT_EQ(json::parse(res.body)["address"], mainnet) << in_memory;
    // What the name's owner is asked by stays the network's own form.
    EXPECT_EQ(Call("GET", "/v1/addresses/bitcoin/" + address, "", api->get()).status, 200u);
  }
}

TEST_F(ApiTest, NonStandardZonefilesOnlyRaw) {
  // As the original: a zone file that is neither a zone file nor a legacy JSON
  // profile (here, not even UTF-8) is given raw; as JSON text it is an error
  // (200 for the current one, 204 by hash).
  const std::string odd = "\xff\xfe not a zone file";
  const util::Hash160 odd_hash = crypto::Hash160Of(util::AsBytes(odd));
  uint32_t h = Register(bob, "bob.test", odd_hash);
  Expect(h, "registration");
  m_api->OnBlock(h);
  auto put = Call("POST", "/v1/zonefile", json{{"zonefile_b64", util::EncodeBase64(util::AsBytes(odd))}}.dump());
  ASSERT_EQ(put.status, 200u) << put.body;
  EXPECT_EQ(Get("/v1/names/bob.test/zonefile")["error"],
            "Non-standard zone file.  Try passing raw=1 to get the raw zone file.");
  EXPECT_EQ(Call("GET", "/v1/names/bob.test/zonefile?raw=1").body, odd);
  auto by_hash = Call("GET", "/v1/names/bob.test/zonefile/" + odd_hash.Hex());
  EXPECT_EQ(by_hash.status, 204u);
  EXPECT_EQ(by_hash.body, "");
  EXPECT_EQ(Call("GET", "/v1/names/bob.test/zonefile/" + odd_hash.Hex() + "?raw=1").body, odd);
  EXPECT_EQ(Call("GET", "/v1/zonefiles/" + odd_hash.Hex()).body, odd);

  // A legacy profile (a JSON object) is standard: given as JSON text.
  const std::string legacy = R"({"name": {"formatted": "Carol"}})";
  const util::Hash160 legacy_hash = crypto::Hash160Of(util::AsBytes(legacy));
  h = Register(creator, "carol.test", legacy_hash);
  Expect(h, "registration");
  m_api->OnBlock(h);
  ASSERT_EQ(Call("POST", "/v1/zonefile", json{{"zonefile", legacy}}.dump()).status, 200u);
  EXPECT_EQ(Get("/v1/names/carol.test/zonefile")["zonefile"], legacy);
  EXPECT_EQ(Get("/v1/names/carol.test/zonefile/" + legacy_hash.Hex())["zonefile"], legacy);
}

TEST_F(ApiTest, SubdomainListsNeedTheIndex) {
  // This node has no subdomain index (Atlas is off).
  EXPECT_EQ(Get("/v1/subdomains", 400)["error"], "page= argument required");
  EXPECT_EQ(Get("/v1/subdomains?page=x", 400)["error"], "Invalid page= value");
  EXPECT_EQ(Get("/v1/subdomains?page=0", 404)["error"], "Subdomains are not indexed on this node (Atlas is off)");
  EXPECT_EQ(Get("/v1/blockchains/bitcoin/subdomains_count", 404)["error"],
            "Subdomains are not indexed on this node (Atlas is off)");
}

TEST_F(ApiTest, UnknownAndMalformedNames) {
  EXPECT_EQ(Get("/v1/names/nobody.test", 404), json({{"status", "available"}}));
  EXPECT_EQ(Get("/v1/names/Bad!", 400), json({{"error", "Invalid name or subdomain"}}));
  EXPECT_EQ(Get("/v1/names/" + std::string(5000, 'a') + ".test", 400)["error"], "Invalid name or subdomain");
  EXPECT_EQ(Get("/v1/names/a.b.test", 400)["error"], "Invalid name or subdomain");
}

TEST_F(ApiTest, PricesInBothVersions) {
  for (const char* v : {"/v1", "/v2"}) {
    auto name = Get(std::string(v) + "/prices/names/bob.test");
    EXPECT_EQ(name["name_price"]["units"], "BTC");
    EXPECT_TRUE(name["name_price"]["satoshis"].is_number_integer());
    EXPECT_EQ(name["name_price"]["amount"], std::to_string(name["name_price"]["satoshis"].get<int64_t>()));
    auto ns = Get(std::string(v) + "/prices/namespaces/newns");
    EXPECT_EQ(ns["units"], "BTC");
    EXPECT_GT(ns["satoshis"].get<int64_t>(), 0);
  }
  EXPECT_EQ(Get("/v1/prices/names/bob.nonexistent", 404)["error"], "No such namespace");
  EXPECT_EQ(Get("/v1/prices/names/B@d", 400)["error"], "Invalid name");
  EXPECT_EQ(Get("/v1/prices/namespaces/BAD!", 400)["error"], "Invalid namespace");
}

TEST_F(ApiTest, Namespaces) {
  EXPECT_EQ(Get("/v1/namespaces"), json::array({"test"}));
  EXPECT_EQ(Get("/v1/namespaces?offset=0&count=1"), json::array({"test"}));
  EXPECT_EQ(Get("/v1/namespaces?offset=1"), json::array());
  EXPECT_EQ(Get("/v1/namespaces?count=0"), json::array());
  EXPECT_EQ(Get("/v1/namespaces?offset=-1", 400)["error"], "Invalid offset");
  EXPECT_EQ(Get("/v1/namespaces?count=x", 400)["error"], "Invalid count");
  auto ns = Get("/v1/namespaces/test");
  EXPECT_EQ(ns["namespace_id"], "test");
  EXPECT_EQ(ns["ready"], true);
  EXPECT_EQ(ns["buckets"].size(), 16u);
  EXPECT_EQ(ns["address"], creator.address);
  EXPECT_FALSE(ns.contains("import_key"));
  EXPECT_EQ(Get("/v1/namespaces/none", 404)["error"], "No such namespace");
  EXPECT_EQ(Get("/v1/namespaces/test/names?page=0"), json::array({"alice.test"}));
  EXPECT_EQ(Get("/v1/namespaces/test/names?page=1"), json::array());
  EXPECT_EQ(Get("/v1/namespaces/test/names?page=x", 400)["error"], "Invalid page");
  EXPECT_EQ(Get("/v1/namespaces/test/name_count"), json({{"names_count", 1}}));
}

TEST_F(ApiTest, NamesPagesAndCounts) {
  EXPECT_EQ(Get("/v1/names?page=0"), json::array({"alice.test"}));
  EXPECT_EQ(Get("/v1/names?page=0&all=true"), json::array({"alice.test"}));
  EXPECT_EQ(Get("/v1/names", 400)["error"], "page= argument required");
  EXPECT_EQ(Get("/v1/names?page=-1", 400)["error"], "Invalid page= value");
  EXPECT_EQ(Get("/v1/names?page=99999999999999", 400)["error"], "Invalid page= value");
  EXPECT_EQ(Get("/v1/names?page=1&page=2", 400)["error"], "Invalid query string: repeated key");
  EXPECT_EQ(Get("/v1/blockchains/bitcoin/name_count"), json({{"names_count", 1}}));
  EXPECT_EQ(Get("/v1/blockchains/bitcoin/name_count?all=true"), json({{"names_count", 1}}));
}

TEST_F(ApiTest, AddressesConsensusAndRecords) {
  EXPECT_EQ(Get("/v1/addresses/bitcoin/" + alice.address), json({{"names", {"alice.test"}}}));
  EXPECT_EQ(Get("/v1/addresses/bitcoin/" + bob.address), json({{"names", json::array()}}));
  EXPECT_EQ(Get("/v1/addresses/bitcoin/notanaddress", 400)["error"], "Invalid address");
  EXPECT_EQ(Get("/v1/addresses/ethereum/0xabc", 404)["error"], "Unsupported blockchain");
  EXPECT_EQ(Get("/v1/blockchains/bitcoin/consensus")["consensus_hash"], LastCh());
  EXPECT_EQ(Get("/v1/blockchains/bitcoin/consensus/" + std::to_string(m_alice_block))["consensus_hash"], LastCh());
  EXPECT_EQ(Get("/v1/blockchains/bitcoin/consensus/abc", 400)["error"], "Invalid block");
  EXPECT_EQ(Get("/v1/blockchains/bitcoin/consensus-block/" + LastCh())["block_height"], m_alice_block);
  EXPECT_EQ(Get("/v1/blockchains/bitcoin/consensus-block/" + std::string(32, '0'), 404)["error"],
            "No block for this consensus hash");
  auto ops = Get("/v1/blockchains/bitcoin/operations/" + std::to_string(m_alice_block));
  ASSERT_EQ(ops.size(), 1u) << ops.dump(1);
  EXPECT_EQ(ops[0]["opcode"], "NAME_REGISTRATION");
  // The full record the operation left, as the original answered.
  EXPECT_EQ(ops[0]["name"], "alice.test");
  EXPECT_EQ(ops[0]["address"], alice.address);
  EXPECT_EQ(ops[0]["value_hash"], ZonefileHash160().Hex());
  EXPECT_EQ(ops[0]["first_registered"], m_alice_block);
  EXPECT_EQ(ops[0]["block_number"], m_alice_block - 1);  // the preorder's block
  EXPECT_TRUE(ops[0].contains("sender") && ops[0].contains("op_fee") && ops[0].contains("consensus_hash"));
  EXPECT_FALSE(ops[0].contains("last_creation_op"));  // internal to the original, never answered
  // As the original: a preorder its registration consumed is listed at its own
  // block, as its history row keeps it...
  auto consumed = Get("/v1/blockchains/bitcoin/operations/" + std::to_string(m_alice_block - 1));
  ASSERT_EQ(consumed.size(), 1u) << consumed.dump(1);
  EXPECT_EQ(consumed[0]["opcode"], "NAME_PREORDER");
  EXPECT_EQ(consumed[0]["preorder_hash"], ops[0]["preorder_hash"]);
  EXPECT_EQ(consumed[0]["address"], alice.address);
  EXPECT_EQ(consumed[0]["block_number"], m_alice_block - 1);
  EXPECT_EQ(consumed[0]["op_fee"], 100000);
  // ...and a pending one is listed in full from the preorders, before the block's
  // other records.
  auto hash = *bns::HashName("pending.test", bob.script, bob.address);
  chain.Op(bob, bns::ops::BuildNamePreorder(testutil::MAGIC, hash, LastCh()),
           {chain.Pay(bob, 5000), chain.Pay(chain.rules.BurnAddress(), 100000)});
  chain.Op(alice, bns::ops::BuildUpdate(testutil::MAGIC, "alice.test", LastCh(), util::Hash160{}),
           {chain.Pay(alice, 5000)});
  uint32_t h = MineAndSync();
  m_api->OnBlock(h);
  ops = Get("/v1/blockchains/bitcoin/operations/" + std::to_string(h));
  ASSERT_EQ(ops.size(), 2u) << ops.dump();
  EXPECT_EQ(ops[0]["opcode"], "NAME_PREORDER");
  EXPECT_EQ(ops[0]["preorder_hash"], hash.Hex());
  EXPECT_EQ(ops[0]["address"], bob.address);
  EXPECT_EQ(ops[0]["block_number"], h);
  EXPECT_EQ(ops[0]["op_fee"], 100000);
  EXPECT_EQ(ops[0]["burn_address"], chain.rules.BurnAddress());
  EXPECT_EQ(ops[0]["consensus_hash"].get<std::string>().size(), 32u);
  EXPECT_TRUE(ops[0]["sender_pubkey"].is_string());
  EXPECT_EQ(ops[1]["opcode"], "NAME_UPDATE");
  EXPECT_EQ(Get("/v1/blockchains/bitcoin/operations/1"), json::array());

  // A name's full record: stored fields and those the original derived.
  auto rec = Get("/v1/blockchains/bitcoin/names/alice.test");
  EXPECT_EQ(rec["name"], "alice.test");
  EXPECT_EQ(rec["opcode"], "NAME_UPDATE");
  EXPECT_EQ(rec["value_hash"], std::string(40, '0'));
  EXPECT_EQ(rec["expire_block"], -1);
  EXPECT_EQ(rec["renewal_deadline"], -1);
  EXPECT_EQ(rec["expired"], false);
  EXPECT_EQ(rec["grace_period"], false);
  EXPECT_EQ(rec["did"], "did:stack:v0:" + alice.address + "-0");
  EXPECT_TRUE(rec["resolver"].is_null());
  EXPECT_FALSE(rec.contains("zonefile"));  // not stored here
  EXPECT_FALSE(rec.contains("last_creation_op"));
  EXPECT_EQ(Get("/v1/blockchains/bitcoin/names/nobody.test", 404)["error"], "Not found.");
  EXPECT_EQ(Get("/v1/blockchains/bitcoin/names/x.y.z.test", 400)["error"], "Invalid name or subdomain");
}

TEST_F(ApiTest, NameRecordsCarryTheirDid) {
  // alice's first name is her DID's index 0; the next name she creates, 1.
  EXPECT_EQ(Get("/v1/names/alice.test")["did"], "did:stack:v0:" + alice.address + "-0");
  uint32_t h = Register(alice, "second.test");
  Expect(h, "registration");
  h = Register(bob, "third.test");
  Expect(h, "registration");
  m_api->OnBlock(h);
  EXPECT_EQ(Get("/v1/names/second.test")["did"], "did:stack:v0:" + alice.address + "-1");
  EXPECT_EQ(Get("/v1/names/third.test")["did"], "did:stack:v0:" + bob.address + "-0");
  // The same from memory as from the database, once and after the DID is remembered.
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Get("/v1/names/second.test")["did"], "did:stack:v0:" + alice.address + "-1");
  // A transfer keeps the DID: it names who created the name, not who owns it.
  chain.Op(alice, bns::ops::BuildTransfer(testutil::MAGIC, "second.test", true, LastCh()),
           {chain.Pay(bob, 5500), chain.Pay(alice, 5000)});
  h = MineAndSync();
  Expect(h, "transfer");
  m_api->OnBlock(h);
  auto rec = Get("/v1/names/second.test");
  EXPECT_EQ(rec["address"], bob.address);
  EXPECT_EQ(rec["did"], "did:stack:v0:" + alice.address + "-1");
}

TEST_F(ApiTest, DidsAreParsedAsTheOriginalDid) {
  // Malformed: 400. Well-formed but naming nothing: 404, whatever the index.
  for (const std::string& bad : std::vector<std::string>{
           "did:stack:v0:", "did:stack:v0:" + alice.address, "did:stack:v1:" + alice.address + "-0",
           "did:stack:v0:" + alice.address + "-x", "did:stack:v0:" + alice.address + "--1",
           "did:stack:v0:0OIl" + alice.address.substr(4) + "-0", "did:btc:" + alice.address + "-0",
           "did:stack:v0:" + alice.address.substr(0, 20) + "-0"}) {
    EXPECT_EQ(Get("/v1/dids/" + bad, 400)["error"], "Invalid DID") << bad;
  }
  EXPECT_EQ(Get("/v1/dids/did:stack:v0:" + alice.address + "-1", 404)["error"],
            "Failed to get DID record: Failed to resolve DID to a non-revoked name");
  EXPECT_EQ(Get("/v1/dids/did:stack:v0:" + alice.address + "-99999999999999999999999", 404)["error"],
            "Failed to get DID record: Failed to resolve DID to a non-revoked name");
  // The owner's address as on mainnet names the same name (the original re-encoded it).
  auto decoded = bitcoin::DecodeAddress(alice.address);
  ASSERT_TRUE(decoded);
  const std::string mainnet = bitcoin::AddressFromHash160(decoded->hash, 0);
  auto r = Call("GET", "/v1/dids/did:stack:v0:" + mainnet + "-0");
  EXPECT_EQ(r.status, 404u);  // the name has a zone file hash, but no zone file is stored
  EXPECT_EQ(json::parse(r.body)["error"], "Failed to get zone file for did:stack:v0:" + mainnet + "-0");
  // A subdomain DID on a node without the subdomain index.
  const std::string sub = bitcoin::AddressFromHash160(decoded->hash, bns::SUBDOMAIN_DID_VERSION);
  EXPECT_EQ(Get("/v1/dids/did:stack:v0:" + sub + "-0", 404)["error"],
            "Subdomains are not indexed on this node (Atlas is off)");
}

TEST_F(ApiTest, HistoryGroupsByHeightNewestFirst) {
  auto hist = Get("/v1/names/alice.test/history?page=0");
  ASSERT_TRUE(hist.is_object());
  ASSERT_TRUE(hist.contains(std::to_string(m_alice_block)));
  EXPECT_EQ(hist[std::to_string(m_alice_block)][0]["opcode"], "NAME_REGISTRATION");
  EXPECT_EQ(hist[std::to_string(m_alice_block - 1)][0]["opcode"], "NAME_PREORDER");
  EXPECT_EQ(Get("/v1/names/nobody.test/history", 404)["error"], "Not found");
  EXPECT_EQ(Get("/v1/names/alice.test/history?page=zz", 400)["error"], "Invalid page");
  // As the original: a page past the end is a 404, not an empty object.
  EXPECT_EQ(Get("/v1/names/alice.test/history?page=1", 404)["error"], "Not found");
}

TEST_F(ApiTest, ADomainsResolverComesFromItsZonefile) {
  const std::string zf = "$ORIGIN reg.test\n$TTL 3600\n_resolver IN URI 10 1 \"https://registrar.example/\"\n";
  uint32_t h = Register(bob, "reg.test", crypto::Hash160Of(util::AsBytes(zf)));
  Expect(h, "registration");
  m_api->OnBlock(h);
  EXPECT_TRUE(Get("/v1/names/reg.test")["resolver"].is_null());  // no zone file yet
  ASSERT_EQ(Call("POST", "/v1/zonefile", json{{"zonefile", zf}}.dump()).status, 200u);
  EXPECT_EQ(Get("/v1/names/reg.test")["resolver"], "https://registrar.example/");
  EXPECT_TRUE(Get("/v1/names/alice.test")["resolver"].is_null());
}

TEST_F(ApiTest, AZonefileIsOnlyReadFromAJsonBody) {
  auto post = [&](const std::string& type) {
    net::Request r;
    r.method = "POST";
    r.target = r.path = "/v1/zonefile";
    r.body = json{{"zonefile", ZONEFILE}}.dump();
    if (!type.empty()) r.headers["content-type"] = type;
    return m_api->Handle(r);
  };
  for (const char* refused : {"", "text/plain", "application/x-www-form-urlencoded", "application/jsonx"}) {
    auto res = post(refused);
    EXPECT_EQ(res.status, 400u) << refused;
    EXPECT_NE(json::parse(res.body)["error"].get<std::string>().find("Content-Type: application/json"),
              std::string::npos);
  }
  EXPECT_EQ(Get("/v1/zonefiles/" + ZonefileHash160().Hex(), 404)["error"], "No such zone file");
  EXPECT_EQ(post("Application/JSON; charset=utf-8").status, 200u);
}

TEST_F(ApiTest, CachedAnswersLastUntilTheNextBlock) {
  EXPECT_EQ(Get("/v1/names?page=0"), json::array({"alice.test"}));
  uint32_t h = Register(bob, "bob.test");
  Expect(h, "registration");
  // Until the indexer reports the block, the cached answer stands.
  EXPECT_EQ(Get("/v1/names?page=0"), json::array({"alice.test"}));
  m_api->OnBlock(h);
  EXPECT_EQ(Get("/v1/names?page=0"), json::array({"alice.test", "bob.test"}));
  EXPECT_EQ(Get("/v1/names/bob.test")["address"], bob.address);
}

TEST_F(ApiTest, PathsNormaliseAndUnknownRoutes404) {
  EXPECT_EQ(Get("/v1//names/./alice.test/")["status"], "registered");
  EXPECT_EQ(Call("GET", "/v1/nothing").status, 404u);
  EXPECT_EQ(Call("GET", "/" + std::string(10000, 'x')).status, 404u);
  // A known path with another method: 405 naming the methods it has.
  auto wrong = Call("DELETE", "/v1/names/alice.test");
  EXPECT_EQ(wrong.status, 405u);
  EXPECT_EQ(json::parse(wrong.body)["error"], "Method not allowed");
  bool allow = false;
  for (const auto& [k, v] : wrong.headers) allow = allow || (k == "Allow" && v == "GET");
  EXPECT_TRUE(allow);
  EXPECT_EQ(Get("/v1/nothing", 404)["error"], "No such endpoint");
  auto pre = Call("OPTIONS", "/v1/names/alice.test");
  EXPECT_EQ(pre.status, 200u);
  bool cors = false;
  bool expose = false;
  for (const auto& [k, v] : pre.headers) {
    cors = cors || (k == "Access-Control-Allow-Origin" && v == "*");
    expose = expose || (k == "Access-Control-Expose-Headers" && v == "content-length, content-range");
  }
  EXPECT_TRUE(cors);
  EXPECT_TRUE(expose);
}

TEST_F(ApiTest, AccountsAreAbsent) {
  EXPECT_EQ(Get("/v1/accounts/" + alice.address + "/STACKS/balance"), json({{"balance", "0"}}));
  EXPECT_EQ(Get("/v1/accounts/" + alice.address + "/tokens"), json({{"tokens", json::array()}}));
  EXPECT_EQ(Get("/v1/accounts/" + alice.address + "/STACKS/status", 404)["error"], "No such account");
}

TEST_F(ApiTest, MetricsCountRequestsAndOps) {
  Get("/v1/names/alice.test");
  // The op counts come with the committed block, as the engine reports it.
  std::vector<interfaces::BlockCommitted> committed;
  node->engine->SetOnCommitted([&](const interfaces::BlockCommitted& b) { committed.push_back(b); });
  uint32_t h = Register(bob, "bob.test");
  Expect(h, "registration");
  ASSERT_FALSE(committed.empty());
  EXPECT_EQ(committed.back().height, *node->db->LastBlock().value());
  EXPECT_EQ(committed.back().consensus_hash, node->db->ConsensusHashAt(committed.back().height).value().value());
  for (const auto& b : committed) m_api->OnBlockCommitted(b);
  auto r = Call("GET", "/metrics");
  EXPECT_EQ(r.status, 200u);
  EXPECT_NE(r.body.find("api_requests_total{route=\"name\",status=\"200\"} 1"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("blockstack_ops_total{opcode=\"NAME_REGISTRATION\",result=\"accepted\"} 1"), std::string::npos);
  EXPECT_NE(r.body.find("api_request_duration_seconds_bucket"), std::string::npos);
}

TEST(ApiNameEntryTest, FieldsSurviveTheCompactForm) {
  bns::NameRecord rec;
  rec.name = "alice.test";
  rec.namespace_id = "test";
  rec.address = "mfWxJ45yp2SFn7UciZyNpvDKrzbhyfKrY8";
  rec.txid = std::string(64, 'a');
  rec.value_hash = "00ff" + std::string(36, '1');
  rec.first_registered = 123456;
  rec.last_renewed = 0xfffffffe;
  rec.revoked = true;
  auto check = [](const bns::NameRecord& r) {
    std::string entry = EncodeNameEntry(r);
    ASSERT_EQ(NameEntrySize(entry.data()), entry.size());
    EXPECT_EQ(bns::db::NameTable::EntryFqn(entry.data()), r.name);
    auto got = DecodeNameEntry(entry.data());
    EXPECT_EQ(got.namespace_id, r.namespace_id);
    EXPECT_EQ(got.address, r.address);
    EXPECT_EQ(got.txid, r.txid);
    EXPECT_EQ(got.value_hash, r.value_hash);
    EXPECT_EQ(got.first_registered, r.first_registered);
    EXPECT_EQ(got.last_renewed, r.last_renewed);
    EXPECT_EQ(got.revoked, r.revoked);
  };
  check(rec);
  EXPECT_EQ(EncodeNameEntry(rec).size(), 122u);  // the hex fields packed: 52 bytes less
  // Whatever is not lowercase hex of even length is kept as it is.
  rec.txid = "ABCDEF";
  rec.value_hash = "abc";
  rec.address = "";
  rec.revoked = false;
  check(rec);
  rec.value_hash.reset();
  rec.txid = std::string("\0\xff\n", 3);
  check(rec);
}

// The name route answers from memory once the table has caught up; the answers
// must be the database path's, byte for byte, in every state a name can be in.
TEST_F(ApiTest, NamesFromMemoryAnswerAsTheDatabaseDoes) {
  CreateNamespace("short", 3);  // 6 blocks, then the grace period (epoch 3)
  uint32_t h = Register(bob, "bob.short");
  Expect(h, "registration");
  h = Register(creator, "carol.test", util::Hash160{});
  Expect(h, "registration");
  chain.Op(creator, bns::ops::BuildRevoke(testutil::MAGIC, "carol.test"), {chain.Pay(creator, 5000)});
  h = MineAndSync();
  Expect(h, "revoke");
  auto stored = Call("POST", "/v1/zonefile", json{{"zonefile", ZONEFILE}}.dump());
  ASSERT_EQ(stored.status, 200u) << stored.body;

  ApiSettings settings;
  settings.db_path = node->dir + "/names.db";
  settings.rules = chain.rules;
  settings.name_table = false;
  auto db_only = std::move(*Api::Create(settings, *m_store));
  auto report = [&](uint32_t height) {
    m_api->OnBlock(height);
    db_only->OnBlock(height);
    for (int i = 0; i < 1000 && !m_api->NameTableStats().current; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_TRUE(m_api->NameTableStats().current);
    EXPECT_EQ(m_api->NameTableStats().height, height);
  };
  const std::vector<std::string> targets = {
      "/v1/names/alice.test", "/v1/names/bob.short", "/v1/names/carol.test", "/v1/names/nobody.test",
      "/v1/names/nobody.none", "/v1/names/Bad!", "/v1/names/alice.test/", "/v1/names/alice.test?x=1&x=2"};
  auto compare = [&](const char* when) {
    for (const auto& t : targets) {
      auto fast = Call("GET", t);
      auto slow = Call("GET", t, "", db_only.get());
      EXPECT_EQ(fast.status, slow.status) << when << " " << t;
      EXPECT_EQ(fast.body, slow.body) << when << " " << t;
      EXPECT_EQ(fast.headers, slow.headers) << when << " " << t;
    }
  };
  report(h);
  EXPECT_EQ(m_api->NameTableStats().names, 3u);
  EXPECT_EQ(Get("/v1/names/alice.test")["zonefile"], ZONEFILE);
  EXPECT_EQ(Get("/v1/names/carol.test")["status"], "revoked");
  compare("live");
  // bob.short into its grace period, then expired; a name registered meanwhile
  // arrives with its block.
  while (*node->db->LastBlock().value() < h + 7) MineAndSync();
  report(*node->db->LastBlock().value());
  EXPECT_EQ(Get("/v1/names/bob.short")["grace_period"], true);
  compare("grace");
  h = Register(alice, "dave.test");
  Expect(h, "registration");
  report(h);
  EXPECT_EQ(Get("/v1/names/dave.test")["address"], alice.address);
  EXPECT_EQ(m_api->NameTableStats().names, 4u);
  compare("new name");
  // Requests to the name route count as "name" whichever path answers them.
  auto metrics = Call("GET", "/metrics");
  EXPECT_EQ(metrics.body.find("route=\"other\",status=\"200\""), std::string::npos) << metrics.body;
}

TEST_F(ApiTest, ABlockListsEveryOperationWithRejectionsAndTheHashesItMixedIn) {
  // bob registers alice.test without a preorder: rejected, with the reason.
  chain.Op(bob, bns::ops::BuildRegistration(testutil::MAGIC, "alice.test", std::nullopt),
           {chain.Pay(bob, 5500), chain.Pay(bob, 5000)});
  const uint32_t h = MineAndSync();
  m_api->OnBlock(h);
  auto block = Get("/v1/blocks/" + std::to_string(h));
  EXPECT_EQ(block["height"], h);
  EXPECT_EQ(block["consensus_hash"], LastCh());
  EXPECT_EQ(block["ops_hash"].get<std::string>().size(), 64u);
  ASSERT_EQ(block["operations"].size(), 1u);
  EXPECT_EQ(block["operations"][0]["opcode"], "NAME_REGISTRATION");
  EXPECT_EQ(block["operations"][0]["accepted"], false);
  EXPECT_FALSE(block["operations"][0]["reason"].get<std::string>().empty());
  EXPECT_FALSE(block["operations"][0].contains("record"));
  // The earlier consensus hashes: the heights the skip list names, each its own.
  const auto heights = virtualchain::PreviousHashHeights(h, chain.rules.first_block);
  ASSERT_EQ(block["previous_consensus_hashes"].size(), heights.size());
  for (std::size_t i = 0; i < heights.size(); ++i) {
    EXPECT_EQ(block["previous_consensus_hashes"][i]["height"], heights[i]);
    EXPECT_EQ(block["previous_consensus_hashes"][i]["consensus_hash"], node->Ch(heights[i]));
  }
  // alice's registration block: accepted, with the name it touched.
  auto reg = Get("/v1/blocks/" + std::to_string(m_alice_block));
  ASSERT_EQ(reg["operations"].size(), 1u);
  EXPECT_EQ(reg["operations"][0]["accepted"], true);
  EXPECT_EQ(reg["operations"][0]["reason"], "");
  EXPECT_EQ(reg["operations"][0]["record"]["name"], "alice.test");
  EXPECT_EQ(Get("/v1/blocks/" + std::to_string(h + 100), 404)["error"],
            "Block " + std::to_string(h + 100) + " is not indexed");
  EXPECT_EQ(Get("/v1/blocks/tip", 400)["error"], "Invalid block");
}

TEST_F(ApiTest, RegistrationsOverTimeCountNamesByFirstBlock) {
  const uint32_t h = Register(bob, "bob.test");
  m_api->OnBlock(h);
  auto regs = Get("/v1/namespaces/test/registrations");
  EXPECT_EQ(regs["names"], 2);
  EXPECT_EQ(regs["to"], h);
  const uint64_t from = regs["from"], each = regs["blocks_each"];
  ASSERT_LE(regs["counts"].size(), 24u);
  uint64_t total = 0;
  for (std::size_t i = 0; i < regs["counts"].size(); ++i) {
    const uint64_t c = regs["counts"][i];
    total += c;
    // Each name in the stretch of its first block.
    for (uint32_t b : {m_alice_block, h}) {
      if (b >= from + i * each && b < from + (i + 1) * each) {
        EXPECT_GE(c, 1u) << b;
      }
    }
  }
  EXPECT_EQ(total, 2u);
  EXPECT_EQ(Get("/v1/namespaces/nope/registrations", 404)["error"].is_string(), true);
}

TEST_F(ApiTest, ABlockByHashNeedsTheBitcoinNodeAndTheIndexedHash) {
  const std::string hash = node->db->SnapshotAt(m_alice_block).value()->block_hash;
  EXPECT_EQ(Get("/v1/blocks/hash/" + hash, 503)["error"], "This node cannot ask a Bitcoin node about blocks");
  m_api->SetBlockLocator([&](const std::string& h) -> util::Result<std::optional<uint32_t>> {
    if (h == hash) return std::optional<uint32_t>(m_alice_block);
    if (h == std::string(64, 'a')) return std::optional<uint32_t>(m_alice_block);  // a node that disagrees
    return std::optional<uint32_t>();
  });
  auto found = Get("/v1/blocks/hash/" + hash);
  EXPECT_EQ(found["height"], m_alice_block);
  EXPECT_EQ(Get("/v1/blocks/hash/" + std::string(64, 'b'), 404)["error"],
            "No such block on the Bitcoin node's best chain");
  EXPECT_EQ(Get("/v1/blocks/hash/" + std::string(64, 'a'), 404)["error"],
            "Block " + std::to_string(m_alice_block) + " was indexed with another hash");
  EXPECT_EQ(Get("/v1/blocks/hash/xyz", 400)["error"], "A block hash is 64 hex digits");
}

TEST_F(ApiTest, SearchFindsNamesAndNamespacesByPrefix) {
  Register(bob, "alicia.test");
  const uint32_t h = Register(bob, "bob.test");
  m_api->OnBlock(h);
  auto found = Get("/v1/search?prefix=ALI");
  EXPECT_EQ(found["prefix"], "ali");
  EXPECT_EQ(found["names"], json::array({"alice.test", "alicia.test"}));
  EXPECT_EQ(found["namespaces"], json::array());
  EXPECT_EQ(Get("/v1/search?prefix=ali&count=1")["names"], json::array({"alice.test"}));
  EXPECT_EQ(Get("/v1/search?prefix=te")["namespaces"], json::array({"test"}));
  EXPECT_EQ(Get("/v1/search?prefix=zzz")["names"], json::array());
  EXPECT_EQ(Get("/v1/search?prefix=")["names"], json::array());
  // Without a subdomain index there are no subdomains to find, and no list of them.
  EXPECT_EQ(Get("/v1/search?prefix=a")["subdomains"], json::array());
  EXPECT_EQ(Get("/v1/names/alice.test/subdomains", 404)["error"].is_string(), true);
  EXPECT_EQ(Get("/v1/search", 400)["error"], "prefix= argument required");
  EXPECT_EQ(Get("/v1/search?prefix=a&count=0", 400)["error"], "count= is 1 to 100");
  EXPECT_EQ(Get("/v1/search?prefix=a&count=101", 400)["error"], "count= is 1 to 100");
  EXPECT_EQ(Get("/v1/search?prefix=" + std::string(400, 'a'), 400)["error"], "prefix= is too long");
}

}  // namespace
}  // namespace blockstack::api
