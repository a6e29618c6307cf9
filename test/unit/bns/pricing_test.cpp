#include <bns/pricing.h>

#include <gtest/gtest.h>

#include <virtualchain/canonical.h>

#include "testutil/vectors.h"

namespace blockstack::bns {
namespace {

NamespacePricing FromJson(const nlohmann::json& j) {
  NamespacePricing ns;
  ns.coeff = j["coeff"];
  ns.base = j["base"];
  for (std::size_t i = 0; i < 16; ++i) ns.buckets[i] = j["buckets"][i].get<uint8_t>();
  ns.nonalpha_discount = j["nonalpha_discount"];
  ns.no_vowel_discount = j["no_vowel_discount"];
  ns.version = j.value("version", 1);
  return ns;
}

TEST(PricingTest, BtcNamespaceVectorsInEveryEpoch) {
  auto v = testutil::LoadVectors("bns/prices.json")["name_prices_btc_namespace"];
  auto ns = FromJson(v["namespace"]);
  for (const auto& p : testutil::Cases(v, "prices")) {
    std::string name = p["name"];
    for (int epoch : {1, 2}) {
      auto price = PriceName(name, ns, EpochRules::ForNumber(epoch));
      EXPECT_TRUE(price.is_float);
      EXPECT_EQ(price.float_value, p["epoch1_2_btc_satoshis_float"].get<double>()) << name;
    }
    auto e3 = PriceName(name, ns, EpochRules::ForNumber(3));
    EXPECT_TRUE(e3.is_float);
    EXPECT_EQ(e3.float_value, p["epoch3_btc_satoshis_float"].get<double>()) << name;
    for (int epoch : {4, 5, 6}) {
      auto price = PriceName(name, ns, EpochRules::ForNumber(epoch));
      EXPECT_FALSE(price.is_float);
      EXPECT_EQ(price.int_value.ToU64Saturated(), p["epoch4_6_btc_satoshis_int"].get<uint64_t>()) << name;
      EXPECT_EQ(PriceNameStacks(name, ns, EpochRules::ForNumber(epoch)).ToU64Saturated(),
                p["epoch4_6_as_stacks_microstacks"].get<uint64_t>())
          << name;
    }
  }
}

TEST(PricingTest, StacksNamespaceVectors) {
  auto v = testutil::LoadVectors("bns/prices.json")["name_prices_stacks_namespace"];
  auto ns = FromJson(v["namespace"]);
  for (const auto& p : testutil::Cases(v, "prices")) {
    auto price = PriceName(p["name"].get<std::string>(), ns, EpochRules::ForNumber(4));
    EXPECT_EQ(price.units, Units::Stacks);
    EXPECT_EQ(price.int_value.ToU64Saturated(), p["epoch4_6_microstacks"].get<uint64_t>()) << p["name"];
  }
}

TEST(PricingTest, NamespaceTables) {
  auto v = testutil::LoadVectors("bns/prices.json")["namespace_price_tables_by_id_length"];
  for (std::size_t len = 1; len < 20; ++len) {
    std::string id(len, 'x');
    auto e12 = PriceNamespaceBtc(id, EpochRules::ForNumber(1));
    ASSERT_TRUE(e12);
    EXPECT_EQ(e12->float_value, v["epoch1_2_btc_satoshis"][len].get<double>()) << len;
    auto e3 = PriceNamespaceBtc(id, EpochRules::ForNumber(3));
    ASSERT_TRUE(e3);
    EXPECT_EQ(e3->float_value, v["epoch3_btc_satoshis"][len].get<double>()) << len;
    EXPECT_FALSE(PriceNamespaceBtc(id, EpochRules::ForNumber(4)));
    auto e4 = PriceNamespaceStacks(id, EpochRules::ForNumber(5));
    ASSERT_TRUE(e4);
    EXPECT_EQ(e4->int_value.ToU64Saturated(), v["epoch4_6_stacks_microstacks"][len].get<uint64_t>()) << len;
  }
  EXPECT_FALSE(PriceNamespaceBtc("", EpochRules::ForNumber(1)));
  EXPECT_FALSE(PriceNamespaceBtc(std::string(20, 'x'), EpochRules::ForNumber(1)));
  EXPECT_EQ(PriceNamespaceBtc("x", EpochRules::ForNumber(1), /*test_mode=*/true)->float_value, 4100000000.0);
}

TEST(PricingTest, RestExampleMuneebId) {
  // /v1/prices/names/muneeb.id -> 100000 satoshis with the vector namespace in epochs 1-2
  auto v = testutil::LoadVectors("bns/prices.json")["name_prices_btc_namespace"];
  auto price = PriceName("muneeb", FromJson(v["namespace"]), EpochRules::ForNumber(1));
  EXPECT_EQ(price.Ceil(), 100000u);
  EXPECT_EQ(virtualchain::Py2FloatStr(price.float_value), "100000.0");
}

TEST(PricingTest, CoveredByComparesExactly) {
  Price p;
  p.is_float = true;
  p.float_value = 1000.5;
  EXPECT_FALSE(p.CoveredBy(1000));
  EXPECT_TRUE(p.CoveredBy(1001));
  p.float_value = 1000.0;
  EXPECT_TRUE(p.CoveredBy(1000));
  EXPECT_FALSE(p.CoveredBy(999));
  Price q;
  q.int_value = util::BigUint(5500);
  EXPECT_TRUE(q.CoveredBy(5500));
  EXPECT_FALSE(q.CoveredBy(5499));
}

TEST(PricingTest, HostileParametersDoNotOverflow) {
  NamespacePricing ns;
  ns.coeff = 255;
  ns.base = 255;
  ns.buckets.fill(15);
  auto p = PriceName("abc", ns, EpochRules::ForNumber(4));
  EXPECT_FALSE(p.int_value.FitsU64());
  EXPECT_FALSE(p.CoveredBy(UINT64_MAX));
  EXPECT_EQ(p.Ceil(), UINT64_MAX);
  // 255^16 * 100 / 10: the float conversion is finite and close
  EXPECT_NEAR(p.AsDouble() / 3.1962658e39, 1.0, 1e-6);
  auto f = PriceName("abc", ns, EpochRules::ForNumber(1));
  EXPECT_TRUE(std::isfinite(f.float_value));
}

TEST(PricingTest, UnitFloor) {
  NamespacePricing ns;
  ns.coeff = 1;
  ns.base = 1;
  ns.nonalpha_discount = 10;
  EXPECT_EQ(PriceName("a1", ns, EpochRules::ForNumber(1)).float_value, 100.0);
  EXPECT_EQ(PriceName("a1", ns, EpochRules::ForNumber(3)).float_value, 100.0 * 0.1);
  EXPECT_EQ(PriceName("a1", ns, EpochRules::ForNumber(4)).int_value.ToU64Saturated(), 10u);
}

}  // namespace
}  // namespace blockstack::bns
