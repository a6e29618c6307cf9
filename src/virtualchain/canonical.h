// The canonical serialisation of accepted operations that feeds the consensus
// hash (spec bns.md §4.1): Python 2 str() of each field value, length-prefixed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace blockstack::virtualchain {

struct None {
  bool operator==(const None&) const = default;
};

// A dynamically typed field value as the reference implementation held it.
using Value = std::variant<None, bool, int64_t, double, std::string, std::vector<int64_t>>;

// Python 2 str(): None -> "", True/False, decimal ints, floats with 12 significant
// digits and ".0" added to integral ones ("100000.0", "1e+16"), lists as "[1, 2]".
std::string Py2Str(const Value& v);
std::string Py2FloatStr(double d);

// "<opcode>:len:value,len:value,..." over the values in field order.
std::string SerializeOp(char opcode, const std::vector<Value>& values);

}  // namespace blockstack::virtualchain
