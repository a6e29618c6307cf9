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
  Hash256 state_value;  // what the state tree holds for the record it left
};

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

// What the state tree says of the name: its state value (nullopt: absent), after
// checking the proof against `root`.
util::Result<std::optional<Hash256>> VerifyState(const StateAnswer& answer, const Hash256& root);

}  // namespace blockstack::proofs
