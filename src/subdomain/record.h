// Subdomain records (spec atlas.md §4): off-chain names such as alice.example.id,
// carried as TXT records in the zone file of an on-chain name (the domain).
//
// This part reads them out of a domain's zone file exactly as the original node
// did (which malformed records are skipped, and which malformations make the
// whole zone file carry none), computes the text an update is signed over,
// verifies such signatures against a single-key (p2pkh) or multisig (p2sh) owner,
// and builds signed records for clients. Pure: no I/O, no clock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <crypto/keys.h>
#include <util/result.h>

namespace blockstack::subdomain {

// The first mainnet block whose zone files are read for subdomains.
inline constexpr uint32_t SUBDOMAINS_FIRST_BLOCK_MAINNET = 478872;
// Base64 of a subdomain's zone file is cut into TXT strings of this many characters.
inline constexpr std::size_t ZONEFILE_PIECE_CHARS = 250;

struct Record {
  std::string fqn;                 // "alice.example.id"
  std::string domain;              // the on-chain name whose zone file carried the record
  std::string owner;               // base58check address (p2pkh or p2sh)
  int64_t seqn = 0;                // 0 creates, each update adds one
  std::string zonefile;            // the subdomain's own zone file, decoded
  std::optional<std::string> sig;  // base64 scriptSig, for updates
  // True when fqn is not "<leaf>.<domain>": such a record may update a subdomain
  // of another domain, but never create one or change its owner.
  bool independent = false;
};

// What one domain zone file says about subdomains.
struct ZonefileSubdomains {
  // One record per fqn (the lowest seqn, the first on a tie), in file order.
  std::vector<Record> records;
  // The zone-file indexes the domain declares missing ("_missing" TXT).
  std::vector<int64_t> missing;
  // The target of the first "_resolver" URI record: the domain's registrar.
  std::optional<std::string> resolver;
};

// Whether fqn is a subdomain name: exactly two dots, a leaf of [a-z0-9-_+], and a
// valid on-chain name after it. Gives the leaf and domain when it is.
struct SplitSubdomain {
  std::string leaf;
  std::string domain;
};
std::optional<SplitSubdomain> SplitSubdomainName(std::string_view fqn);

// The subdomain records of a domain's zone file. Fails with InvalidArgument when
// the file carries none by the original rules: it does not parse, its $ORIGIN is
// not the domain, it has two "_missing" records, or a subdomain record lacks a
// zone-file piece, has a string without "=", or has undecodable base64. Records
// with a duplicate key, a non-numeric seqn or parts, or a name that is not a
// subdomain are skipped on their own.
util::Result<ZonefileSubdomains> ParseZonefileSubdomains(std::string_view domain, std::string_view zonefile_text);

// The text a record is signed over: the leaf (the fqn when independent), then
// owner=, seqn=, parts= and zf0=... with "=" in values escaped as "\=", joined by
// ",". The zone file's base64 is cut into 250-character pieces afresh, so the
// text does not depend on how the record was laid out.
std::string SigningText(const Record& record);

// Whether two owner addresses name the same owner: the same hash and kind (p2pkh
// or p2sh) under a mainnet or testnet version byte, as the original compared them
// re-encoded for its own network. Other text is equal only to itself.
bool SameOwner(std::string_view a, std::string_view b);

// Whether record.sig is a valid signature of SigningText(record) by address: a
// p2pkh scriptSig (64-byte r||s, public key hashing to the address) or a p2sh
// multisig one (OP_0, m signatures in key order, the redeem script hashing to the
// address). Mainnet and testnet version bytes are both accepted. False on any
// malformed input.
bool VerifySignature(const Record& record, std::string_view address);

// Whether `next` is accepted after `tip`, the subdomain's last accepted record
// (null: none yet), when a subdomain's records are taken in (seqn, slot) order:
// the first must be a creation (seqn 0) from the subdomain's own domain; each
// later one must have the next seqn, be signed by tip's owner and, when another
// domain's zone file carried it, keep the owner.
bool Accepts(const Record* tip, const Record& next);

// The TXT line for a record ("leaf\tIN\tTXT\t\"owner=...\" ..."), signed with key
// when given (single-key owners). The leaf is the fqn when independent.
std::string MakeTxtRecord(const Record& record, const crypto::PrivateKey* key = nullptr);

}  // namespace blockstack::subdomain
