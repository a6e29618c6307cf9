// Script tokeniser, classifier, OP_RETURN extraction and address derivation.
#include <bitcoin/address.h>
#include <bitcoin/script.h>

#include <cstdlib>

using namespace blockstack;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  util::ByteView script(data, size);
  auto tokens = bitcoin::TokenizeScript(script);
  auto type = bitcoin::ClassifyScript(script);
  auto payload = bitcoin::OpReturnPayload(script);
  // A payload exists only for OP_RETURN + exactly one push, which must tokenise.
  if (payload) {
    if (type != bitcoin::ScriptType::NullData || !tokens || tokens->size() != 2) std::abort();
    if (payload->data() < data || payload->data() + payload->size() > data + size) std::abort();
  }
  auto addr = bitcoin::AddressFromScript(script, bitcoin::Params(bitcoin::Network::Mainnet));
  if (addr) {
    auto back = bitcoin::ScriptFromAddress(*addr, bitcoin::Params(bitcoin::Network::Mainnet));
    if (!back || util::Bytes(script.begin(), script.end()) != *back) std::abort();
  }
  return 0;
}
