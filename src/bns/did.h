// Blockstack DIDs, did:stack:v0:{address}-{index} (reference/original's DID
// method): the index-th name an address created, on chain or (address version
// 63, or 50 for p2sh owners) as a subdomain.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <bitcoin/network.h>
#include <util/bytes.h>
#include <util/result.h>

namespace blockstack::bns {

// The version bytes of subdomain DIDs' addresses (single-key and p2sh owners).
inline constexpr uint8_t SUBDOMAIN_DID_VERSION = 63;
inline constexpr uint8_t SUBDOMAIN_DID_P2SH_VERSION = 50;

struct Did {
  bool subdomain = false;
  bool p2sh = false;  // the owner is a p2sh address
  util::Hash160 hash;
  uint64_t index = 0;
};

// InvalidArgument for anything that is not a DID as the original read them
// (base58check address of 25 to 35 characters, a decimal index); NotFound for an
// index past any name (more than 64 bits).
util::Result<Did> ParseDid(std::string_view text);

// The DID of the index-th name `creator` created (its address re-encoded for
// the network, as the original did). InvalidArgument when creator is not an address.
util::Result<std::string> NameDid(std::string_view creator, uint64_t index, const bitcoin::NetworkParams& net);
// The DID of the index-th subdomain `creator` created.
util::Result<std::string> SubdomainDid(std::string_view creator, uint64_t index);

// The forms an owner's address may take in the records: on this network, and on
// mainnet (subdomain records carry mainnet addresses on every network).
std::vector<std::string> OwnerForms(const util::Hash160& hash, bool p2sh, const bitcoin::NetworkParams& net);
// The same for an address as written.
std::vector<std::string> OwnerForms(std::string_view address, const bitcoin::NetworkParams& net);

}  // namespace blockstack::bns
