#include <subdomain/record.h>

#include <gtest/gtest.h>

#include <bitcoin/address.h>
#include <bitcoin/script.h>
#include <crypto/base58check.h>
#include <crypto/hash.h>
#include <util/base64.h>
#include <util/bytes.h>
#include <zonefile/zonefile.h>

#include "testutil/vectors.h"

namespace blockstack::subdomain {
namespace {

constexpr const char* SUB_ZONEFILE =
    "$ORIGIN bob.foo.id\n$TTL 3600\n_http._tcp\tIN\tURI\t10\t1\t\"https://hub/p.json\"\n";

std::string Address(const crypto::PrivateKey& key, uint8_t version = 0x6f) {
  return crypto::EncodeVersionedHash(version, crypto::Hash160Of(key.GetPublicKey().Serialize()));
}

std::string DomainZonefile(std::string_view body, std::string_view origin = "foo.id") {
  return "$ORIGIN " + std::string(origin) + "\n$TTL 3600\n" + std::string(body);
}

Record MakeRecord(std::string fqn, std::string owner, int64_t seqn) {
  Record r;
  r.fqn = std::move(fqn);
  r.domain = "foo.id";
  r.owner = std::move(owner);
  r.seqn = seqn;
  r.zonefile = SUB_ZONEFILE;
  r.independent = !r.fqn.ends_with(".foo.id");
  return r;
}

// The one record a zone file built from txt lines carries.
Record ParseOne(const std::string& txt_lines) {
  auto parsed = ParseZonefileSubdomains("foo.id", DomainZonefile(txt_lines));
  EXPECT_TRUE(parsed) << (parsed ? "" : parsed.error().message);
  EXPECT_EQ(parsed->records.size(), 1u);
  return parsed->records.at(0);
}

TEST(SubdomainRecordTest, ReadsTheDmailsRecordsOfTheVectors) {
  auto v = testutil::LoadVectors("atlas/subdomain_records.json");
  const std::string text = v["domain_zonefile_text"];
  EXPECT_EQ(util::ToHex(crypto::Hash160Of(util::AsBytes(text))), v["domain_zonefile_hash160"]);
  auto parsed = ParseZonefileSubdomains(v["domain"].get<std::string>(), text);
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->records.size(), v["subdomains"].size());
  EXPECT_EQ(parsed->resolver, v["resolver_url"].get<std::string>());
  for (std::size_t i = 0; i < parsed->records.size(); ++i) {
    const auto& want = v["subdomains"][i];
    const Record& got = parsed->records[i];
    EXPECT_EQ(got.fqn, want["fqn"]);
    EXPECT_EQ(got.domain, v["domain"]);
    EXPECT_EQ(got.owner, want["owner"]);
    EXPECT_EQ(got.seqn, want["seqn"].get<int64_t>());
    EXPECT_FALSE(got.independent);
    EXPECT_FALSE(got.sig.has_value());
    EXPECT_EQ(got.zonefile, want["subdomain_zonefile_text"]);
    EXPECT_EQ(util::ToHex(crypto::Hash160Of(util::AsBytes(got.zonefile))), want["subdomain_zonefile_hash160"]);
    EXPECT_EQ(SigningText(got), want["signing_plaintext_if_signed"]);
    EXPECT_EQ(util::ToHex(crypto::Sha256(util::AsBytes(SigningText(got)))), want["signing_digest_sha256"]);
  }
}

TEST(SubdomainRecordTest, SplitsOnlyLeafDotName) {
  auto s = SplitSubdomainName("alice.foo.id");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->leaf, "alice");
  EXPECT_EQ(s->domain, "foo.id");
  EXPECT_TRUE(SplitSubdomainName("a+b.foo.id"));
  EXPECT_FALSE(SplitSubdomainName("foo.id"));
  EXPECT_FALSE(SplitSubdomainName("a.b.foo.id"));
  EXPECT_FALSE(SplitSubdomainName("Alice.foo.id"));
  EXPECT_FALSE(SplitSubdomainName(".foo.id"));
  EXPECT_FALSE(SplitSubdomainName("alice.f+o.id"));
  EXPECT_FALSE(SplitSubdomainName("alice.foo."));
}

