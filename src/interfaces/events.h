// The two events of a running node, and what each carries. The node (node/node.h)
// fans each one out to every part that subscribed, in the order they subscribed,
// on the thread that produced it: a consumer must be quick and thread-safe, and
// must not call back into the producer.
//
//   BlockCommitted   the indexer committed one block (its transaction is durable
//                    and readers opened after this see it). Produced by the
//                    indexing thread, once per block, in height order.
//   ZonefileStored   a zone file was newly written to the node's store, whoever
//                    stored it (Atlas from a peer, a POST to the API, a fill from
//                    the DHT or a mirror). Produced on the thread that stored it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace blockstack::interfaces {

struct OpOutcome {
  std::string opcode{};  // e.g. "NAME_REGISTRATION"
  bool accepted = false;
  uint32_t vtxindex = 0;
  std::string txid{};        // display hex
  std::string reason{};      // why it was rejected; "" when accepted
  std::string serialized{};  // its canonical serialisation in the ops hash; "" when rejected
};

struct BlockCommitted {
  uint32_t height = 0;
  std::string consensus_hash{};  // hex; "" when the producer does not know it (tests)
  // Blocks were taken back (a reorganisation) since the last block committed.
  bool reorganised = false;
  // The block's operations in transaction order, accepted or not.
  std::vector<OpOutcome> ops{};
};

struct ZonefileStored {
  std::string hash{};  // hash160, 40 lowercase hex
};

}  // namespace blockstack::interfaces
