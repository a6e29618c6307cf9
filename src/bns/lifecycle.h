// Expiry, grace period and liveness of names (spec bns.md §2.13).
#pragma once

#include <cstdint>

#include <bns/epochs.h>
#include <bns/records.h>

namespace blockstack::bns {

inline constexpr uint32_t NAMESPACE_REVEAL_EXPIRE = 52595;

struct NameStatus {
  bool live = false;       // returned by lookups at this height
  bool in_grace = false;   // expired but renewable
  bool expired = false;    // expire_block <= height (lookups may still return it in grace)
  int64_t expire_block = -1;      // -1: never (infinite lifetime or namespace not ready)
  int64_t renewal_deadline = -1;
};

// The status of a name at height h. The epoch of h supplies the lifetime multiplier
// and grace period. reveal_expire bounds names of revealed-but-not-ready namespaces.
NameStatus StatusAt(const NameRecord& name, const NamespaceRecord& ns, uint32_t h, const EpochSchedule& epochs,
                    uint32_t reveal_expire = NAMESPACE_REVEAL_EXPIRE);
// The same from the two fields of the record it reads.
NameStatus StatusAt(uint32_t first_registered, uint32_t last_renewed, const NamespaceRecord& ns, uint32_t h,
                    const EpochSchedule& epochs, uint32_t reveal_expire = NAMESPACE_REVEAL_EXPIRE);

// A revealed namespace that was not made ready in time.
bool IsRevealExpired(const NamespaceRecord& ns, uint32_t h, uint32_t reveal_expire = NAMESPACE_REVEAL_EXPIRE);

}  // namespace blockstack::bns