TEST(SubdomainRecordTest, BuiltRecordsReadBackAndSignaturesVerify) {
  auto key = crypto::PrivateKey::Generate();
  const std::string owner = Address(key);
  Record update = MakeRecord("bob.foo.id", owner, 1);
  const std::string line = MakeTxtRecord(update, &key);
  EXPECT_TRUE(line.starts_with("bob\tIN\tTXT\t\"owner=" + owner + "\" \"seqn=1\" \"parts=1\" \"zf0="));
  Record back = ParseOne(line + "\n");
  EXPECT_EQ(back.fqn, "bob.foo.id");
  EXPECT_EQ(back.zonefile, SUB_ZONEFILE);
  ASSERT_TRUE(back.sig);
  EXPECT_TRUE(VerifySignature(back, owner));
  // The mainnet form of the same key's address verifies too.
  EXPECT_TRUE(VerifySignature(back, Address(key, 0x00)));

  EXPECT_FALSE(VerifySignature(back, Address(crypto::PrivateKey::Generate())));
  Record altered = back;
  altered.zonefile += " ";
  EXPECT_FALSE(VerifySignature(altered, owner));
  altered = back;
  altered.seqn = 2;
  EXPECT_FALSE(VerifySignature(altered, owner));
  altered = back;
  altered.sig.reset();
  EXPECT_FALSE(VerifySignature(altered, owner));
  altered.sig = "not base64 at all!";
  EXPECT_FALSE(VerifySignature(altered, owner));
  EXPECT_FALSE(VerifySignature(back, "not an address"));
}

TEST(SubdomainRecordTest, LabelsWithEveryCharacterTheOriginalAllows) {
  // [a-z0-9-_+]: a record named so is read, and so are the records beside it.
  const std::string owner = Address(crypto::PrivateKey::Generate());
  std::string lines;
  for (const char* leaf : {"a+b_c-1", "plain", "+", "_x"})
    lines += MakeTxtRecord(MakeRecord(std::string(leaf) + ".foo.id", owner, 0)) + "\n";
  auto parsed = ParseZonefileSubdomains("foo.id", DomainZonefile(lines));
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->records.size(), 4u);
  EXPECT_EQ(parsed->records[0].fqn, "a+b_c-1.foo.id");
  EXPECT_EQ(parsed->records[2].fqn, "+.foo.id");
}

TEST(SubdomainRecordTest, OwnersAreComparedByHashAndKind) {
  auto key = crypto::PrivateKey::Generate();
  const auto hash = crypto::Hash160Of(key.GetPublicKey().Serialize());
  EXPECT_TRUE(SameOwner(Address(key, 0x00), Address(key, 0x6f)));
  EXPECT_TRUE(SameOwner(crypto::EncodeVersionedHash(0x05, hash), crypto::EncodeVersionedHash(0xc4, hash)));
  EXPECT_FALSE(SameOwner(Address(key, 0x00), crypto::EncodeVersionedHash(0x05, hash)));
  EXPECT_FALSE(SameOwner(Address(key), Address(crypto::PrivateKey::Generate())));
  EXPECT_TRUE(SameOwner("not an address", "not an address"));
  EXPECT_FALSE(SameOwner("not an address", Address(key)));
}

TEST(SubdomainRecordTest, LongZonefilesAreCutIntoPiecesOf250) {
  Record r = MakeRecord("bob.foo.id", "1EHNa6Q4Jz2uvNExL497mE43ikXhwF6kZm", 0);
  r.zonefile = std::string(400, 'x');  // 536 base64 characters: 3 pieces
  const std::string line = MakeTxtRecord(r);
  EXPECT_NE(line.find("\"parts=3\""), std::string::npos);
  EXPECT_NE(line.find("\"zf2="), std::string::npos);
  EXPECT_EQ(ParseOne(line + "\n").zonefile, r.zonefile);
  r.zonefile.clear();
  EXPECT_EQ(SigningText(r), "bob,owner=1EHNa6Q4Jz2uvNExL497mE43ikXhwF6kZm,seqn=0,parts=0");
}

TEST(SubdomainRecordTest, MultisigOwnersVerifyWithSignaturesInKeyOrder) {
  std::vector<crypto::PrivateKey> keys = {crypto::PrivateKey::Generate(), crypto::PrivateKey::Generate(),
                                          crypto::PrivateKey::Generate()};
  util::Bytes redeem = {0x52};  // OP_2
  for (const auto& k : keys) bitcoin::AppendPush(redeem, k.GetPublicKey().Serialize());
  redeem.push_back(0x53);  // OP_3
  redeem.push_back(0xae);  // OP_CHECKMULTISIG
  const std::string owner = crypto::EncodeVersionedHash(0xc4, crypto::Hash160Of(redeem));
  Record r = MakeRecord("bob.foo.id", owner, 3);
  const auto digest = crypto::Sha256(util::AsBytes(SigningText(r)));
  auto script_sig = [&](std::vector<std::size_t> signers) {
    util::Bytes s = {0x00};
    for (auto i : signers) {
      auto sig = keys[i].SignCompact(digest);
      bitcoin::AppendPush(s, util::ByteView(sig.data(), sig.size()));
    }
    bitcoin::AppendPush(s, redeem);
    return util::EncodeBase64(s);
  };
  r.sig = script_sig({0, 2});
  EXPECT_TRUE(VerifySignature(r, owner));
  r.sig = script_sig({1, 2});
  EXPECT_TRUE(VerifySignature(r, owner));
  r.sig = script_sig({2, 0});  // out of key order
  EXPECT_FALSE(VerifySignature(r, owner));
  r.sig = script_sig({0});  // too few
  EXPECT_FALSE(VerifySignature(r, owner));
  r.sig = script_sig({0, 1, 2});  // too many
  EXPECT_FALSE(VerifySignature(r, owner));
  r.sig = script_sig({0, 1});
  EXPECT_FALSE(VerifySignature(r, crypto::EncodeVersionedHash(0xc4, crypto::Hash160Of(util::AsBytes("other")))));
  // A single-key scriptSig does not satisfy a script address.
  r.sig = std::nullopt;
  auto single = MakeTxtRecord(r, &keys[0]);
  Record back = ParseOne(single + "\n");
  EXPECT_FALSE(VerifySignature(back, owner));
}

