#include <authenticator/messages.h>

#include <gtest/gtest.h>

#include <bitcoin/address.h>
#include <bitcoin/network.h>
#include <client/ecies.h>
#include <crypto/hash.h>
#include <crypto/jwt.h>
#include <util/base64.h>
#include <util/bytes.h>

namespace blockstack::authenticator {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr int64_t NOW = 1800000000;

crypto::PrivateKey Key(uint8_t fill) {
  util::Bytes b(32, fill);
  return *crypto::PrivateKey::FromBytes(b);
}

std::string MainnetAddress(const crypto::PrivateKey& k) {
  return bitcoin::AddressFromHash160(crypto::Hash160Of(k.GetPublicKey().Serialize(true)), 0);
}

// A request as blockstack.js v21's makeAuthRequest writes it.
ordered_json Payload(const crypto::PrivateKey& transit) {
  ordered_json p;
  p["jti"] = "5a86bb72-95c6-4301-b1f9-811a68518967";
  p["iat"] = NOW - 10;
  p["exp"] = NOW + 3600;
  p["iss"] = "did:btc-addr:" + MainnetAddress(transit);
  p["public_keys"] = json::array({transit.GetPublicKey().Hex()});
  p["domain_name"] = "http://127.0.0.1:5000";
  p["manifest_uri"] = "http://127.0.0.1:5000/manifest.json";
  p["redirect_uri"] = "http://127.0.0.1:5000/";
  p["version"] = "1.3.1";
  p["do_not_include_profile"] = true;
  p["supports_hub_url"] = true;
  p["scopes"] = json::array({"store_write", "publish_data"});
  return p;
}

std::string Refusal(const std::string& token) {
  auto r = CheckAuthRequest(token, NOW);
  EXPECT_FALSE(r.has_value());
  return r ? "" : r.error().message;
}

TEST(AuthRequestTest, AcceptsTheOriginalsRequest) {
  auto transit = Key(7);
  auto r = CheckAuthRequest(crypto::SignJwtEs256k(Payload(transit), transit), NOW);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->app_origin, "http://127.0.0.1:5000");
  EXPECT_EQ(r->redirect_uri, "http://127.0.0.1:5000/");
  EXPECT_EQ(r->transit_public_key, transit.GetPublicKey().Hex());
  EXPECT_EQ(r->scopes, (std::vector<std::string>{"store_write", "publish_data"}));
  EXPECT_TRUE(r->do_not_include_profile);
  EXPECT_TRUE(r->HasScope("store_write"));
  EXPECT_FALSE(r->HasScope("email"));
}

TEST(AuthRequestTest, RefusesEachBrokenRule) {
  auto transit = Key(7);
  auto signed_with = [&](ordered_json p) { return crypto::SignJwtEs256k(p, transit); };
  EXPECT_NE(Refusal("").find("no auth request"), std::string::npos);
  EXPECT_NE(Refusal("abc").find("not a signed token"), std::string::npos);
  EXPECT_NE(Refusal(std::string(20000, 'a')).find("over"), std::string::npos);

  auto p = Payload(transit);
  p["exp"] = NOW - 1;
  EXPECT_NE(Refusal(signed_with(p)).find("expired"), std::string::npos);
  p = Payload(transit);
  p["iat"] = NOW + 3600;
  EXPECT_NE(Refusal(signed_with(p)).find("in the future"), std::string::npos);
  p = Payload(transit);
  p["redirect_uri"] = "https://evil.example/";
  EXPECT_NE(Refusal(signed_with(p)).find("redirect URI https://evil.example/ is not on the app's origin"),
            std::string::npos);
  p = Payload(transit);
  p["redirect_uri"] = "http://127.0.0.1:5001/";
  EXPECT_NE(Refusal(signed_with(p)).find("not on the app's origin"), std::string::npos);
  p = Payload(transit);
  p["manifest_uri"] = "javascript:alert(1)";
  EXPECT_NE(Refusal(signed_with(p)).find("manifest URI"), std::string::npos);
  p = Payload(transit);
  p["iss"] = "did:btc-addr:" + MainnetAddress(Key(8));
  EXPECT_NE(Refusal(signed_with(p)).find("is not the address of its public key"), std::string::npos);
  p = Payload(transit);
  p["public_keys"] = json::array({Key(8).GetPublicKey().Hex()});
  p["iss"] = "did:btc-addr:" + MainnetAddress(Key(8));
  EXPECT_NE(Refusal(signed_with(p)).find("signature does not verify"), std::string::npos);
  p = Payload(transit);
  p["public_keys"].push_back(Key(8).GetPublicKey().Hex());
  EXPECT_NE(Refusal(signed_with(p)).find("several public keys"), std::string::npos);
  p = Payload(transit);
  p["scopes"] = json::array({1});
  EXPECT_NE(Refusal(signed_with(p)).find("scope that is not a string"), std::string::npos);
  p = Payload(transit);
  p["exp"] = "tomorrow";
  EXPECT_NE(Refusal(signed_with(p)).find("'exp' is not a number"), std::string::npos);
  p = Payload(transit);
  p.erase("jti");
  EXPECT_NE(Refusal(signed_with(p)).find("has no 'jti'"), std::string::npos);

  // alg "none", and a payload changed after signing.
  std::string token = signed_with(Payload(transit));
  std::string payload_part = token.substr(token.find('.') + 1, token.rfind('.') - token.find('.') - 1);
  std::string none =
      util::EncodeBase64Url(util::AsBytes(std::string(R"({"typ":"JWT","alg":"none"})"))) + "." + payload_part + ".";
  EXPECT_NE(Refusal(none).find("not signed with ES256K"), std::string::npos);
  p = Payload(transit);
  p["redirect_uri"] = "http://127.0.0.1:5000/other";
  std::string changed = token.substr(0, token.find('.') + 1) + util::EncodeBase64Url(util::AsBytes(p.dump())) +
                        token.substr(token.rfind('.'));
  EXPECT_NE(Refusal(changed).find("signature does not verify"), std::string::npos);
}

