// lookup --verify: a name's record checked against a consensus hash the user
// trusts, from any node, with the name-state root cross-checked with peers
// (doc/proofs.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <client/node_client.h>
#include <util/result.h>

namespace blockstack::cli {

struct VerifyOptions {
  std::string trusted_consensus_hash;
  std::optional<uint32_t> trusted_height;
  std::vector<std::string> peers;  // http://host:port of other nodes
};

struct VerifiedName {
  bool present = false;
  // The record the name's newest operation left (when present).
  std::string owner;
  std::string value_hash;
  bool revoked = false;
  uint32_t last_height = 0;
  std::string last_txid;
  std::string last_op;
  std::size_t operations = 0;  // in the verified history
  std::vector<std::string> operation_txids;  // of those, oldest first
  uint32_t anchor_height = 0;  // where the trusted hash sits
  uint32_t state_height = 0;   // the block the state root is for
  std::string state_root;
  std::vector<std::string> confirmed_by;  // peers that reported the same root
  // The consensus hash (and block) the verified history was anchored on: the
  // trusted one, or the state's when the record changed since.
  std::string history_anchor;
  uint32_t history_anchor_height = 0;
  nlohmann::json Json() const;
};

// A subdomain proved through its domain: the domain's record as VerifyName
// proves it, and the subdomain's state replayed from the zone files of every
// verified operation of the domain (and of other names that carried updates).
struct VerifiedSubdomain {
  VerifiedName domain;
  bool present = false;
  std::string owner;
  std::string zonefile_hash;  // of the subdomain's own zone file
  std::string carrier;        // the name whose zone file carried its last record
  std::string txid;           // of the operation that announced that zone file
  uint32_t height = 0;
  int64_t seqn = 0;
  std::size_t records = 0;           // accepted records, the creation included
  std::size_t zonefiles = 0;         // zone files replayed
  std::size_t from_peers = 0;        // of them, given by a peer, not the node
  std::vector<std::string> missing;  // zone files neither the node nor a peer gave
  nlohmann::json Json() const;
};

// A failed proof: the step that failed and why.
struct VerifyFailure {
  std::string step;
  std::string message;
};

// Fails with Unavailable when a node or peer cannot be asked; a node's answer
// that does not prove what it claims sets *failure and fails with Corruption.
util::Result<VerifiedName> VerifyName(client::NodeClient& node, const std::string& name, const VerifyOptions& options,
                                      VerifyFailure* failure);
util::Result<VerifiedSubdomain> VerifySubdomain(client::NodeClient& node, const std::string& fqn,
                                                const VerifyOptions& options, VerifyFailure* failure);

}  // namespace blockstack::cli