TEST(SubdomainRecordTest, IndependentAndReservedNames) {
  const std::string owner = "1EHNa6Q4Jz2uvNExL497mE43ikXhwF6kZm";
  Record other = MakeRecord("carol.bar.id", owner, 1);
  Record mine = MakeRecord("bob.foo.id", owner, 0);
  Record reserved = MakeRecord("bob.foo.id", owner, 0);
  std::string body = MakeTxtRecord(other) + "\n" + MakeTxtRecord(mine) + "\n";
  std::string resolver_line = MakeTxtRecord(reserved);
  resolver_line.replace(0, 3, "_resolver");
  body += resolver_line + "\n";
  auto parsed = ParseZonefileSubdomains("foo.id", DomainZonefile(body));
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->records.size(), 2u);
  EXPECT_EQ(parsed->records[0].fqn, "carol.bar.id");
  EXPECT_TRUE(parsed->records[0].independent);
  EXPECT_TRUE(SigningText(parsed->records[0]).starts_with("carol.bar.id,owner="));
  EXPECT_EQ(parsed->records[1].fqn, "bob.foo.id");
  EXPECT_FALSE(parsed->records[1].independent);
}

TEST(SubdomainRecordTest, AFileKeepsTheLowestSequencePerName) {
  const std::string owner = "1EHNa6Q4Jz2uvNExL497mE43ikXhwF6kZm";
  std::string body = MakeTxtRecord(MakeRecord("bob.foo.id", owner, 4)) + "\n" +
                     MakeTxtRecord(MakeRecord("amy.foo.id", owner, 0)) + "\n" +
                     MakeTxtRecord(MakeRecord("bob.foo.id", owner, 2)) + "\n" +
                     MakeTxtRecord(MakeRecord("bob.foo.id", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT", 2)) + "\n";
  body.replace(body.find("amy"), 3, "AMY");  // owner names are lower-cased
  auto parsed = ParseZonefileSubdomains("foo.id", DomainZonefile(body));
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_EQ(parsed->records.size(), 2u);
  EXPECT_EQ(parsed->records[0].fqn, "amy.foo.id");
  EXPECT_EQ(parsed->records[1].fqn, "bob.foo.id");
  EXPECT_EQ(parsed->records[1].seqn, 2);
  EXPECT_EQ(parsed->records[1].owner, owner);  // the first of the tie
}

TEST(SubdomainRecordTest, SkipsBadRecordsAlone) {
  const std::string good = MakeTxtRecord(MakeRecord("bob.foo.id", "1EHNa6Q4Jz2uvNExL497mE43ikXhwF6kZm", 0));
  const std::string zf0 = "\"zf0=" + util::EncodeBase64(util::AsBytes(std::string(SUB_ZONEFILE))) + "\"";
  const std::string bad[] = {
      "dup\tIN\tTXT\t\"owner=1x\" \"owner=1y\" \"seqn=0\" \"parts=1\" " + zf0,
      "nonnum\tIN\tTXT\t\"owner=1x\" \"seqn=zero\" \"parts=1\" " + zf0,
      "nonnumparts\tIN\tTXT\t\"owner=1x\" \"seqn=0\" \"parts=one\" " + zf0,
      "bad.name.here.too\tIN\tTXT\t\"owner=1x\" \"seqn=0\" \"parts=1\" " + zf0,
      "single\tIN\tTXT\t\"owner=1x seqn=0 parts=1\"",
      "noparts\tIN\tTXT\t\"owner=1x\" \"seqn=0\" " + zf0,
  };
  for (const auto& b : bad) {
    auto parsed = ParseZonefileSubdomains("foo.id", DomainZonefile(b + "\n" + good + "\n"));
    ASSERT_TRUE(parsed) << b << ": " << parsed.error().message;
    ASSERT_EQ(parsed->records.size(), 1u) << b;
    EXPECT_EQ(parsed->records[0].fqn, "bob.foo.id");
  }
  // Sequence numbers are read as Python's int() reads them.
  Record padded = ParseOne("bob\tIN\tTXT\t\"owner=1x\" \"seqn= +07 \" \"parts=1\" " + zf0 + "\n");
  EXPECT_EQ(padded.seqn, 7);
}

TEST(SubdomainRecordTest, SomeMalformationsVoidTheWholeFile) {
  const std::string good = MakeTxtRecord(MakeRecord("bob.foo.id", "1EHNa6Q4Jz2uvNExL497mE43ikXhwF6kZm", 0));
  const std::string voiding[] = {
      "x\tIN\tTXT\t\"owner=1x\" \"seqn=0\" \"parts=2\" \"zf0=AAAA\"",           // a piece missing
      "x\tIN\tTXT\t\"owner=1x\" \"seqn=0\" \"parts=1\" \"zf0=AAAA\" \"junk\"",  // a string without '='
      "x\tIN\tTXT\t\"owner=1x\" \"seqn=0\" \"parts=1\" \"zf0=AAA\"",            // not whole base64
      "_missing\tIN\tTXT\t\"1,2\"\n_missing\tIN\tTXT\t\"3\"",                   // two _missing lists
  };
  for (const auto& v : voiding) {
    EXPECT_FALSE(ParseZonefileSubdomains("foo.id", DomainZonefile(v + "\n" + good + "\n"))) << v;
  }
  EXPECT_FALSE(ParseZonefileSubdomains("foo.id", DomainZonefile(good + "\n", "other.id")));
  EXPECT_FALSE(ParseZonefileSubdomains("foo.id", "not a zone file \"\n"));
  EXPECT_FALSE(ParseZonefileSubdomains("foo.id", "$TTL 3600\n" + good + "\n"));
}

TEST(SubdomainRecordTest, ReadsTheMissingList) {
  auto parsed = ParseZonefileSubdomains("foo.id", DomainZonefile("_missing\tIN\tTXT\t\"1,5, 9\"\n"));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->missing, (std::vector<int64_t>{1, 5, 9}));
  EXPECT_TRUE(parsed->records.empty());
  EXPECT_FALSE(parsed->resolver);
  // Not a list of integers: not a missing list (and not an error).
  parsed = ParseZonefileSubdomains("foo.id", DomainZonefile("_missing\tIN\tTXT\t\"1,x\"\n"));
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->missing.empty());
}

