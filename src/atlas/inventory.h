// The zone-file inventory bit vector (spec atlas.md §1.3): bit i is slot i (the
// i-th announcing name operation), byte i/8, mask 0x80 >> (i%8), so the oldest slot
// is the most significant bit of byte 0. Unused low bits of the last byte are 0.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace blockstack::atlas {

using Inventory = std::vector<uint8_t>;

// A vector for the given presence flags, ceil(n/8) bytes.
Inventory MakeInventory(const std::vector<bool>& present);
// Reads bit i; bits past the end are absent.
bool TestBit(std::span<const uint8_t> inv, uint64_t i);
// Sets or clears bit i, first zero-extending the vector to (i/8)+1 bytes.
void SetBit(Inventory& inv, uint64_t i);
void ClearBit(Inventory& inv, uint64_t i);
// How many zone files remote has that local lacks: set bits of remote & ~local over
// the common prefix plus every set bit of remote's extra tail.
uint64_t CountMissing(std::span<const uint8_t> local, std::span<const uint8_t> remote);

}  // namespace blockstack::atlas