TEST(AuthRequestTest, UnknownScopesAreKeptApartAndRepeatsDropped) {
  auto transit = Key(7);
  auto p = Payload(transit);
  p["scopes"] = json::array({"store_write", "store_write", "root_access"});
  auto r = CheckAuthRequest(crypto::SignJwtEs256k(p, transit), NOW);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->scopes, std::vector<std::string>{"store_write"});
  EXPECT_EQ(r->unknown_scopes, std::vector<std::string>{"root_access"});
}

TEST(AuthRequestTest, OriginsCompareAsBlockstackJsDoes) {
  EXPECT_EQ(*OriginOf("https://App.Example.com:443/x?y"), "https://app.example.com");
  EXPECT_EQ(*OriginOf("http://127.0.0.1:80"), "http://127.0.0.1");
  EXPECT_EQ(*OriginOf("http://127.0.0.1:8080/"), "http://127.0.0.1:8080");
  EXPECT_FALSE(OriginOf("ftp://x").has_value());
  EXPECT_FALSE(OriginOf("http://user:pw@x/").has_value());
  EXPECT_FALSE(OriginOf("/relative").has_value());
}

TEST(AuthResponseTest, CarriesWhatBlockstackJsReads) {
  auto identity = Key(1);
  auto app = Key(2);
  auto transit = Key(3);
  AuthResponseParts parts{.identity_key = identity,
                          .username = "alice.id",
                          .profile = nullptr,
                          .profile_url = "http://hub/read/1abc/profile.json",
                          .app_key = app,
                          .transit_key = transit.GetPublicKey(),
                          .hub_url = "http://hub",
                          .api_url = "http://node:6270",
                          .association_token = "assoc",
                          .issued_at = NOW,
                          .expires_at = NOW + 100,
                          .jti = "fixed"};
  std::string token = MakeAuthResponse(parts);
  auto decoded = crypto::DecodeJwt(token);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_TRUE(crypto::VerifyJwtEs256k(*decoded, identity.GetPublicKey()));
  const json& p = decoded->payload;
  std::vector<std::string> keys;
  for (auto it = p.begin(); it != p.end(); ++it) keys.push_back(it.key());
  for (const char* k : {"jti", "iat", "exp", "iss", "private_key", "public_keys", "profile", "username", "core_token",
                        "email", "profile_url", "hubUrl", "blockstackAPIUrl", "associationToken", "version"}) {
    EXPECT_NE(std::find(keys.begin(), keys.end(), k), keys.end()) << k;
  }
  EXPECT_EQ(p["iss"], "did:btc-addr:" + MainnetAddress(identity));
  EXPECT_EQ(p["public_keys"][0], identity.GetPublicKey().Hex());
  EXPECT_EQ(p["version"], "1.3.1");
  EXPECT_EQ(p["username"], "alice.id");
  EXPECT_TRUE(p["profile"].is_null());
  EXPECT_EQ(p["exp"], NOW + 100);
  // private_key: hex of the JSON of an ECIES object holding the app key's hex as a string.
  auto cipher_text = util::FromHex(p["private_key"].get<std::string>());
  ASSERT_TRUE(cipher_text.has_value());
  json cipher = json::parse(std::string(cipher_text->begin(), cipher_text->end()));
  auto plain = client::DecryptEcies(transit, cipher);
  ASSERT_TRUE(plain.has_value());
  EXPECT_TRUE(plain->was_string);
  EXPECT_EQ(std::string(plain->data.begin(), plain->data.end()), app.Hex());
}

TEST(AuthResponseTest, QueryParameterIsSetOrReplaced) {
  EXPECT_EQ(SetQueryParameter("http://a/", "authResponse", "t.k.n"), "http://a/?authResponse=t.k.n");
  EXPECT_EQ(SetQueryParameter("http://a/?x=1", "authResponse", "t"), "http://a/?x=1&authResponse=t");
  EXPECT_EQ(SetQueryParameter("http://a/?authResponse=old&x=1", "authResponse", "new"),
            "http://a/?authResponse=new&x=1");
  EXPECT_EQ(SetQueryParameter("http://a/cb#frag", "authResponse", "t"), "http://a/cb?authResponse=t#frag");
  EXPECT_EQ(SetQueryParameter("http://a/", "k", "a b&c"), "http://a/?k=a%20b%26c");
}

TEST(AuthResponseTest, UuidsAreVersionFour) {
  std::string u = MakeUuid4();
  ASSERT_EQ(u.size(), 36u);
  EXPECT_EQ(u[14], '4');
  EXPECT_NE(std::string("89ab").find(u[19]), std::string::npos);
  EXPECT_NE(MakeUuid4(), u);
}

}  // namespace
}  // namespace blockstack::authenticator
