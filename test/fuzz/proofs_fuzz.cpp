// What a node answers for verifiable lookups, as any bytes: the readers refuse
// or read it; what they read is written back and read again to the same thing;
// the verifiers run on it (against its own anchor and root) and never crash.
#include <proofs/bundle.h>
#include <proofs/verify.h>

#include <cstdlib>
#include <string_view>

using namespace blockstack::proofs;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)ParseSerializedOp(text);
  (void)RecordOfOp(text);
  if (auto bundle = ParseHistoryBundle(text)) {
    auto again = ParseHistoryBundle(ToJson(*bundle));
    if (!again || ToJson(*again) != ToJson(*bundle)) std::abort();
    (void)VerifyHistory(*bundle, bundle->anchor_consensus_hash);
  }
  if (auto sub = ParseSubdomainBundle(text)) {
    auto again = ParseSubdomainBundle(ToJson(*sub));
    if (!again || ToJson(*again) != ToJson(*sub)) std::abort();
    if (auto page = VerifySubdomainPage(*sub, sub->domain.history.anchor_consensus_hash)) {
      (void)ReplaySubdomain(sub->subdomain, sub->first_block, page->slots);
    }
  }
  if (auto state = ParseStateAnswer(text)) {
    auto again = ParseStateAnswer(ToJson(*state));
    if (!again || again->proof != state->proof || again->root != state->root) std::abort();
    (void)VerifyState(*state, state->root);
  }
  if (auto root = ParseRootAnswer(text)) {
    auto again = ParseRootAnswer(ToJson(*root));
    if (!again || again->root != root->root || again->height != root->height) std::abort();
  }
  return 0;
}
