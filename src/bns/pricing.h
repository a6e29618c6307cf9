// Name and namespace prices (spec bns.md §3).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <bns/epochs.h>
#include <util/biguint.h>

namespace blockstack::bns {

inline constexpr uint32_t NAME_COST_UNIT = 100;           // satoshis
inline constexpr uint32_t NAME_COST_UNIT_STACKS = 1733;   // microSTACKs
inline constexpr int NAMESPACE_VERSION_PAY_TO_BURN = 1;
inline constexpr int NAMESPACE_VERSION_PAY_TO_CREATOR = 2;
inline constexpr int NAMESPACE_VERSION_PAY_WITH_STACKS = 3;

enum class Units { Btc, Stacks };
const char* UnitsName(Units u);  // "BTC", "STACKS"

// The pricing parameters of a namespace (from its NAMESPACE_REVEAL).
struct NamespacePricing {
  uint32_t coeff = 0;
  uint32_t base = 0;
  std::array<uint8_t, 16> buckets{};  // exponent for name length 1..16 (16 = 16 and longer)
  uint32_t nonalpha_discount = 1;
  uint32_t no_vowel_discount = 1;
  int version = NAMESPACE_VERSION_PAY_TO_BURN;
};

// A price as the reference held it: an IEEE double in epochs 1-3, an exact integer
// from epoch 4. Which one it is matters where a price is serialised (NAME_IMPORT's
// op_fee) and compared.
struct Price {
  Units units = Units::Btc;
  bool is_float = false;
  double float_value = 0;
  util::BigUint int_value;

  // Whether an integer payment of `paid` is at least this price (exact comparison,
  // as Python compares int with float).
  bool CoveredBy(uint64_t paid) const;
  // ceil(price), saturating at UINT64_MAX (the API's "amount").
  uint64_t Ceil() const;
  // The price as a double (float() of an integer price).
  double AsDouble() const;
};

// price_name(name without namespace, ns, epoch rules of the height).
Price PriceName(std::string_view name, const NamespacePricing& ns, const EpochRules& rules);
// The STACKS price of a name in a BTC-priced namespace: floor(int(price) * 650 / 15).
util::BigUint PriceNameStacks(std::string_view name, const NamespacePricing& ns, const EpochRules& rules);

// Namespace prices by ID length. The BTC price is nullopt where namespaces cannot be
// paid in BTC (epoch >= 4) or the ID length is invalid; test_mode lowers 1-char IDs
// to 41 BTC. The STACKS price is nullopt before epoch 4.
std::optional<Price> PriceNamespaceBtc(std::string_view namespace_id, const EpochRules& rules, bool test_mode = false);
std::optional<Price> PriceNamespaceStacks(std::string_view namespace_id, const EpochRules& rules);

}  // namespace blockstack::bns
