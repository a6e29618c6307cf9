// Synthetic name databases for the benchmarks: namespace "bench" (ready at block
// 100, names never expire) holding names n0.bench ... n{count-1}.bench, written
// 10,000 per block with a snapshot per block, as the indexer would.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <memory>

#include <api/api.h>
#include <atlas/zonefile_store.h>
#include <bns/ops/op.h>
#include <util/result.h>

namespace blockstack::bench {

// Writes a fresh database at path (removing any old one); value_hash(i) gives name
// i's zone-file hash (hex).
util::Status WriteSyntheticNames(const std::string& path, uint32_t count,
                                 const std::function<std::string(uint32_t)>& value_hash);

// The rules such a database is read under: regtest, epoch 3 throughout, first
// block 100.
bns::ops::Rules SyntheticRules();

// The REST API over a fresh database of count names in dir (names.db, each name's
// zone-file hash that of its own name, and an empty zonefiles.db).
struct SyntheticApi {
  std::unique_ptr<atlas::ZonefileStore> zonefiles;
  std::unique_ptr<api::Api> api;
};
util::Result<SyntheticApi> OpenSyntheticApi(const std::string& dir, uint32_t count);

}  // namespace blockstack::bench
