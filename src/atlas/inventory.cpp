#include <atlas/inventory.h>

#include <bit>

namespace blockstack::atlas {

Inventory MakeInventory(const std::vector<bool>& present) {
  Inventory inv((present.size() + 7) / 8, 0);
  for (std::size_t i = 0; i < present.size(); ++i) {
    if (present[i]) inv[i / 8] |= static_cast<uint8_t>(0x80 >> (i % 8));
  }
  return inv;
}

bool TestBit(std::span<const uint8_t> inv, uint64_t i) {
  return i / 8 < inv.size() && (inv[i / 8] & (0x80 >> (i % 8))) != 0;
}

void SetBit(Inventory& inv, uint64_t i) {
  if (inv.size() < i / 8 + 1) inv.resize(i / 8 + 1, 0);
  inv[i / 8] |= static_cast<uint8_t>(0x80 >> (i % 8));
}

void ClearBit(Inventory& inv, uint64_t i) {
  if (inv.size() < i / 8 + 1) inv.resize(i / 8 + 1, 0);
  inv[i / 8] &= static_cast<uint8_t>(~(0x80 >> (i % 8)));
}

uint64_t CountMissing(std::span<const uint8_t> local, std::span<const uint8_t> remote) {
  uint64_t count = 0;
  for (std::size_t i = 0; i < remote.size(); ++i) {
    uint8_t mine = i < local.size() ? local[i] : 0;
    count += static_cast<uint64_t>(std::popcount(static_cast<uint8_t>(remote[i] & ~mine)));
  }
  return count;
}

}  // namespace blockstack::atlas
