#include <atlas/inventory.h>

#include <gtest/gtest.h>

#include <util/base64.h>
#include <util/bytes.h>

#include "testutil/vectors.h"

namespace blockstack::atlas {
namespace {

Inventory FromHex(const std::string& hex) {
  auto bytes = util::FromHex(hex);
  return Inventory(bytes->begin(), bytes->end());
}

TEST(InventoryTest, MakesVectorsMsbFirst) {
  auto v = testutil::LoadVectors("atlas/inventory_bits.json");
  for (const auto& c : testutil::Cases(v, "make_inventory")) {
    std::vector<bool> flags;
    for (const auto& f : c["present_flags_in_inv_index_order"]) flags.push_back(f.get<int>() == 1);
    Inventory inv = MakeInventory(flags);
    EXPECT_EQ(util::ToHex(inv), c["expected_inventory_hex"]);
    EXPECT_EQ(util::EncodeBase64(inv), c["expected_inventory_b64"]);
    for (std::size_t i = 0; i < flags.size(); ++i) EXPECT_EQ(TestBit(inv, i), flags[i]);
  }
}

TEST(InventoryTest, FlipsBitsZeroExtendingFirst) {
  auto v = testutil::LoadVectors("atlas/inventory_bits.json");
  for (const auto& c : testutil::Cases(v, "flip_bits")) {
    Inventory inv = FromHex(c["start_hex"]);
    for (const auto& i : c["bit_indexes"]) {
      if (c["operation"] == "set") {
        SetBit(inv, i.get<uint64_t>());
      } else {
        ClearBit(inv, i.get<uint64_t>());
      }
    }
    EXPECT_EQ(util::ToHex(inv), c["expected_hex"]);
  }
}

TEST(InventoryTest, CountsWhatARemoteCanGive) {
  auto v = testutil::LoadVectors("atlas/inventory_bits.json");
  for (const auto& c : testutil::Cases(v, "count_missing")) {
    EXPECT_EQ(CountMissing(FromHex(c["local_hex"]), FromHex(c["remote_hex"])), c["expected_missing_count"].get<uint64_t>());
  }
}

TEST(InventoryTest, BitsPastTheEndAreAbsent) {
  Inventory inv = FromHex("ff");
  EXPECT_FALSE(TestBit(inv, 8));
  EXPECT_FALSE(TestBit(inv, UINT64_MAX / 2));
  EXPECT_EQ(CountMissing(inv, {}), 0u);
}

}  // namespace
}  // namespace blockstack::atlas
