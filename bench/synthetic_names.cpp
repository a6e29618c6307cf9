#include "synthetic_names.h"

#include <filesystem>

#include <bns/db/name_db.h>
#include <crypto/hash.h>

namespace blockstack::bench {

bns::ops::Rules SyntheticRules() {
  bns::ops::Rules rules;
  rules.network = bitcoin::Network::Regtest;
  rules.epochs = bns::EpochSchedule::Single(3);
  rules.first_block = 100;
  rules.test_mode = true;
  return rules;
}

util::Status WriteSyntheticNames(const std::string& db_path, uint32_t count,
                                 const std::function<std::string(uint32_t)>& value_hash) {
  std::filesystem::remove(db_path);
  {
    auto db = bns::db::NameDb::Open(db_path);
    if (!db) return util::Fail(db.error());
    const uint32_t per_block = 10000;
    uint32_t height = 100;
    for (uint32_t done = 0; done < count || height == 100; ++height) {
      if (auto st = (*db)->BeginBlock(height); !st) return util::Fail(st.error());
      if (height == 100) {
        bns::ops::Effect e;
        bns::NamespaceRecord ns;
        ns.namespace_id = "bench";
        ns.version = 1;
        ns.address = "mfWxJ45yp2SFn7UciZyNpvDKrzbhyfKrY8";
        ns.recipient_address = ns.address;
        ns.block_number = ns.reveal_block = ns.ready_block = 100;
        ns.op = "!";
        ns.lifetime = bns::NAMESPACE_LIFE_INFINITE;
        ns.coeff = 1;
        ns.base = 2;
        ns.buckets.fill(1);
        e.ns = ns;
        if (auto st = (*db)->Apply(e); !st) return util::Fail(st.error());
      }
      for (uint32_t i = 0; i < per_block && done < count; ++i, ++done) {
        bns::ops::Effect e;
        bns::NameRecord r;
        r.name = "n" + std::to_string(done) + ".bench";
        r.namespace_id = "bench";
        r.value_hash = value_hash(done);
        r.sender = "76a914" + std::string(40, 'a') + "88ac";
        r.address = "mfWxJ45yp2SFn7UciZyNpvDKrzbhyfKrY8";
        r.block_number = r.first_registered = r.last_renewed = height;
        r.namespace_block_number = 100;
        r.op = ":";
        r.txid = crypto::Sha256(util::AsBytes(r.name)).Hex();
        r.last_creation_op = "?";
        e.name = r;
        if (auto st = (*db)->Apply(e); !st) return util::Fail(st.error());
      }
      bns::db::Snapshot snap;
      snap.block_id = height;
      snap.block_hash = std::string(64, '0');
      snap.consensus_hash = crypto::Sha256(util::AsBytes(std::to_string(height))).Hex().substr(0, 32);
      snap.ops_hash = std::string(64, '0');
      if (auto st = (*db)->EndBlock(snap); !st) return util::Fail(st.error());
    }
  }
  return util::Ok();
}

util::Result<SyntheticApi> OpenSyntheticApi(const std::string& dir, uint32_t count) {
  const std::string db_path = dir + "/names.db";
  BS_CHECK_OK(WriteSyntheticNames(db_path, count, [](uint32_t i) {
    return crypto::Hash160Of(util::AsBytes("n" + std::to_string(i) + ".bench")).Hex();
  }));
  SyntheticApi out;
  BS_TRY(out.zonefiles, atlas::ZonefileStore::Open(dir + "/zonefiles.db"));
  api::ApiSettings settings;
  settings.db_path = db_path;
  settings.rules = SyntheticRules();
  BS_TRY(out.api, api::Api::Create(settings, *out.zonefiles));
  return out;
}

}  // namespace blockstack::bench
