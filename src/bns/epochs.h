// Epochs: the block ranges in which each set of BNS rules applies (spec bns.md §0).
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <util/result.h>

namespace blockstack::bns {

inline constexpr uint32_t OPEN_ENDED = std::numeric_limits<uint32_t>::max();

enum class PriceRule {
  FloatTimes1,    // epochs 1-2: IEEE double, multiplier 1.0
  FloatTimesTenth,  // epoch 3: IEEE double, multiplier 0.1
  IntegerDiv,     // epochs 4-6: integers, BTC prices divided by 10
};

// The rules of one epoch number (1..6), the same for every namespace.
struct EpochRules {
  int number = 1;
  uint32_t lifetime_multiplier = 1;
  uint32_t grace_period = 0;
  uint32_t namespace_receive_fees_period = 0;
  PriceRule price_rule = PriceRule::FloatTimes1;
  bool multisig = false;                      // p2sh senders/recipients (epoch >= 2)
  bool segwit = false;                        // p2sh-wrapped segwit outputs (epoch >= 3)
  bool register_update = false;               // zone-file hash in NAME_REGISTRATION (epoch >= 3)
  bool renew_transfer_update = false;         // renewal may transfer and set a hash (epoch >= 3)
  bool namespace_burn_to_creator = false;     // namespace version 2 (epoch >= 3)
  bool namespace_pay_with_stacks = false;     // namespace version 3, STACKS fields (epoch >= 4)
  bool fix_preorder_expire = false;           // preorders expire after 144 blocks (epoch >= 4)
  bool token_transfer = false;                // TOKEN_TRANSFER (epoch >= 4)
  bool token_transfer_zero_consensus = false; // all-zero consensus hash in TOKEN_TRANSFER (epoch >= 5)

  static const EpochRules& ForNumber(int number);  // number clamped to 1..6
};

// Which epoch number governs which block range. Entries are sorted by end block;
// the last one is open-ended.
class EpochSchedule {
 public:
  struct Range {
    int number;
    uint32_t end_block;  // inclusive
  };

  // Mainnet: 1 <= 436650, 2 <= 488500, 3 <= 547921, 4 <= 599866, 5 <= 613249, 6 after.
  static EpochSchedule Mainnet();
  // Every block under one epoch's rules (regtest default: 3, every BTC-paid feature).
  static EpochSchedule Single(int number);
  // Fails with InvalidArgument when ranges are unsorted, numbers are outside 1..6,
  // or the last range is not open-ended.
  static util::Result<EpochSchedule> FromRanges(std::vector<Range> ranges);

  const EpochRules& At(uint32_t height) const;
  const std::vector<Range>& Ranges() const { return m_ranges; }

  // The same schedule with epoch `number`'s name-lifetime multiplier replaced
  // (an older release's test-mode setting, for replaying its runs). Fails with
  // InvalidArgument when the multiplier is 0.
  util::Result<EpochSchedule> WithLifetimeMultiplier(int number, uint32_t multiplier) const;

 private:
  std::vector<Range> m_ranges;
  std::vector<EpochRules> m_replaced;  // epochs whose rules differ from EpochRules::ForNumber
};

}  // namespace blockstack::bns
