// The explorer's stylesheet and script, built into the binary (the script is
// bundled from web/explorer/ with its libraries at build time; nothing is
// fetched at run time).
#pragma once

#include <optional>
#include <string_view>

namespace blockstack::explorer {

struct Asset {
  std::string_view body;
  std::string_view content_type;
};

// The asset called file ("explorer.js", "explorer.css"); nullopt for any other.
std::optional<Asset> FindAsset(std::string_view file);

}  // namespace blockstack::explorer
