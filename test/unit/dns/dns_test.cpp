// The DNS query parser, the name compiler, the answer writer (read back by ldns)
// and the name table: what each accepts and refuses, EDNS0, truncation, BADVERS,
// and the presentation form of zone-file records; and the server's handling of
// zone files that arrive while its node catches up.
#include <atlas/frames.h>
#include <atlas/zonefile_store.h>
#include <bns/db/name_db.h>
#include <bns/db/name_table.h>
#include <bns/records_codec.h>
#include <dns/answer.h>
#include <dns/query.h>
#include <dns/server.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <thread>

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testutil/vectors.h"

// Last: ldns's C headers define macros that upset C++ headers included after them.
#include <ldns/ldns.h>

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

// Names and namespaces from memory, as the table gives them.
class FakeSource : public AnswerSource {
 public:
  FakeSource() {
    ns.namespace_id = "id";
    ns.reveal_block = ns.ready_block = 100;
    ns.lifetime = 1000;
    rules.epochs = bns::EpochSchedule::Single(3);
  }
  void Add(const std::string& fqn, const std::optional<std::string>& zone, bool revoked = false,
           bool has_hash = true) {
    bns::NameRecord rec;
    rec.name = fqn;
    rec.first_registered = rec.last_renewed = 150;
    rec.revoked = revoked;
    if (has_hash) rec.value_hash = std::string(40, '0');
    names[fqn] = EncodeName(CompileName(rec, zone));
  }
  util::Result<const bns::NamespaceRecord*> Namespace(std::string_view id) override {
    return id == "id" ? &ns : nullptr;
  }
  util::Result<std::optional<NameView>> Name(std::string_view fqn) override {
    auto it = names.find(std::string(fqn));
    if (it == names.end()) return std::optional<NameView>{};
    return std::optional<NameView>(ViewName(it->second.data()));
  }
  bns::NamespaceRecord ns;
  bns::ops::Rules rules;
  std::map<std::string, std::string> names;
};

// An answer read back by ldns: rcode, flags and each section's records as text.
struct Parsed {
  int rcode = -1;
  bool aa = false, tc = false, qr = false;
  uint16_t id = 0;
  std::vector<std::string> answer, authority;
  uint16_t edns_size = 0;  // the UDP size our OPT offers (0: no OPT)
};

std::vector<std::string> Texts(ldns_rr_list* list) {
  std::vector<std::string> out;
  for (std::size_t i = 0; list && i < ldns_rr_list_rr_count(list); ++i) {
    char* text = ldns_rr2str(ldns_rr_list_rr(list, i));
    std::string line(text);
    free(text);  // NOLINT: allocated by ldns
    while (!line.empty() && line.back() == '\n') line.pop_back();
    out.push_back(line);
  }
  return out;
}

Parsed Parse(const std::string& wire) {
  Parsed p;
  ldns_pkt* pkt = nullptr;
  if (ldns_wire2pkt(&pkt, reinterpret_cast<const uint8_t*>(wire.data()), wire.size()) != LDNS_STATUS_OK) return p;
  p.rcode = ldns_pkt_get_rcode(pkt);
  p.aa = ldns_pkt_aa(pkt);
  p.tc = ldns_pkt_tc(pkt);
  p.qr = ldns_pkt_qr(pkt);
  p.id = ldns_pkt_id(pkt);
  p.answer = Texts(ldns_pkt_answer(pkt));
  p.authority = Texts(ldns_pkt_authority(pkt));
  p.edns_size = ldns_pkt_edns_udp_size(pkt);
  ldns_pkt_free(pkt);
  return p;
}

Parsed Ask(FakeSource& source, const std::string& name, uint16_t qtype, uint32_t height = 200, bool tcp = true,
           std::optional<uint16_t> edns = std::nullopt) {
  auto m = QueryBytes(name, qtype, edns);
  Query q;
  EXPECT_EQ(ParseQuery(m, q), ParseStatus::Ok);
  AnswerContext ctx;
  ctx.height = height;
  ctx.rules = &source.rules;
  std::string out;
  WriteAnswer(m, q, tcp ? 0 : UdpLimit(q), ctx, source, out);
  return Parse(out);
}

