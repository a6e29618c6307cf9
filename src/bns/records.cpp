#include <bns/records.h>

namespace blockstack::bns {

using virtualchain::Value;

Value Opt(const std::optional<std::string>& s) {
  if (!s) return virtualchain::None{};
  return *s;
}

NamespacePricing NamespaceRecord::Pricing() const {
  NamespacePricing p;
  p.coeff = coeff;
  p.base = base;
  p.buckets = buckets;
  p.nonalpha_discount = nonalpha_discount;
  p.no_vowel_discount = no_vowel_discount;
  p.version = version;
  return p;
}

std::vector<Value> NameRecordValues(const NameRecord& r) {
  return {r.name,
          Opt(r.value_hash),
          r.sender,
          Opt(r.sender_pubkey),
          r.address,
          int64_t{r.block_number},
          int64_t{r.preorder_block_number},
          int64_t{r.first_registered},
          int64_t{r.last_renewed},
          r.revoked,
          r.op,
          r.txid,
          int64_t{r.vtxindex},
          std::visit([](auto fee) { return Value(fee); }, r.op_fee),
          Opt(r.importer),
          Opt(r.importer_address)};
}

std::vector<Value> NamespaceValues(const NamespaceRecord& r, bool with_ready_block) {
  std::vector<int64_t> buckets(r.buckets.begin(), r.buckets.end());
  std::vector<Value> v{r.namespace_id,
                       r.preorder_hash,
                       int64_t{r.version},
                       r.sender,
                       Opt(r.sender_pubkey),
                       r.address,
                       r.recipient,
                       r.recipient_address,
                       int64_t{r.block_number},
                       int64_t{r.reveal_block},
                       r.op,
                       r.txid,
                       int64_t{r.vtxindex},
                       int64_t{r.lifetime},
                       int64_t{r.coeff},
                       int64_t{r.base},
                       buckets,
                       int64_t{r.nonalpha_discount},
                       int64_t{r.no_vowel_discount}};
  if (with_ready_block) v.emplace_back(int64_t{r.ready_block});
  return v;
}

}  // namespace blockstack::bns
