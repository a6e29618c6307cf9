// snaptamper: rewrites a snapshot with one deliberate change and a valid envelope
// (footer, checksum, counts), so the tests can check that a restore finds it.
//
// Usage: snaptamper IN OUT MODE [HEIGHT]
//   output-value HEIGHT    the first operation at HEIGHT pays 1 satoshi less change
//   drop-op HEIGHT         the first operation at HEIGHT is left out
//   consensus-hash HEIGHT  the recorded consensus hash at HEIGHT is changed
//   zonefile               one byte of the first zone file is changed (its key is kept)
//   foreign-zonefile       a zone file no name points at is added
#include <cstdio>
#include <cstdlib>
#include <string>

#include <bitcoin/tx.h>
#include <crypto/hash.h>
#include <snapshot/snapshot_file.h>

using namespace blockstack;

namespace {

int Die(const std::string& msg) {
  std::fprintf(stderr, "snaptamper: %s\n", msg.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) return Die("usage: snaptamper IN OUT MODE [HEIGHT]");
  const std::string mode = argv[3];
  const uint32_t at = argc > 4 ? static_cast<uint32_t>(std::strtoul(argv[4], nullptr, 10)) : 0;
  auto reader = snapshot::Reader::Open(argv[1]);
  if (!reader) return Die(reader.error().message);
  auto writer = snapshot::Writer::Create(argv[2], (*reader)->GetHeader());
  if (!writer) return Die(writer.error().message);
  bool changed = false;
  while (true) {
    auto rec = (*reader)->Next();
    if (!rec) return Die(rec.error().message);
    if (auto* b = std::get_if<snapshot::Block>(&*rec)) {
      if (b->height == at && !changed) {
        if (mode == "consensus-hash") {
          b->consensus_hash[0] = b->consensus_hash[0] == '0' ? '1' : '0';
          changed = true;
        } else if (!b->ops.empty() && mode == "drop-op") {
          b->ops.erase(b->ops.begin());
          changed = true;
        } else if (!b->ops.empty() && mode == "output-value") {
          auto tx = bitcoin::ParseTransaction(b->ops[0].raw_tx);
          if (!tx || tx->outputs.empty()) return Die("cannot parse the operation");
          tx->outputs.back().value -= 1;
          b->ops[0].raw_tx = bitcoin::SerializeTransaction(*tx, false);
          changed = true;
        }
      }
      if (auto st = (*writer)->AddBlock(*b); !st) return Die(st.error().message);
    } else if (auto* z = std::get_if<snapshot::Zonefile>(&*rec)) {
      if (mode == "zonefile" && !changed && !z->data.empty()) {
        z->data[z->data.size() / 2] ^= 0x20;
        changed = true;
      }
      if (mode == "foreign-zonefile" && !changed) {
        std::string foreign = "$ORIGIN nobody.id\n$TTL 3600\n";
        if (auto st = (*writer)->AddZonefile(crypto::Hash160Of(util::AsBytes(foreign)).Hex(), foreign); !st) {
          return Die(st.error().message);
        }
        changed = true;
      }
      if (auto st = (*writer)->AddZonefile(z->hash, z->data); !st) return Die(st.error().message);
    } else {
      break;
    }
  }
  if (!changed) return Die("nothing to change for " + mode);
  if (auto st = (*writer)->Finish(); !st) return Die(st.error().message);
  return 0;
}
