// A JSON-RPC batch reply read without building JSON values for its results.
//
// A Bitcoin node answers a batch of getblock calls with megabytes of hex in JSON
// strings; parsing that as JSON copies every byte twice before it is decoded.
// SplitBatchReply finds each element's parts in place: a string result is a view
// of its text, the other values (error, id, a result that is no string) are small
// and parsed as JSON. It reads only plain JSON: a string with an escape, a control
// character or a byte above 0x7f, a key given twice, or anything it does not
// expect makes it decline (nullopt), and the caller parses the reply in full.
// Whenever it does not decline, the text is valid JSON and the parts are what a
// JSON parser finds (test/fuzz/batch_reply_fuzz.cpp checks this against
// nlohmann::json on arbitrary input).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace blockstack::bitcoin::rpc {

struct BatchReplyPart {
  bool is_object = false;                       // false: the element is not an object (a caller skips it)
  bool has_result = false;                      // the object has a "result" key
  std::optional<std::string_view> result_text;  // the result's characters when it is a string
  nlohmann::json result;                        // the result when it is not a string (null otherwise)
  nlohmann::json error;                         // "error", null when absent
  nlohmann::json id;                            // "id", null when absent
};

// The elements of a reply that is a JSON array, in order; nullopt when the text is
// not one or takes a form this does not read.
std::optional<std::vector<BatchReplyPart>> SplitBatchReply(std::string_view text);

}  // namespace blockstack::bitcoin::rpc