const char* ZONE =
    "$ORIGIN alice.id\n$TTL 300\n@ IN A 192.0.2.1\n@ IN TXT \"hello\"\n_http._tcp IN URI 10 1 \"https://ex.org/p.json\"\n"
    "www IN CNAME @\nmail 60 IN MX 10 mx.example.org.\n";

TEST(DnsAnswerTest, AnswersFromTheCompiledZoneFile) {
  FakeSource s;
  s.Add("alice.id", ZONE);
  auto a = Ask(s, "ALICE.id", TYPE_A);
  EXPECT_TRUE(a.qr);
  EXPECT_TRUE(a.aa);
  EXPECT_EQ(a.id, 0xabcd);
  EXPECT_EQ(a.rcode, RCODE_NOERROR);
  ASSERT_EQ(a.answer.size(), 1u);
  EXPECT_EQ(a.answer[0], "ALICE.id.\t300\tIN\tA\t192.0.2.1");  // the owner as asked
  EXPECT_TRUE(a.authority.empty());

  auto uri = Ask(s, "_http._tcp.alice.id", TYPE_URI);
  ASSERT_EQ(uri.answer.size(), 1u);
  EXPECT_NE(uri.answer[0].find("10 1 \"https://ex.org/p.json\""), std::string::npos);

  auto mx = Ask(s, "mail.alice.id", TYPE_MX);
  ASSERT_EQ(mx.answer.size(), 1u);
  EXPECT_EQ(mx.answer[0], "mail.alice.id.\t60\tIN\tMX\t10 mx.example.org.");

  auto any = Ask(s, "alice.id", TYPE_ANY);
  EXPECT_EQ(any.answer.size(), 2u);  // A and TXT

  // A CNAME answers for any type the owner lacks; relative targets read against the name.
  auto www = Ask(s, "www.alice.id", TYPE_AAAA);
  ASSERT_EQ(www.answer.size(), 1u);
  EXPECT_EQ(www.answer[0], "www.alice.id.\t300\tIN\tCNAME\talice.id.");
}

TEST(DnsAnswerTest, NodataNxdomainAndEmptyNonTerminals) {
  FakeSource s;
  s.Add("alice.id", ZONE);
  s.Add("bob.id", std::nullopt, false, false);          // no zone-file hash
  s.Add("carol.id", std::nullopt);                      // zone file not here yet
  s.Add("dave.id", std::string("not a zone file {"));   // does not parse
  s.Add("eve.id", ZONE, true);                          // revoked

  auto nodata = Ask(s, "alice.id", TYPE_AAAA);
  EXPECT_EQ(nodata.rcode, RCODE_NOERROR);
  EXPECT_TRUE(nodata.answer.empty());
  ASSERT_EQ(nodata.authority.size(), 1u);
  EXPECT_EQ(nodata.authority[0], "alice.id.\t60\tIN\tSOA\tns.id. hostmaster.id. 200 3600 600 86400 60");

  auto ent = Ask(s, "_tcp.alice.id", TYPE_A);  // only _http._tcp exists below it
  EXPECT_EQ(ent.rcode, RCODE_NOERROR);
  EXPECT_TRUE(ent.answer.empty());

  auto nx = Ask(s, "nothing.alice.id", TYPE_A);
  EXPECT_EQ(nx.rcode, RCODE_NXDOMAIN);
  ASSERT_EQ(nx.authority.size(), 1u);
  EXPECT_EQ(nx.authority[0].rfind("id.\t60\tIN\tSOA", 0), 0u);

  EXPECT_EQ(Ask(s, "zed.id", TYPE_A).rcode, RCODE_NXDOMAIN);    // unknown
  EXPECT_EQ(Ask(s, "eve.id", TYPE_A).rcode, RCODE_NXDOMAIN);    // revoked
  EXPECT_EQ(Ask(s, "a_b.id", TYPE_A).rcode, RCODE_NXDOMAIN);    // not a valid name
  EXPECT_EQ(Ask(s, "alice.id", TYPE_A, 100000).rcode, RCODE_NXDOMAIN);  // long expired

  auto bob = Ask(s, "bob.id", TYPE_A);
  EXPECT_EQ(bob.rcode, RCODE_NOERROR);
  EXPECT_EQ(bob.authority.size(), 1u);
  EXPECT_EQ(Ask(s, "www.bob.id", TYPE_A).rcode, RCODE_NXDOMAIN);
  EXPECT_EQ(Ask(s, "carol.id", TYPE_A).rcode, RCODE_SERVFAIL);
  EXPECT_EQ(Ask(s, "dave.id", TYPE_A).rcode, RCODE_SERVFAIL);

  // SOA at a name without one of its own: made up, serial = the height.
  auto soa = Ask(s, "alice.id", TYPE_SOA);
  ASSERT_EQ(soa.answer.size(), 1u);
  EXPECT_NE(soa.answer[0].find(" 200 3600"), std::string::npos);
}

