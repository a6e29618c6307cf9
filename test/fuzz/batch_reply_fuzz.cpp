// A Bitcoin node's batch reply as any bytes: whenever SplitBatchReply reads it,
// the text is valid JSON and each part is what nlohmann::json finds in it (the
// reader may decline where JSON is valid, never the other way round).
#include <bitcoin/rpc/batch_reply.h>

#include <cstdlib>
#include <string_view>

using blockstack::bitcoin::rpc::SplitBatchReply;
using nlohmann::json;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parts = SplitBatchReply(text);
  if (!parts) return 0;
  json whole = json::parse(text, nullptr, false);
  if (whole.is_discarded() || !whole.is_array() || whole.size() != parts->size()) std::abort();
  for (std::size_t i = 0; i < parts->size(); ++i) {
    const auto& part = (*parts)[i];
    const json& item = whole[i];
    if (part.is_object != item.is_object()) std::abort();
    if (!item.is_object()) continue;
    if (part.has_result != item.contains("result")) std::abort();
    if (part.has_result) {
      const json& result = item["result"];
      if (part.result_text.has_value() != result.is_string()) std::abort();
      if (part.result_text ? *part.result_text != result.get<std::string>() : part.result != result) std::abort();
    }
    if (part.error != (item.contains("error") ? item["error"] : json())) std::abort();
    if (part.id != (item.contains("id") ? item["id"] : json())) std::abort();
  }
  return 0;
}
