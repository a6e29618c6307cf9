// What the operation checks may read of the name database. The database
// implements it; tests implement it in memory. Reads see every effect already
// applied in the block being processed.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <bns/records.h>
#include <util/result.h>

namespace blockstack::bns {

// The fields that decide whether a name is live, without the rest of the record.
struct NameSummary {
  std::string name;
  std::string namespace_id;
  uint32_t first_registered = 0;
  uint32_t last_renewed = 0;
  bool revoked = false;
};
// An owner's names, summarised, in name order. Shared with the state's cache, never
// null, and unchanged by later writes (the cache copies a list before changing one
// that is still held).
using NameSummaries = std::shared_ptr<const std::vector<NameSummary>>;

class StateView {
 public:
  virtual ~StateView() = default;

  // The stored record of a name, live or not; nullopt when never registered.
  virtual util::Result<std::optional<NameRecord>> GetName(std::string_view fqn) = 0;
  virtual util::Result<std::optional<NamespaceRecord>> GetNamespace(std::string_view namespace_id) = 0;
  // An unconsumed preorder (name or namespace) with this hash.
  virtual util::Result<std::optional<PreorderRecord>> GetPreorder(std::string_view preorder_hash) = 0;
  // Names whose owner script is `script_hex`, unrevoked or not, with their records.
  virtual util::Result<std::vector<NameRecord>> NamesOwnedBy(std::string_view script_hex) = 0;
  // The same names as NamesOwnedBy, summarised (cheaper: no record decoding).
  virtual util::Result<NameSummaries> NameSummariesOwnedBy(std::string_view script_hex) = 0;
  // Every value hash the name has had (its history), for ANNOUNCE.
  virtual util::Result<std::vector<std::string>> NameValueHashes(std::string_view fqn) = 0;
  // The consensus hash stored for a height, if that block was processed.
  virtual util::Result<std::optional<std::string>> ConsensusHashAt(uint32_t height) = 0;
};

}  // namespace blockstack::bns
