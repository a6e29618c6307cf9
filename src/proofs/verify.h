// Checks what a node answered against a consensus hash the client trusts
// (doc/proofs.md): a name's history bundle, and its current record or absence
// against a name-state root. Every failure names the step that failed.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <proofs/bundle.h>

namespace blockstack::proofs {

// One of the name's operations, as its block's verified serialisation states it.
struct VerifiedOp {
  uint32_t height = 0;
  uint32_t vtxindex = 0;
  std::string txid;
  char opcode = 0;
  std::string op;  // the record's op field ("+", ">~", ":", ...)
  std::string address;
  std::string value_hash;  // "" when none
  bool revoked = false;
  uint32_t first_registered = 0;
  uint32_t last_renewed = 0;
  std::string record;  // the canonical text of the record it left
};

// What the state tree holds for a name whose operations, all of them, oldest
// first, are `ops` (not empty).
Hash256 StateValueAfter(const std::vector<VerifiedOp>& ops);

struct VerifiedHistory {
  std::string name;
  uint32_t anchor_height = 0;
  std::vector<VerifiedOp> ops;  // oldest first
  // Every consensus hash the links proved, by height.
  std::map<uint32_t, std::string> consensus_hashes;
  std::optional<std::string> next_anchor;
};

// Checks a bundle against the consensus hash the client trusts (and, when
// given, the height it trusts it at): the anchor's hash is recomputed from its
// link, each link's from its own and those below it reached through the hashes
// already proved; each block's ops hash from its operations; each of the name's
// operations is found among them and its transaction hashes to its txid and
// carries its opcode. Fails (InvalidArgument) with the first step that fails.
util::Result<VerifiedHistory> VerifyHistory(const HistoryBundle& bundle, std::string_view trusted_consensus_hash,
                                            std::optional<uint32_t> trusted_height = std::nullopt);

// An operation that announced a zone file (an inventory slot, spec atlas.md
// §1.1: a registration, renewal, update or import with a zone-file hash), from a
// verified history, with that zone file when the node gave it (checked against
// the hash).
struct VerifiedSlot {
  std::string name;
  uint32_t height = 0;
  uint32_t vtxindex = 0;
  std::string txid;
  std::string hash;
  std::optional<std::string> zonefile;
};
bool IsSlot(const VerifiedOp& op);

struct VerifiedSubdomainPage {
  VerifiedHistory domain;           // this page of the domain's history
  std::vector<VerifiedSlot> slots;  // the domain's and the other carriers', at or above first_block
};

// Checks one page of a subdomain's bundle against the trusted hash: the
// domain's history and every other carrier's (all anchored on it), every zone
// file against its hash, and that every slot of the domain's operations at or
// above the first subdomain block has its zone file given or declared missing.
// Steps as VerifyHistory's, prefixed with the carrier's name for another
// carrier ("other.id: block 7: ..."), and "zone files".
util::Result<VerifiedSubdomainPage> VerifySubdomainPage(const SubdomainBundle& bundle,
                                                        std::string_view trusted_consensus_hash,
                                                        std::optional<uint32_t> trusted_height = std::nullopt);

// A subdomain's state as its verified records make it.
struct ProvedSubdomain {
  std::string fqn;
  std::string carrier;  // the name whose zone file carried the last accepted record
  std::string owner;
  int64_t seqn = 0;
  std::string zonefile;       // the subdomain's own zone file
  std::string zonefile_hash;  // hash160 of it, hex
  std::string txid;           // of the operation that announced the carrying zone file
  uint32_t height = 0;
  std::size_t accepted = 0;  // records accepted, the creation included
};

// Replays the subdomain rules (subdomain/record.h) over the records of fqn the
// slots' zone files carry: taken in (seqn, slot) order, each accepted or not as
// the node's index does. nullopt when none is accepted (the subdomain does not
// exist as far as these zone files go).
std::optional<ProvedSubdomain> ReplaySubdomain(std::string_view fqn, uint32_t first_block,
                                               const std::vector<VerifiedSlot>& slots);

// What the state tree says of the name: its state value (nullopt: absent), after
// checking the proof against `root`.
util::Result<std::optional<Hash256>> VerifyState(const StateAnswer& answer, const Hash256& root);

}  // namespace blockstack::proofs
