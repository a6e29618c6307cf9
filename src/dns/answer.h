// DNS answers for BNS names, decided and written in wire format without the
// database: a name is first compiled (CompileName: its zone file's records turned
// into wire form once, with ldns reading each record), then every query for it is
// answered by copying those bytes (WriteAnswer). The server keeps every name
// compiled in memory (table.h); a name the table cannot vouch for yet is compiled
// on the spot from the database (zones.h), and both go through WriteAnswer.
//
// What is answered: a live name's zone-file records (URI, TXT, A, AAAA, CNAME, MX
// and the rest; CNAME when the asked type is absent), SOA and NS at namespace
// apexes, SOA in the authority section of NODATA and NXDOMAIN answers (serial: the
// block height), NXDOMAIN for unknown, expired and revoked names, REFUSED outside
// BNS and for zone transfers; EDNS0 (BADVERS for versions above 0) and, over UDP,
// an empty answer with the TC bit when the answer would exceed the client's limit.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <bns/ops/op.h>
#include <bns/records.h>
#include <dns/query.h>
#include <util/result.h>

namespace blockstack::dns {

inline constexpr uint32_t DEFAULT_TTL = 3600;

enum class NameState : uint8_t {
  Zone = 0,        // records compiled from its zone file
  NoZonefile = 1,  // the name has no zone-file hash
  Missing = 2,     // the zone file has not reached this node (SERVFAIL until it does)
  Unusable = 3,    // the zone file is on chain but does not parse (SERVFAIL)
  Gone = 4,        // revoked: NXDOMAIN
};

// A name compiled for answering.
struct CompiledName {
  std::string fqn;  // lower case, no trailing dot
  uint32_t first_registered = 0;
  uint32_t last_renewed = 0;
  NameState state = NameState::Gone;
  bool has_soa = false;  // its zone file has an SOA at the name itself
  // Per record: [u8 n][n bytes: owner below the name, "" for the name itself]
  // [u16 m][m bytes: the record in wire form without its owner (type, class, TTL,
  // rdlength, rdata)]; m = 0 for a record ldns could not read, which still makes
  // its owner exist.
  std::string records;
};

// The name a record of `fqn` needs for answering; zone_text: its zone file, or
// nullopt when the node does not hold it.
CompiledName CompileName(const bns::NameRecord& rec, const std::optional<std::string>& zone_text);

// The compact byte form a table holds (an entry of bns::db::NameTable), and a
// view of it.
std::string EncodeName(const CompiledName& name);
struct NameView {
  std::string_view fqn;
  uint32_t first_registered = 0;
  uint32_t last_renewed = 0;
  NameState state = NameState::Gone;
  bool has_soa = false;
  std::string_view records;
};
// `encoded` must point at what EncodeName wrote.
NameView ViewName(const char* encoded);
// The length of what EncodeName wrote.
std::size_t EncodedSize(const char* encoded);

// Where answers find namespaces and names. Views stay valid until the next call.
class AnswerSource {
 public:
  virtual ~AnswerSource() = default;
  // nullptr: no such namespace. An error answers SERVFAIL.
  virtual util::Result<const bns::NamespaceRecord*> Namespace(std::string_view id) = 0;
  // nullopt: no such name.
  virtual util::Result<std::optional<NameView>> Name(std::string_view fqn) = 0;
};

struct AnswerContext {
  uint32_t height = 0;  // the last block processed: liveness and the SOA serial
  const bns::ops::Rules* rules = nullptr;
  uint32_t negative_ttl = 60;  // SOA TTL and minimum: how long NXDOMAIN may be cached
};

// The whole answer to a parsed query, in wire format, into `out` (replaced).
// limit: the largest size allowed (UDP); 0 for TCP.
void WriteAnswer(util::ByteView query_msg, const Query& q, std::size_t limit, const AnswerContext& ctx,
                 AnswerSource& source, std::string& out);
// The answer to a query the fast parser refused (FORMERR/NOTIMP), or "" to drop it.
std::string ErrorAnswer(util::ByteView query_msg, uint8_t rcode);

// The presentation form of one zone-file record owned by `owner` (absolute, with
// the trailing dot), relative names in its data read against `origin`.
std::string RecordText(const std::string& owner, uint32_t ttl, const std::string& type,
                       const std::vector<std::string>& fields);

}  // namespace blockstack::dns
