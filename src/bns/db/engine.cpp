#include <bns/db/engine.h>

#include <spdlog/spdlog.h>

#include <virtualchain/consensus.h>

namespace blockstack::bns::db {

util::Result<std::optional<util::Hash256>> Engine::StoredBlockHash(uint32_t height) {
  BS_TRY(auto snap, m_db.SnapshotAt(height));
  if (!snap) return std::optional<util::Hash256>{};
  auto h = util::Hash256::FromReversedHex(snap->block_hash);
  if (!h)
    return util::Fail(util::ErrorCode::Corruption, "stored block hash at " + std::to_string(height) + " is malformed");
  return std::optional<util::Hash256>(*h);
}

ops::OpTx Engine::MakeOpTx(uint32_t height, const virtualchain::FilteredTx& f) const {
  ops::OpTx tx;
  tx.block_height = height;
  tx.vtxindex = f.vtxindex;
  tx.txid = f.txid.ReversedHex();
  tx.opcode = f.opcode;
  tx.payload = f.payload;
  tx.outputs = f.tx.outputs;
  tx.sender = util::ToHex(f.senders[0].script_pubkey);
  tx.sender_address = f.senders[0].address.value_or("");
  tx.sender_type = f.senders[0].type;
  tx.sender_pubkey = f.sender_pubkey;
  return tx;
}

// 1. Parse; what does not parse is not an operation at all.
class Engine::Parsed final : public virtualchain::PreparedBlock {
 public:
  struct Op {
    std::size_t index;  // in the block's filtered transactions
    ops::OpTx tx;
    ops::ParsedOp op;
    std::string senders;  // the op log's [scriptPubKey, value] per input
  };
  std::size_t tx_count = 0;  // of the block it was made from
  std::vector<Op> ops;
};

std::unique_ptr<virtualchain::PreparedBlock> Engine::PrepareBlock(
    uint32_t height, const std::vector<virtualchain::FilteredTx>& txs) const {
  auto parsed = std::make_unique<Parsed>();
  parsed->tx_count = txs.size();
  for (std::size_t i = 0; i < txs.size(); ++i) {
    const auto& f = txs[i];
    ops::OpTx tx = MakeOpTx(height, f);
    auto op = ops::ParseOp(tx, m_rules);
    if (!op) continue;
    // [scriptPubKey, value] per input: type and address follow from the script.
    std::string senders = "[";
    for (std::size_t s = 0; s < f.senders.size(); ++s) {
      if (s > 0) senders += ",";
      senders += "[\"" + util::ToHex(f.senders[s].script_pubkey) + "\"," + std::to_string(f.senders[s].value) + "]";
    }
    parsed->ops.push_back({i, std::move(tx), std::move(*op), senders + "]"});
  }
  return parsed;
}

util::Status Engine::ProcessBlock(uint32_t height, const util::Hash256& hash,
                                  const std::vector<virtualchain::FilteredTx>& txs) {
  return ProcessPreparedBlock(height, hash, txs, PrepareBlock(height, txs));
}

util::Status Engine::ProcessPreparedBlock(uint32_t height, const util::Hash256& hash,
                                          const std::vector<virtualchain::FilteredTx>& txs,
                                          std::unique_ptr<virtualchain::PreparedBlock> prepared) {
  // What another engine prepared, for other transactions, or nothing, is prepared
  // again here.
  const auto* made = dynamic_cast<const Parsed*>(prepared.get());
  if (made == nullptr || made->tx_count != txs.size()) prepared = PrepareBlock(height, txs);
  auto& parsed = static_cast<Parsed&>(*prepared);
  BS_CHECK_OK(m_db.BeginBlock(height));
  m_committed = {.height = height, .reorganised = m_reorganised};
  auto st = ProcessBlockInTransaction(height, hash, txs, parsed);
  if (!st) {
    m_db.AbortBlock();
    return st;
  }
  m_reorganised = false;
  if (m_on_committed) m_on_committed(m_committed);
  return st;
}

util::Status Engine::UndoBlock(uint32_t height) {
  BS_CHECK_OK(m_db.UndoBlock(height));
  m_reorganised = true;
  return util::Ok();
}

util::Status Engine::ProcessBlockInTransaction(uint32_t height, const util::Hash256& hash,
                                               const std::vector<virtualchain::FilteredTx>& txs, Parsed& prepared) {
  auto& parsed = prepared.ops;

  // 2. Collision pre-pass: creations valid against the state before the block that
  // claim the same key are all rejected.
  ops::BlockContext block;
  block.keyrings = &m_keyrings;
  {
    // Only a key that two or more creations name can collide: the others need
    // no check here (the check in step 3 decides them).
    std::map<std::string, int> named;
    for (const auto& p : parsed) {
      if (auto key = ops::CreationKey(p.op)) ++named[*key];
    }
    std::map<std::string, int> claims;
    for (const auto& p : parsed) {
      auto key = ops::CreationKey(p.op);
      if (!key || named[*key] < 2) continue;
      ops::BlockContext scratch;
      scratch.keyrings = &m_keyrings;
      BS_TRY(ops::Outcome o, ops::CheckOp(p.op, p.tx, m_db, scratch, m_rules));
      if (o.accepted && ++claims[*key] == 2) block.collided.insert(*key);
    }
  }

  // 3. Check and commit in transaction order.
  std::vector<std::string> serialized;
  for (auto& p : parsed) {
    BS_TRY(ops::Outcome o, ops::CheckOp(p.op, p.tx, m_db, block, m_rules));
    const char* name = ops::OpName(p.op);
    db::OpRow row;
    row.block_id = height;
    row.vtxindex = p.tx.vtxindex;
    row.txid = p.tx.txid;
    row.opcode = name;
    row.accepted = o.accepted;
    row.reason = o.reason;
    const auto& f = txs[p.index];
    row.raw_tx = f.raw.empty() ? bitcoin::SerializeTransaction(f.tx, false) : f.raw;
    row.senders = std::move(p.senders);
    if (o.accepted) row.serialized = o.effect.serialized;
    BS_CHECK_OK(m_db.RecordOp(row));
    interfaces::OpOutcome outcome;
    outcome.opcode = name;
    outcome.accepted = o.accepted;
    outcome.vtxindex = p.tx.vtxindex;
    outcome.txid = p.tx.txid;
    outcome.reason = o.reason;
    if (!o.accepted) {
      spdlog::info("block {} tx {}: {} rejected: {}", height, p.tx.txid, name, o.reason);
      m_committed.ops.push_back(std::move(outcome));
      continue;
    }
    spdlog::debug("block {} tx {}: {} accepted", height, p.tx.txid, name);
    if (o.effect.announcement)
      spdlog::info("block {} tx {}: announcement {}", height, p.tx.txid, *o.effect.announcement);
    BS_CHECK_OK(m_db.Apply(o.effect));
    outcome.serialized = o.effect.serialized;
    m_committed.ops.push_back(std::move(outcome));
    if (!o.effect.serialized.empty()) serialized.push_back(std::move(o.effect.serialized));
  }

  // 4. Snapshot: ops hash and consensus hash.
  std::string ops_hash = virtualchain::OpsHash(serialized);
  std::vector<std::string> prev;
  for (uint32_t h : virtualchain::PreviousHashHeights(height, m_rules.first_block)) {
    BS_TRY(auto ch, m_db.ConsensusHashAt(h));
    if (!ch) return util::Fail(util::ErrorCode::Corruption, "no consensus hash stored for block " + std::to_string(h));
    prev.push_back(*ch);
  }
  db::Snapshot snap{height, hash.ReversedHex(), virtualchain::ConsensusHash(prev, ops_hash), ops_hash};
  // 5. Save.
  m_committed.consensus_hash = snap.consensus_hash;
  BS_CHECK_OK(m_db.EndBlock(snap));
  return util::Ok();
}

}  // namespace blockstack::bns::db
