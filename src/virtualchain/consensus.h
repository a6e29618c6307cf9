// The per-block consensus hash (spec bns.md §4.2-§4.3).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace blockstack::virtualchain {

// hex(SHA256d("")): the ops hash of a block without accepted operations.
inline constexpr const char* EMPTY_OPS_HASH = "5df6e0e2761359d30a8275058e299fcc0381534545f55cf43e41983f5d4c9456";

// Merkle root over hex leaves as virtualchain builds it: leaves sorted as strings,
// each decoded and byte-reversed, pairs hashed with SHA256d, an odd row duplicating
// its last node; the root is returned as hex of its bytes reversed back. Leaves may
// differ in length (16- and 32-byte). Precondition: leaves are valid hex.
std::string MerkleRootHex(std::vector<std::string> leaves);

// Ops hash of a block from the serialised accepted operations (in any order).
std::string OpsHash(const std::vector<std::string>& serialized_ops);

// The heights whose consensus hashes feed the hash at `height`: height-1, height-3,
// height-7, ... while not below first_block.
std::vector<uint32_t> PreviousHashHeights(uint32_t height, uint32_t first_block);

// CH = hex(RIPEMD160(SHA256(root))[0:16]) of the Merkle root over the previous
// consensus hashes (32-char hex) and the ops hash (64-char hex).
std::string ConsensusHash(const std::vector<std::string>& prev_consensus_hashes, const std::string& ops_hash);

}  // namespace blockstack::virtualchain