TEST(DnsAnswerTest, ApexesAndRefusals) {
  FakeSource s;
  auto apex = Ask(s, "id", TYPE_ANY);
  ASSERT_EQ(apex.answer.size(), 2u);
  EXPECT_EQ(apex.answer[1], "id.\t3600\tIN\tNS\tns.id.");
  auto ns_only = Ask(s, "id", TYPE_A);
  EXPECT_TRUE(ns_only.answer.empty());
  EXPECT_EQ(ns_only.authority.size(), 1u);
  auto refused = Ask(s, "alice.com", TYPE_A);
  EXPECT_EQ(refused.rcode, RCODE_REFUSED);
  EXPECT_FALSE(refused.aa);
  EXPECT_EQ(Ask(s, "", TYPE_NS).rcode, RCODE_REFUSED);
  EXPECT_EQ(Ask(s, "id", TYPE_AXFR).rcode, RCODE_REFUSED);
  // A revealed namespace serves until its reveal expires.
  s.ns.ready_block = 0;
  EXPECT_EQ(Ask(s, "id", TYPE_SOA).rcode, RCODE_NOERROR);
  EXPECT_EQ(Ask(s, "id", TYPE_SOA, 100 + s.rules.namespace_reveal_expire).rcode, RCODE_REFUSED);
}

TEST(DnsAnswerTest, TruncatesRefusesVersionsAndSkipsUnreadableRecords) {
  FakeSource s;
  std::string big = "$ORIGIN alice.id\n";
  for (int i = 0; i < 6; ++i) big += "@ IN TXT \"" + std::string(100, 'a' + i) + "\"\n";
  big += "odd IN TXT \"" + std::string(300, 'z') + "\"\nodd IN A 192.0.2.9\n";  // ldns cannot read the TXT
  s.Add("alice.id", big);
  auto full = Ask(s, "alice.id", TYPE_TXT);
  EXPECT_EQ(full.answer.size(), 6u);
  auto udp = Ask(s, "alice.id", TYPE_TXT, 200, false);
  EXPECT_TRUE(udp.tc);
  EXPECT_TRUE(udp.answer.empty());
  auto edns = Ask(s, "alice.id", TYPE_TXT, 200, false, 4096);  // 1232 is enough
  EXPECT_FALSE(edns.tc);
  EXPECT_EQ(edns.answer.size(), 6u);
  EXPECT_EQ(edns.edns_size, MAX_UDP_EDNS);
  EXPECT_EQ(full.edns_size, 0);
  EXPECT_EQ(Ask(s, "odd.alice.id", TYPE_A).answer.size(), 1u);
  auto odd = Ask(s, "odd.alice.id", TYPE_TXT);  // the owner exists, the record is left out
  EXPECT_EQ(odd.rcode, RCODE_NOERROR);
  EXPECT_TRUE(odd.answer.empty());

  auto v1 = QueryBytes("alice.id", TYPE_A, 1232);
  v1[v1.size() - 5] = 1;  // EDNS version 1
  Query qv;
  ASSERT_EQ(ParseQuery(v1, qv), ParseStatus::Ok);
  AnswerContext ctx;
  ctx.rules = &s.rules;
  std::string bad;
  WriteAnswer(v1, qv, UdpLimit(qv), ctx, s, bad);
  EXPECT_EQ(static_cast<uint8_t>(bad[7]), 0);   // no answers
  EXPECT_EQ(static_cast<uint8_t>(bad[11]), 1);  // the OPT record, carrying BADVERS
  EXPECT_EQ(static_cast<uint8_t>(bad[3]) & 0x0f, 0);

  std::string err = ErrorAnswer(v1, RCODE_FORMERR);
  ASSERT_EQ(err.size(), 12u);
  EXPECT_EQ(static_cast<uint8_t>(err[3]), RCODE_FORMERR);
  EXPECT_EQ(ErrorAnswer(util::Bytes{1, 2}, RCODE_FORMERR), "");
}

