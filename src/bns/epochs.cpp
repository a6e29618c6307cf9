#include <bns/epochs.h>

#include <array>

namespace blockstack::bns {
namespace {

std::array<EpochRules, 6> MakeRules() {
  std::array<EpochRules, 6> r{};
  for (int i = 0; i < 6; ++i) {
    EpochRules& e = r[static_cast<std::size_t>(i)];
    const int n = i + 1;
    e.number = n;
    e.lifetime_multiplier = n == 1 ? 1 : 2;
    e.grace_period = n >= 3 ? 5000 : 0;
    e.namespace_receive_fees_period = n >= 3 ? 52595 : 0;
    e.price_rule = n <= 2 ? PriceRule::FloatTimes1 : n == 3 ? PriceRule::FloatTimesTenth : PriceRule::IntegerDiv;
    e.multisig = n >= 2;
    e.segwit = n >= 3;
    e.register_update = n >= 3;
    e.renew_transfer_update = n >= 3;
    e.namespace_burn_to_creator = n >= 3;
    e.namespace_pay_with_stacks = n >= 4;
    e.fix_preorder_expire = n >= 4;
    e.token_transfer = n >= 4;
    e.token_transfer_zero_consensus = n >= 5;
  }
  return r;
}

}  // namespace

const EpochRules& EpochRules::ForNumber(int number) {
  static const auto rules = MakeRules();
  if (number < 1) number = 1;
  if (number > 6) number = 6;
  return rules[static_cast<std::size_t>(number - 1)];
}

EpochSchedule EpochSchedule::Mainnet() {
  EpochSchedule s;
  s.m_ranges = {{1, 436650}, {2, 488500}, {3, 547921}, {4, 599866}, {5, 613249}, {6, OPEN_ENDED}};
  return s;
}

EpochSchedule EpochSchedule::Single(int number) {
  EpochSchedule s;
  s.m_ranges = {{number < 1 ? 1 : number > 6 ? 6 : number, OPEN_ENDED}};
  return s;
}

util::Result<EpochSchedule> EpochSchedule::FromRanges(std::vector<Range> ranges) {
  if (ranges.empty()) return util::Fail(util::ErrorCode::InvalidArgument, "epoch schedule is empty");
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    if (ranges[i].number < 1 || ranges[i].number > 6) {
      return util::Fail(util::ErrorCode::InvalidArgument, "epoch numbers run from 1 to 6");
    }
    if (i > 0 && ranges[i].end_block <= ranges[i - 1].end_block) {
      return util::Fail(util::ErrorCode::InvalidArgument, "epoch end blocks must increase");
    }
  }
  if (ranges.back().end_block != OPEN_ENDED) {
    return util::Fail(util::ErrorCode::InvalidArgument, "the last epoch must be open-ended");
  }
  EpochSchedule s;
  s.m_ranges = std::move(ranges);
  return s;
}

const EpochRules& EpochSchedule::At(uint32_t height) const {
  int number = m_ranges.back().number;
  for (const auto& r : m_ranges) {
    if (height <= r.end_block) {
      number = r.number;
      break;
    }
  }
  for (const auto& replaced : m_replaced) {
    if (replaced.number == number) return replaced;
  }
  return EpochRules::ForNumber(number);
}

util::Result<EpochSchedule> EpochSchedule::WithLifetimeMultiplier(int number, uint32_t multiplier) const {
  if (multiplier == 0) return util::Fail(util::ErrorCode::InvalidArgument, "a lifetime multiplier must be positive");
  EpochSchedule s = *this;
  EpochRules rules = EpochRules::ForNumber(number);
  rules.lifetime_multiplier = multiplier;
  std::erase_if(s.m_replaced, [&](const EpochRules& r) { return r.number == rules.number; });
  s.m_replaced.push_back(rules);
  return s;
}

}  // namespace blockstack::bns
