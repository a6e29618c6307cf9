// JSON text written directly, byte for byte as nlohmann's dump() writes it (its
// escapes, UTF-8 kept, no spaces), for answers and records built on hot paths
// where building a json value first costs more than the rest of the work.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace blockstack::util {

// One JSON object; keys are written in the order given.
class JsonText {
 public:
  explicit JsonText(std::size_t reserve = 0) { m_out.reserve(reserve); }

  JsonText& Key(std::string_view key);
  JsonText& String(std::string_view v);
  JsonText& Optional(const std::optional<std::string>& v);
  JsonText& Number(uint64_t v);
  JsonText& Signed(int64_t v);
  JsonText& Bool(bool v);
  JsonText& Null();
  // Text that is already JSON.
  JsonText& Raw(std::string_view json);
  std::string Finish() &&;

 private:
  std::string m_out;
  bool m_first = true;
};

// Whether `s` is valid UTF-8 (what nlohmann's dump() accepts without throwing).
bool IsValidUtf8(std::string_view s);
// The length of the UTF-8 sequence starting at s[i] (i < s.size()): 1 to 4, or 0
// when it is not a valid one (cut short, overlong, a surrogate, past U+10FFFF).
std::size_t Utf8SequenceLength(std::string_view s, std::size_t i);

}  // namespace blockstack::util