TEST(DnsTableTest, PutsReplacesFindsAndCompacts) {
  bns::db::NameTable table(&EncodedSize);
  CompiledName c;
  c.state = NameState::NoZonefile;
  for (int i = 0; i < 5000; ++i) {
    c.fqn = "n" + std::to_string(i) + ".id";
    c.first_registered = static_cast<uint32_t>(i);
    table.Put(EncodeName(c));
  }
  EXPECT_EQ(table.Size(), 5000u);
  c.fqn = "n42.id";
  c.first_registered = 7;
  c.records = std::string(1 << 19, 'x');  // larger than a quarter chunk: a chunk of its own
  table.Put(EncodeName(c));
  EXPECT_EQ(table.Size(), 5000u);
  EXPECT_GT(table.GarbageBytes(), 0u);
  auto found = table.Find("n42.id");
  ASSERT_FALSE(found.empty());
  EXPECT_EQ(ViewName(found.data()).first_registered, 7u);
  EXPECT_EQ(ViewName(found.data()).records.size(), 1u << 19);
  EXPECT_EQ(ViewName(table.Find("n4999.id").data()).first_registered, 4999u);
  EXPECT_TRUE(table.Find("n5000.id").empty());
  auto compact = table.Compacted();
  EXPECT_EQ(compact->Size(), 5000u);
  EXPECT_EQ(compact->GarbageBytes(), 0u);
  EXPECT_EQ(ViewName(compact->Find("n42.id").data()).first_registered, 7u);
  EXPECT_EQ(ViewName(compact->Find("n17.id").data()).first_registered, 17u);
}

