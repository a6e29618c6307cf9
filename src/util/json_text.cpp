#include <util/json_text.h>

#include <cstdio>

namespace blockstack::util {

JsonText& JsonText::Key(std::string_view key) {
  m_out += m_first ? "{\"" : ",\"";
  m_first = false;
  m_out += key;
  m_out += "\":";
  return *this;
}

JsonText& JsonText::String(std::string_view v) {
  m_out += '"';
  // Plain characters are copied in runs; only quotes, backslashes and control
  // characters are written one at a time.
  std::size_t run = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const auto c = static_cast<unsigned char>(v[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    m_out.append(v.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': m_out += "\\\""; break;
      case '\\': m_out += "\\\\"; break;
      case '\b': m_out += "\\b"; break;
      case '\f': m_out += "\\f"; break;
      case '\n': m_out += "\\n"; break;
      case '\r': m_out += "\\r"; break;
      case '\t': m_out += "\\t"; break;
      default: {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
        m_out += buf;
      }
    }
  }
  m_out.append(v.data() + run, v.size() - run);
  m_out += '"';
  return *this;
}

JsonText& JsonText::Optional(const std::optional<std::string>& v) { return v ? String(*v) : Null(); }

JsonText& JsonText::Number(uint64_t v) {
  m_out += std::to_string(v);
  return *this;
}

JsonText& JsonText::Signed(int64_t v) {
  m_out += std::to_string(v);
  return *this;
}

JsonText& JsonText::Bool(bool v) {
  m_out += v ? "true" : "false";
  return *this;
}

JsonText& JsonText::Null() {
  m_out += "null";
  return *this;
}

JsonText& JsonText::Raw(std::string_view json) {
  m_out += json;
  return *this;
}

std::string JsonText::Finish() && {
  m_out += m_first ? "{}" : "}";
  return std::move(m_out);
}

std::size_t Utf8SequenceLength(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t n = 0;
  uint32_t cp = 0;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;  // cut short
  for (std::size_t k = 1; k < n; ++k) {
    const auto d = static_cast<unsigned char>(s[i + k]);
    if ((d & 0xC0) != 0x80) return 0;
    cp = cp << 6 | (d & 0x3F);
  }
  // Overlong forms, surrogates and code points past U+10FFFF.
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return n;
}

bool IsValidUtf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = Utf8SequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

}  // namespace blockstack::util
