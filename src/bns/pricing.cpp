#include <bns/pricing.h>

#include <cfloat>
#include <cmath>
#include <limits>

// The one use of floating point in the consensus core, on purpose: name and
// namespace prices in epochs 1-3 are IEEE-754 doubles, computed in the same
// order as the original so that they match it bit for bit (doc/architecture.md).
// That holds only for binary64 arithmetic rounded per operation:
static_assert(std::numeric_limits<double>::is_iec559, "prices need IEEE-754 doubles");
static_assert(std::numeric_limits<double>::digits == 53, "prices need binary64 doubles");
static_assert(FLT_EVAL_METHOD == 0, "prices need each double operation rounded to double (no excess precision)");
#if defined(__FAST_MATH__)
#error "prices must not be built with -ffast-math: it reorders and contracts their arithmetic"
#endif
// A fused multiply-add rounds once where the original rounded twice: the build
// turns contraction off for this file (src/bns/CMakeLists.txt).

namespace blockstack::bns {
namespace {

uint32_t Discount(std::string_view name, const NamespacePricing& ns) {
  uint32_t discount = 1;
  bool vowel = false;
  bool nonalpha = false;
  for (char c : name) {
    if (c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y') vowel = true;
    if ((c >= '0' && c <= '9') || c == '-' || c == '_') nonalpha = true;
  }
  // The discounts do not multiply: the larger one wins.
  if (!vowel) discount = std::max(discount, ns.no_vowel_discount);
  if (nonalpha) discount = std::max(discount, ns.nonalpha_discount);
  return discount;
}

uint32_t Exponent(std::string_view name, const NamespacePricing& ns) {
  return name.size() < ns.buckets.size() ? ns.buckets[name.empty() ? 0 : name.size() - 1] : ns.buckets.back();
}

// Namespace price tables by ID length (index = length), satoshis for epochs 1-2.
uint64_t BtcNamespaceBase(std::size_t len, bool test_mode) {
  if (len == 1) return test_mode ? 4100000000ULL : 40000000000ULL;
  if (len <= 3) return 4000000000ULL;
  if (len <= 7) return 400000000ULL;
  return 40000000ULL;
}

uint64_t StacksNamespaceBase(std::size_t len) {
  if (len == 1) return 640000000000ULL;
  if (len <= 3) return 64000000000ULL;
  if (len <= 7) return 6400000000ULL;
  return 640000000ULL;
}

}  // namespace

const char* UnitsName(Units u) { return u == Units::Btc ? "BTC" : "STACKS"; }

bool Price::CoveredBy(uint64_t paid) const {
  if (is_float) {
    // Exact int-vs-float comparison: paid >= f.
    if (std::isnan(float_value)) return false;
    if (float_value <= 0) return true;
    if (float_value > 1.8446744073709552e19) return false;
    double fl = std::floor(float_value);
    auto whole = static_cast<uint64_t>(fl);
    if (paid > whole) return true;
    if (paid < whole) return false;
    return fl == float_value;
  }
  return util::BigUint(paid) >= int_value;
}

uint64_t Price::Ceil() const {
  if (is_float) {
    double c = std::ceil(float_value);
    if (!(c < 1.8446744073709552e19)) return std::numeric_limits<uint64_t>::max();
    return c <= 0 ? 0 : static_cast<uint64_t>(c);
  }
  return int_value.ToU64Saturated();
}

double Price::AsDouble() const { return is_float ? float_value : int_value.ToDouble(); }

Price PriceName(std::string_view name, const NamespacePricing& ns, const EpochRules& rules) {
  const bool stacks = ns.version == NAMESPACE_VERSION_PAY_WITH_STACKS;
  const uint32_t unit = stacks ? NAME_COST_UNIT_STACKS : NAME_COST_UNIT;
  const uint32_t discount = Discount(name, ns);
  util::BigUint raw = util::BigUint(ns.base).Pow(Exponent(name, ns));
  raw.MulSmall(ns.coeff);

  Price p;
  p.units = stacks ? Units::Stacks : Units::Btc;
  if (rules.price_rule == PriceRule::IntegerDiv) {
    raw.MulSmall(unit);
    raw.DivSmall(discount);
    if (raw < util::BigUint(unit)) raw = util::BigUint(unit);
    raw.DivSmall(stacks ? 1 : 10);
    p.int_value = raw;
    return p;
  }
  // (float(coeff * base^e) / float(discount)) * unit, floored at unit, times M.
  double price = (raw.ToDouble() / static_cast<double>(discount)) * static_cast<double>(unit);
  if (price < static_cast<double>(unit)) price = static_cast<double>(unit);
  price = price * (rules.price_rule == PriceRule::FloatTimesTenth ? 0.1 : 1.0);
  p.is_float = true;
  p.float_value = price;
  return p;
}

util::BigUint PriceNameStacks(std::string_view name, const NamespacePricing& ns, const EpochRules& rules) {
  Price btc = PriceName(name, ns, rules);
  util::BigUint v = btc.is_float ? util::BigUint(static_cast<uint64_t>(btc.float_value)) : btc.int_value;
  v.MulSmall(650);
  v.DivSmall(15);
  return v;
}

std::optional<Price> PriceNamespaceBtc(std::string_view namespace_id, const EpochRules& rules, bool test_mode) {
  const std::size_t len = namespace_id.size();
  if (len == 0 || len >= 20 || rules.price_rule == PriceRule::IntegerDiv) return std::nullopt;
  Price p;
  p.units = Units::Btc;
  p.is_float = true;
  double base = static_cast<double>(BtcNamespaceBase(len, test_mode));
  p.float_value = rules.price_rule == PriceRule::FloatTimesTenth ? base / 10.0 : base;
  return p;
}

std::optional<Price> PriceNamespaceStacks(std::string_view namespace_id, const EpochRules& rules) {
  const std::size_t len = namespace_id.size();
  if (len == 0 || len >= 20 || rules.price_rule != PriceRule::IntegerDiv) return std::nullopt;
  Price p;
  p.units = Units::Stacks;
  p.int_value = util::BigUint(StacksNamespaceBase(len));
  return p;
}

}  // namespace blockstack::bns