TEST(DnsZonesTest, RecordTextQuotesAndEscapes) {
  EXPECT_EQ(RecordText("a.id.", 60, "TXT", {"say \"hi\"", "b\\c"}), R"(a.id. 60 IN TXT "say \"hi\"" "b\\c")");
  EXPECT_EQ(RecordText("a.id.", 60, "URI", {"10", "1", "https://x/y"}), R"(a.id. 60 IN URI 10 1 "https://x/y")");
  EXPECT_EQ(RecordText("a.id.", 60, "MX", {"10", "mail"}), "a.id. 60 IN MX 10 mail");
  EXPECT_EQ(RecordText("a.id.", 60, "TXT", {std::string("\x01", 1)}), "a.id. 60 IN TXT \"\\001\"");
}

// The server while its node catches up: the name database has no index of
// zone-file hashes, so a zone file that arrives then cannot be traced to its
// names. The server answers as before (SERVFAIL: the name's zone file has not
// reached the table), keeps the hash, and serves the file after the first block
// at the tip, once the index is built.
TEST(DnsServerTest, AZoneFileStoredWhileCatchingUpIsServedAtTheTip) {
  const std::string dir = testutil::MakeTempDir("dns_server");
  const std::string zone = "$ORIGIN alice.id\n$TTL 300\n@ IN A 192.0.2.7\n";
  const std::string hash = atlas::ZonefileHash(zone);
  auto names = std::move(*bns::db::NameDb::Open(dir + "/names.db"));
  auto block = [&](uint32_t h, const bns::ops::Effect& e) {
    ASSERT_TRUE(names->BeginBlock(h));
    ASSERT_TRUE(names->Apply(e));
    ASSERT_TRUE(names->EndBlock({h, std::string(64, 'a'), std::string(32, 'c'), std::string(64, 'e')}));
  };
  bns::ops::Effect e;
  e.ns.emplace();
  e.ns->namespace_id = "id";
  e.ns->reveal_block = e.ns->ready_block = 100;
  e.ns->lifetime = 1000;
  e.name.emplace();
  bns::NameRecord& rec = *e.name;
  rec.name = "alice.id";
  rec.namespace_id = "id";
  rec.first_registered = rec.last_renewed = rec.block_number = 150;
  rec.value_hash = hash;
  rec.sender = "76a914" + std::string(40, 'd') + "88ac";
  rec.address = "1BoatSLRHtKNngkdXEeobR76b53LETtpyT";
  rec.op = "?";
  e.history.push_back({"alice.id", "?", "NAME_REGISTRATION", hash, std::nullopt, 150, 1, std::string(64, 'f'),
                       bns::EncodeNameRecord(rec)});
  block(150, e);
  ASSERT_TRUE(names->SetCatchingUp(true));

  auto store = std::move(*atlas::ZonefileStore::Open(dir + "/zonefiles.db"));
  DnsSettings settings;
  settings.listen = "127.0.0.1:0";
  settings.threads = 1;
  settings.zones.db_path = dir + "/names.db";
  settings.zones.rules.epochs = bns::EpochSchedule::Single(3);
  auto server = DnsServer::Start(settings, *store, 150);
  ASSERT_TRUE(server) << server.error().message;
  auto current = [&] {
    for (int i = 0; i < 1000 && !(*server)->TableStats().current; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return (*server)->TableStats().current;
  };
  auto ask = [&] {
    const auto query = QueryBytes("alice.id", TYPE_A);
    std::string out;
    (*server)->Handle(0, query, /*tcp=*/true, out);
    return Parse(out);
  };
  ASSERT_TRUE(current());
  EXPECT_EQ(ask().rcode, RCODE_SERVFAIL) << "no zone file yet";

  ASSERT_TRUE(store->Put(zone));
  (*server)->OnZonefileStored(hash);
  ASSERT_TRUE(current());
  EXPECT_EQ(ask().rcode, RCODE_SERVFAIL) << "the hash cannot be traced while catching up";

  // At the tip: the index is built and the next block's update finds the name.
  ASSERT_TRUE(names->SetCatchingUp(false));
  block(151, {});
  (*server)->OnBlock(151);
  ASSERT_TRUE(current());
  auto after = ask();
  EXPECT_EQ(after.rcode, RCODE_NOERROR);
  ASSERT_EQ(after.answer.size(), 1u) << "the hash was kept";
  EXPECT_EQ(after.answer[0], "alice.id.\t300\tIN\tA\t192.0.2.7");
  (*server)->Stop();
  server->reset();
  store.reset();
  names.reset();
  std::filesystem::remove_all(dir);
}

// One TCP query on a fresh connection, closed after the answer; false when the
// server closes it unanswered or does not answer within two seconds.
bool AskOverTcp(uint16_t port, const util::Bytes& query) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  timeval timeout{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  util::Bytes framed{static_cast<uint8_t>(query.size() >> 8), static_cast<uint8_t>(query.size() & 0xff)};
  framed.insert(framed.end(), query.begin(), query.end());
  ok = ok && ::send(fd, framed.data(), framed.size(), 0) == static_cast<ssize_t>(framed.size());
  uint8_t length[2];
  ok = ok && ::recv(fd, length, 2, MSG_WAITALL) == 2;
  ::close(fd);
  return ok;
}

// A TCP connection that ends gives its slot back at once, not when its idle
// timer would have fired: more connections than the cap, one after another,
// are all answered.
TEST(DnsServerTest, AClosedTcpConnectionFreesItsSlotAtOnce) {
  const std::string dir = testutil::MakeTempDir("dns_tcp");
  {
    auto names = bns::db::NameDb::Open(dir + "/names.db");
    ASSERT_TRUE(names);
  }
  auto store = std::move(*atlas::ZonefileStore::Open(dir + "/zonefiles.db"));
  DnsSettings settings;
  settings.listen = "127.0.0.1:0";
  settings.threads = 1;
  settings.max_tcp_connections = 4;
  settings.tcp_idle_timeout = std::chrono::milliseconds(60000);
  settings.zones.db_path = dir + "/names.db";
  auto server = DnsServer::Start(settings, *store, 0);
  ASSERT_TRUE(server) << server.error().message;
  const auto query = QueryBytes("alice.id", TYPE_A);
  for (int i = 0; i < 16; ++i) {
    EXPECT_TRUE(AskOverTcp((*server)->Port(), query)) << "connection " << i;
  }
  (*server)->Stop();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace blockstack::dns
