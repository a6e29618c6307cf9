// A peer's answer to a zone-file request, in binary frames: any bytes give either
// an error or only files that were asked for and hash to their keys; frames built
// from files read back to exactly those files.
#include <atlas/frames.h>
#include <util/bytes.h>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

using namespace blockstack;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);

  // 1. The input as an answer (asking for the hashes where frames would begin, at
  // most 100, a request's limit). What is kept was asked for and hashes to its key.
  std::vector<std::string> asked;
  for (std::size_t at = 0; at + 24 <= input.size() && asked.size() < 100; at += 24) {
    asked.push_back(util::ToHex(util::AsBytes(input.substr(at, 20))));
  }
  if (auto got = atlas::ParseZonefileFrames(input, asked, "fuzz")) {
    for (const auto& [hash, bytes] : got->files) {
      if (atlas::ZonefileHash(bytes) != hash || bytes.size() > atlas::MAX_ZONEFILE_BYTES) std::abort();
      if (std::find(asked.begin(), asked.end(), hash) == asked.end()) std::abort();
    }
  }

  // 2. The input cut into files at each 0xff byte: framed and read back whole.
  std::vector<std::string> files;
  std::size_t from = 0;
  for (std::size_t i = 0; i <= input.size(); ++i) {
    if (i == input.size() || input[i] == '\xff') {
      if (i - from <= atlas::MAX_ZONEFILE_BYTES) files.emplace_back(input.substr(from, i - from));
      from = i + 1;
    }
  }
  std::string body;
  std::vector<std::string> hashes;
  std::set<std::string> unique;
  for (const auto& f : files) {
    hashes.push_back(atlas::ZonefileHash(f));
    unique.insert(hashes.back());
    atlas::AppendZonefileFrame(body, hashes.back(), f);
  }
  auto back = atlas::ParseZonefileFrames(body, hashes, "fuzz");
  if (!back || back->files.size() != unique.size() || back->bad != files.size() - unique.size()) std::abort();
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (back->files.at(hashes[i]) != files[i]) std::abort();
  }
  // Cut anywhere inside, the answer is refused, never misread.
  if (!body.empty()) {
    auto cut = atlas::ParseZonefileFrames(std::string_view(body).substr(0, body.size() - 1), hashes, "fuzz");
    if (cut) std::abort();
  }
  return 0;
}
