// The DNS query parser and answer builder: what each accepts and refuses, EDNS0,
// truncation, BADVERS, and the presentation form of zone-file records.
#include <dns/answer.h>
#include <dns/query.h>
#include <dns/zones.h>

#include <gtest/gtest.h>

namespace blockstack::dns {
namespace {

util::Bytes QueryBytes(const std::string& name, uint16_t qtype, std::optional<uint16_t> edns = std::nullopt,
                       uint8_t flags_hi = 0x01, uint16_t qdcount = 1) {
  util::Bytes m = {0xab, 0xcd, flags_hi, 0x00, 0, static_cast<uint8_t>(qdcount), 0, 0, 0, 0, 0,
                   static_cast<uint8_t>(edns ? 1 : 0)};
  std::size_t start = 0;
  while (start < name.size()) {
    auto dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    m.push_back(static_cast<uint8_t>(dot - start));
    m.insert(m.end(), name.begin() + static_cast<std::ptrdiff_t>(start), name.begin() + static_cast<std::ptrdiff_t>(dot));
    start = dot + 1;
  }
  m.push_back(0);
  m.insert(m.end(), {static_cast<uint8_t>(qtype >> 8), static_cast<uint8_t>(qtype), 0, 1});
  if (edns) m.insert(m.end(), {0, 0, 41, static_cast<uint8_t>(*edns >> 8), static_cast<uint8_t>(*edns), 0, 0, 0x80, 0, 0, 0});
  return m;
}

TEST(DnsQueryTest, ReadsTheQuestionAndEdns) {
  auto m = QueryBytes("ALICE.id", TYPE_TXT, 4096);
  Query q;
  ASSERT_EQ(ParseQuery(m, q), ParseStatus::Ok);
  EXPECT_EQ(q.id, 0xabcd);
  EXPECT_TRUE(q.rd);
  EXPECT_EQ(q.qname, "alice.id");
  EXPECT_EQ(q.qtype, TYPE_TXT);
  EXPECT_EQ(q.qclass, CLASS_IN);
  EXPECT_TRUE(q.edns);
  EXPECT_TRUE(q.dnssec_ok);
  EXPECT_EQ(UdpLimit(q), MAX_UDP_EDNS);  // capped
  Query plain;
  ASSERT_EQ(ParseQuery(QueryBytes("alice.id", TYPE_A), plain), ParseStatus::Ok);
  EXPECT_EQ(UdpLimit(plain), MAX_UDP_PLAIN);
  Query root;
  ASSERT_EQ(ParseQuery(QueryBytes("", TYPE_NS), root), ParseStatus::Ok);
  EXPECT_EQ(root.qname, "");
}

TEST(DnsQueryTest, RefusesWhatIsMalformed) {
  Query q;
  EXPECT_EQ(ParseQuery(util::Bytes{1, 2, 3}, q), ParseStatus::Drop);
  EXPECT_EQ(ParseQuery(QueryBytes("a.id", TYPE_A, std::nullopt, 0x81), q), ParseStatus::Drop);  // a response
  EXPECT_EQ(ParseQuery(QueryBytes("a.id", TYPE_A, std::nullopt, 0x11), q), ParseStatus::NotImp);  // STATUS
  EXPECT_EQ(ParseQuery(QueryBytes("a.id", TYPE_A, std::nullopt, 0x01, 2), q), ParseStatus::FormErr);
  auto m = QueryBytes("a.id", TYPE_A);
  m.push_back(0);  // trailing byte
  EXPECT_EQ(ParseQuery(m, q), ParseStatus::FormErr);
  auto cut = QueryBytes("alice.id", TYPE_A);
  cut.resize(16);
  EXPECT_EQ(ParseQuery(cut, q), ParseStatus::FormErr);
  std::string long_name;
  for (int i = 0; i < 60; ++i) long_name += "abcd.";
  long_name += "id";
  EXPECT_EQ(ParseQuery(QueryBytes(long_name, TYPE_A), q), ParseStatus::FormErr);  // over 255 bytes
  util::Bytes pointer = {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1};
  EXPECT_EQ(ParseQuery(pointer, q), ParseStatus::FormErr);
}

TEST(DnsAnswerTest, BuildsTruncatesAndRefusesVersions) {
  auto m = QueryBytes("alice.id", TYPE_TXT);
  Query q;
  ASSERT_EQ(ParseQuery(m, q), ParseStatus::Ok);
  ZoneAnswer z;
  z.origin = "alice.id.";
  for (int i = 0; i < 6; ++i) z.answer.push_back("alice.id. 300 IN TXT \"" + std::string(100, 'a' + i) + "\"");
  std::string full = BuildAnswer(m, q, z, 0);
  ASSERT_GT(full.size(), 512u);
  EXPECT_EQ(static_cast<uint8_t>(full[0]), 0xab);
  EXPECT_EQ(static_cast<uint8_t>(full[2]) & 0x84, 0x84);  // QR, AA
  EXPECT_EQ(static_cast<uint8_t>(full[7]), 6);            // six answers
  std::string udp = BuildAnswer(m, q, z, UdpLimit(q));
  ASSERT_LE(udp.size(), 512u);
  EXPECT_EQ(static_cast<uint8_t>(udp[2]) & 0x02, 0x02);  // TC
  EXPECT_EQ(static_cast<uint8_t>(udp[7]), 0);

  auto v1 = QueryBytes("alice.id", TYPE_A, 1232);
  v1[v1.size() - 5] = 1;  // EDNS version 1
  Query qv;
  ASSERT_EQ(ParseQuery(v1, qv), ParseStatus::Ok);
  std::string bad = BuildAnswer(v1, qv, z, UdpLimit(qv));
  EXPECT_EQ(static_cast<uint8_t>(bad[7]), 0);     // no answers
  EXPECT_EQ(static_cast<uint8_t>(bad[11]), 1);    // the OPT record, carrying BADVERS
  EXPECT_EQ(static_cast<uint8_t>(bad[3]) & 0x0f, 0);

  // A record ldns cannot read is left out, not fatal.
  ZoneAnswer odd;
  odd.answer = {"alice.id. 300 IN A not-an-address", "alice.id. 300 IN A 192.0.2.1"};
  std::string one = BuildAnswer(m, q, odd, 0);
  EXPECT_EQ(static_cast<uint8_t>(one[7]), 1);

  std::string err = ErrorAnswer(m, RCODE_FORMERR);
  ASSERT_EQ(err.size(), 12u);
  EXPECT_EQ(static_cast<uint8_t>(err[3]), RCODE_FORMERR);
  EXPECT_EQ(ErrorAnswer(util::Bytes{1, 2}, RCODE_FORMERR), "");
}

TEST(DnsZonesTest, RecordTextQuotesAndEscapes) {
  EXPECT_EQ(RecordText("a.id.", 60, "TXT", {"say \"hi\"", "b\\c"}), R"(a.id. 60 IN TXT "say \"hi\"" "b\\c")");
  EXPECT_EQ(RecordText("a.id.", 60, "URI", {"10", "1", "https://x/y"}), R"(a.id. 60 IN URI 10 1 "https://x/y")");
  EXPECT_EQ(RecordText("a.id.", 60, "MX", {"10", "mail"}), "a.id. 60 IN MX 10 mail");
  EXPECT_EQ(RecordText("a.id.", 60, "TXT", {std::string("\x01", 1)}), "a.id. 60 IN TXT \"\\001\"");
}

}  // namespace
}  // namespace blockstack::dns
