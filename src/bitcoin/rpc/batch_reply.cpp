#include <bitcoin/rpc/batch_reply.h>

#include <cctype>

namespace blockstack::bitcoin::rpc {
namespace {

constexpr int MAX_DEPTH = 64;

class Scanner {
 public:
  explicit Scanner(std::string_view text) : m_text(text) {}

  std::optional<std::vector<BatchReplyPart>> Array() {
    std::vector<BatchReplyPart> out;
    SkipBlanks();
    if (!Take('[')) return std::nullopt;
    SkipBlanks();
    if (!Take(']')) {
      for (;;) {
        SkipBlanks();
        auto part = Element();
        if (!part) return std::nullopt;
        out.push_back(std::move(*part));
        SkipBlanks();
        if (Take(']')) break;
        if (!Take(',')) return std::nullopt;
      }
    }
    SkipBlanks();
    if (m_pos != m_text.size()) return std::nullopt;
    return out;
  }

 private:
  bool AtEnd() const { return m_pos >= m_text.size(); }
  char Peek() const { return m_text[m_pos]; }
  bool Take(char c) {
    if (AtEnd() || Peek() != c) return false;
    ++m_pos;
    return true;
  }
  void SkipBlanks() {
    while (!AtEnd() && (Peek() == ' ' || Peek() == '\t' || Peek() == '\n' || Peek() == '\r')) ++m_pos;
  }

  // A string in plain form: printable ASCII, no escape. Returns its characters.
  std::optional<std::string_view> String() {
    if (!Take('"')) return std::nullopt;
    const std::size_t start = m_pos;
    const auto* p = reinterpret_cast<const unsigned char*>(m_text.data());
    for (std::size_t i = start; i < m_text.size(); ++i) {
      const unsigned char c = p[i];
      if (c == '"') {
        m_pos = i + 1;
        return m_text.substr(start, i - start);
      }
      if (c == '\\' || c < 0x20 || c >= 0x80) return std::nullopt;
    }
    return std::nullopt;
  }

  // Skips any value (strings in plain form only); false when it is malformed.
  bool Skip(int depth) {
    if (AtEnd() || depth > MAX_DEPTH) return false;
    const char c = Peek();
    if (c == '"') return String().has_value();
    if (c == '{' || c == '[') {
      const char close = c == '{' ? '}' : ']';
      ++m_pos;
      SkipBlanks();
      if (Take(close)) return true;
      for (;;) {
        SkipBlanks();
        if (c == '{') {
          if (!String()) return false;
          SkipBlanks();
          if (!Take(':')) return false;
          SkipBlanks();
        }
        if (!Skip(depth + 1)) return false;
        SkipBlanks();
        if (Take(close)) return true;
        if (!Take(',')) return false;
      }
    }
    // A number or a literal: the characters they are made of (checked when parsed;
    // nothing else, since a JSON parser stops at a NUL byte as at the end).
    const std::size_t start = m_pos;
    while (!AtEnd() &&
           (std::isalnum(static_cast<unsigned char>(Peek())) || Peek() == '+' || Peek() == '-' || Peek() == '.')) {
      ++m_pos;
    }
    return m_pos > start;
  }

  // A value other than a plain string, parsed as JSON.
  std::optional<nlohmann::json> Value() {
    const std::size_t start = m_pos;
    if (!Skip(0)) return std::nullopt;
    auto v = nlohmann::json::parse(m_text.substr(start, m_pos - start), nullptr, false);
    if (v.is_discarded()) return std::nullopt;
    return v;
  }

  std::optional<BatchReplyPart> Element() {
    BatchReplyPart part;
    if (AtEnd()) return std::nullopt;
    if (Peek() != '{') {
      // Not an object: kept as a placeholder, its text checked.
      if (!Value()) return std::nullopt;
      return part;
    }
    part.is_object = true;
    ++m_pos;
    SkipBlanks();
    if (Take('}')) return part;
    bool seen_result = false, seen_error = false, seen_id = false;
    for (;;) {
      SkipBlanks();
      auto key = String();
      if (!key) return std::nullopt;
      SkipBlanks();
      if (!Take(':')) return std::nullopt;
      SkipBlanks();
      if (AtEnd()) return std::nullopt;
      if (*key == "result") {
        if (seen_result) return std::nullopt;
        seen_result = part.has_result = true;
        if (Peek() == '"') {
          part.result_text = String();
          if (!part.result_text) return std::nullopt;
        } else {
          auto v = Value();
          if (!v) return std::nullopt;
          part.result = std::move(*v);
        }
      } else {
        bool* seen = *key == "error" ? &seen_error : *key == "id" ? &seen_id : nullptr;
        if (seen && *seen) return std::nullopt;
        std::optional<nlohmann::json> v;
        if (Peek() == '"') {
          auto s = String();
          if (s) v = nlohmann::json(std::string(*s));
        } else {
          v = Value();
        }
        if (!v) return std::nullopt;
        // Keys other than these three are checked and ignored, as by the JSON path.
        if (seen) {
          *seen = true;
          (*key == "error" ? part.error : part.id) = std::move(*v);
        }
      }
      SkipBlanks();
      if (Take('}')) return part;
      if (!Take(',')) return std::nullopt;
    }
  }

  std::string_view m_text;
  std::size_t m_pos = 0;
};

}  // namespace

std::optional<std::vector<BatchReplyPart>> SplitBatchReply(std::string_view text) { return Scanner(text).Array(); }

}  // namespace blockstack::bitcoin::rpc
