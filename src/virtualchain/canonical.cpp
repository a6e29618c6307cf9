#include <virtualchain/canonical.h>

#include <cassert>
#include <charconv>
#include <cmath>

namespace blockstack::virtualchain {

std::string Py2FloatStr(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  // to_chars is printf's %.12g in the "C" locale whatever the process's locale:
  // a decimal comma would change every ops hash that holds a float.
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::general, 12);
  assert(ec == std::errc());
  std::string s(buf, end);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

std::string Py2Str(const Value& v) {
  struct Visitor {
    std::string operator()(const None&) const { return ""; }
    std::string operator()(bool b) const { return b ? "True" : "False"; }
    std::string operator()(int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const { return Py2FloatStr(d); }
    std::string operator()(const std::string& s) const { return s; }
    std::string operator()(const std::vector<int64_t>& l) const {
      std::string out = "[";
      for (std::size_t i = 0; i < l.size(); ++i) {
        if (i > 0) out += ", ";
        out += std::to_string(l[i]);
      }
      return out + "]";
    }
  };
  return std::visit(Visitor{}, v);
}

std::string SerializeOp(char opcode, const std::vector<Value>& values) {
  std::string out(1, opcode);
  out += ':';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    std::string s = Py2Str(values[i]);
    out += std::to_string(s.size());
    out += ':';
    out += s;
  }
  return out;
}

}  // namespace blockstack::virtualchain
