// Stored records and op logs read back from the name database's file: any bytes
// decode to a record or fail with an error, never a crash; what decodes encodes
// back to bytes that decode to the same record, and renders to JSON.
#include <bns/records_codec.h>
#include <bns/records_json.h>

#include <cmath>
#include <cstdlib>
#include <string_view>

using namespace blockstack;

namespace {

bool HasNan(const bns::NameRecord& r) {
  const auto* d = std::get_if<double>(&r.op_fee);
  return d != nullptr && std::isnan(*d);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view stored(reinterpret_cast<const char*>(data), size);
  (void)bns::StoredRecordJson(stored);
  (void)bns::DecodeNamespaceRecord(stored);
  if (auto name = bns::DecodeNameRecord(stored)) {
    auto again = bns::DecodeNameRecord(bns::EncodeNameRecord(*name));
    if (!again || (!HasNan(*name) && *again != *name)) std::abort();
    (void)bns::NameRecordJsonText(*name);
  }
  if (auto preorder = bns::DecodePreorderRecord(stored)) {
    auto again = bns::DecodePreorderRecord(bns::EncodePreorderRecord(*preorder));
    if (!again || *again != *preorder) std::abort();
    (void)bns::PreorderRecordJsonText(*preorder);
  }
  if (auto ops = bns::DecodeOpLog(stored, 7)) {
    auto again = bns::DecodeOpLog(bns::EncodeOpLog(*ops), 7);
    if (!again || *again != *ops) std::abort();
  }
  return 0;
}