// The subdomain records in the v1 network's real zone files
// (test/data/real/genesis_zonefiles.txt): every one is read, with a valid owner
// address and its embedded zone file kept byte for byte, including embedded
// files whose $ORIGIN is not the subdomain and URI targets without quotes.
TEST(RecordTest, TheRealZonefilesSubdomainRecordsAreRead) {
  std::string data = testutil::ReadDataFile("real/genesis_zonefiles.txt");
  std::size_t pos = 0, domains = 0, records = 0, odd_origin = 0;
  while (pos < data.size()) {
    auto eol = data.find('\n', pos);
    std::string hash = data.substr(pos, eol - pos);
    auto eol2 = data.find('\n', eol + 1);
    std::string line = data.substr(eol + 1, (eol2 == std::string::npos ? data.size() : eol2) - eol - 1);
    pos = eol2 == std::string::npos ? data.size() : eol2 + 1;
    std::string text;
    for (std::size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == 'n') {
        text += '\n';
        ++i;
      } else {
        text += line[i];
      }
    }
    if (text.find("zf0=") == std::string::npos) continue;
    auto zf = zonefile::ParseZonefile(text, {.as_clients = true});
    ASSERT_TRUE(zf && zf->origin) << hash;
    auto subs = ParseZonefileSubdomains(*zf->origin, text);
    ASSERT_TRUE(subs) << hash << ": " << subs.error().message;
    ++domains;
    for (const auto& r : subs->records) {
      ++records;
      EXPECT_TRUE(bitcoin::DecodeAddress(r.owner)) << r.fqn << " owner " << r.owner;
      EXPECT_GE(r.seqn, 0);
      EXPECT_FALSE(r.zonefile.empty()) << r.fqn;
      EXPECT_TRUE(SplitSubdomainName(r.fqn)) << r.fqn;
      auto inner = zonefile::ParseZonefile(r.zonefile, {.as_clients = true});
      if (inner && inner->origin && *inner->origin != r.fqn) ++odd_origin;
    }
  }
  EXPECT_EQ(domains, 12u);
  EXPECT_GE(records, 130u);
  EXPECT_GE(odd_origin, 1u);  // embedded files whose $ORIGIN is not the subdomain
}

}  // namespace
}  // namespace blockstack::subdomain
