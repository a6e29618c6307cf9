#include <bns/lifecycle.h>

#include <algorithm>

namespace blockstack::bns {

NameStatus StatusAt(const NameRecord& name, const NamespaceRecord& ns, uint32_t h, const EpochSchedule& epochs,
                    uint32_t reveal_expire) {
  return StatusAt(name.first_registered, name.last_renewed, ns, h, epochs, reveal_expire);
}

NameStatus StatusAt(uint32_t first_registered, uint32_t last_renewed, const NamespaceRecord& ns, uint32_t h,
                    const EpochSchedule& epochs, uint32_t reveal_expire) {
  NameStatus s;
  if (first_registered > h) return s;  // not yet registered at h
  if (!ns.IsReady()) {
    // Imported names live while the reveal is fresh.
    s.live = ns.reveal_block <= h && uint64_t{h} < uint64_t{ns.reveal_block} + reveal_expire;
    s.expired = !s.live;
    return s;
  }
  if (ns.lifetime == NAMESPACE_LIFE_INFINITE) {
    s.live = true;
    return s;
  }
  const EpochRules& rules = epochs.At(h);
  const uint64_t life = uint64_t{ns.lifetime} * rules.lifetime_multiplier;
  const uint64_t grace = rules.grace_period;
  const uint64_t expire = uint64_t{std::max(ns.ready_block, last_renewed)} + life;
  s.expire_block = static_cast<int64_t>(expire);
  s.renewal_deadline = static_cast<int64_t>(expire + grace);
  // QUIRK: '>' for the namespace's ready block, '>=' for the last renewal.
  s.live = uint64_t{ns.ready_block} + life + grace > h || uint64_t{last_renewed} + life + grace >= h;
  s.expired = expire <= h;
  s.in_grace = expire <= h && h < expire + grace;
  return s;
}

bool IsRevealExpired(const NamespaceRecord& ns, uint32_t h, uint32_t reveal_expire) {
  return !ns.IsReady() && uint64_t{ns.reveal_block} + reveal_expire <= h;
}

}  // namespace blockstack::bns
