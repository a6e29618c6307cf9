#include <virtualchain/scanner.h>

#include <spdlog/spdlog.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string_view>
#include <thread>
#include <unordered_map>

namespace blockstack::virtualchain {
util::Result<std::vector<FilteredTx>> Scanner::Filter(const bitcoin::Block& block) {
  std::vector<FilteredTx> kept;
  for (std::size_t i = 0; i < block.txs.size(); ++i) {
    const auto& tx = block.txs[i];
    if (tx.IsCoinbase()) continue;  // a coinbase input has no sender
    auto payload = BlockstackPayload(tx, m_options.magic);
    if (!payload) continue;
    FilteredTx f;
    f.vtxindex = static_cast<uint32_t>(i);
    f.txid = block.txids[i];
    f.tx = tx;
    f.raw = bitcoin::SerializeTransaction(tx, false);
    f.opcode = static_cast<char>((*payload)[0]);
    f.payload.assign(payload->begin() + 1, payload->end());
    kept.push_back(std::move(f));
  }
  if (kept.empty()) return kept;
  // The funding transactions' outputs: from the cache, else fetched in one batch
  // (each distinct txid once).
  std::unordered_map<util::Hash256, Outputs> funders;
  std::vector<util::Hash256> missing;
  for (const auto& f : kept) {
    for (const auto& in : f.tx.inputs) {
      const auto& id = in.prevout.txid;
      if (funders.contains(id)) continue;
      auto cached = m_funders.Get(id);
      if (!cached) missing.push_back(id);
      funders.emplace(id, cached ? *cached : nullptr);
    }
  }
  if (!missing.empty()) {
    BS_TRY(std::vector<bitcoin::Transaction> fetched, m_source.GetTransactions(missing));
    if (fetched.size() != missing.size()) {
      return util::Fail(util::ErrorCode::Corruption, "the block source returned " + std::to_string(fetched.size()) +
                                                         " of " + std::to_string(missing.size()) + " transactions");
    }
    for (std::size_t i = 0; i < missing.size(); ++i) {
      auto outputs = std::make_shared<const std::vector<bitcoin::TxOut>>(std::move(fetched[i].outputs));
      m_funders.Put(missing[i], outputs);
      funders[missing[i]] = std::move(outputs);
    }
  }
  std::vector<FilteredTx> out;
  for (auto& f : kept) {
    for (const auto& in : f.tx.inputs) {
      const auto& outputs = *funders.at(in.prevout.txid);
      if (in.prevout.index >= outputs.size()) {
        return util::Fail(util::ErrorCode::Corruption, "transaction " + f.txid.ReversedHex() +
                                                           " spends a missing output of " +
                                                           in.prevout.txid.ReversedHex());
      }
      const auto& spent = outputs[in.prevout.index];
      f.senders.push_back(SenderOf(spent.script_pubkey, spent.value, m_options.network));
    }
    if (CompleteFilteredTx(f)) out.push_back(std::move(f));
  }
  return out;
}

util::Status Scanner::Reconcile() {
  while (true) {
    BS_TRY(auto last, m_engine.LastBlock());
    if (!last) return util::Ok();
    BS_TRY(auto stored, m_engine.StoredBlockHash(*last));
    auto actual = m_source.BlockHash(*last);
    if (!actual && actual.error().code != util::ErrorCode::NotFound) return util::Fail(actual.error());
    if (actual && stored && *actual == *stored) return util::Ok();
    spdlog::warn("block {} is no longer on the best chain: undoing it", *last);
    BS_CHECK_OK(m_engine.UndoBlock(*last));
  }
}

// Fetches, filters and prepares (StateEngine::PrepareBlock) blocks [first, last]
// on a thread of its own, in order, at most prefetch_blocks ahead of the
// consumer. Only this thread uses the block source and the funding cache while it
// runs; the scanner touches them again only after the destructor has joined it. A
// failure ends the stream: Next() returns it once the blocks before it are taken.
class Scanner::Prefetch {
 public:
  struct Scanned {
    uint32_t height = 0;
    util::Hash256 hash;
    util::Hash256 prev_hash;
    std::vector<FilteredTx> txs;
    std::unique_ptr<PreparedBlock> prepared;
  };

  Prefetch(Scanner& scanner, uint32_t first, uint32_t last)
      : m_scanner(scanner), m_last(last), m_thread([this, first] { Run(first); }) {}

  ~Prefetch() {
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      m_cancel = true;
    }
    m_space.notify_all();
    m_thread.join();
  }

  Prefetch(const Prefetch&) = delete;
  Prefetch& operator=(const Prefetch&) = delete;

  util::Result<Scanned> Next() {
    std::unique_lock<std::mutex> lock(m_mutex);
    m_ready.wait(lock, [this] { return !m_queue.empty(); });
    util::Result<Scanned> r = std::move(m_queue.front());
    m_queue.pop_front();
    lock.unlock();
    m_space.notify_one();
    return r;
  }

 private:
  // False when cancelled while waiting for room.
  bool Push(util::Result<Scanned> item) {
    std::unique_lock<std::mutex> lock(m_mutex);
    const std::size_t room = std::max<uint32_t>(m_scanner.m_options.prefetch_blocks, 1);
    m_space.wait(lock, [&] { return m_cancel || m_queue.size() < room; });
    if (m_cancel) return false;
    m_queue.push_back(std::move(item));
    lock.unlock();
    m_ready.notify_one();
    return true;
  }

  void Run(uint32_t next) {
    const uint32_t batch = std::max<uint32_t>(m_scanner.m_options.batch_blocks, 1);
    while (next <= m_last) {
      {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (m_cancel) return;
      }
      const uint32_t count = std::min(batch, m_last - next + 1);
      auto blocks = m_scanner.m_source.GetBlocks(next, count);
      if (!blocks) {
        Push(util::Fail(blocks.error()));
        return;
      }
      if (blocks->size() != count) {
        Push(util::Fail(util::ErrorCode::Corruption, "the block source returned " + std::to_string(blocks->size()) +
                                                         " of " + std::to_string(count) + " blocks"));
        return;
      }
      for (auto& block : *blocks) {
        auto txs = m_scanner.Filter(block);
        if (!txs) {
          Push(util::Fail(txs.error()));
          return;
        }
        auto prepared = m_scanner.m_engine.PrepareBlock(next, *txs);
        if (!Push(Scanned{next, block.hash, block.header.prev_hash, std::move(*txs), std::move(prepared)})) return;
        ++next;
      }
    }
  }

  Scanner& m_scanner;
  const uint32_t m_last;
  std::mutex m_mutex;
  std::condition_variable m_ready;  // the queue has an item
  std::condition_variable m_space;  // the queue has room, or cancelled
  std::deque<util::Result<Scanned>> m_queue;
  bool m_cancel = false;
  std::thread m_thread;  // last: started once the members it uses exist
};

util::Result<std::optional<uint32_t>> Scanner::CatchUp(const std::atomic<bool>& stop, const ProgressFn& progress) {
  BS_CHECK_OK(Reconcile());
  const auto start = std::chrono::steady_clock::now();
  ScanProgress p;
  while (!stop) {
    BS_TRY(auto last, m_engine.LastBlock());
    BS_TRY(uint32_t tip, m_source.TipHeight());
    if (tip < m_options.confirmations) return last;
    const uint32_t target = tip - m_options.confirmations;
    uint32_t next = last ? *last + 1 : m_options.first_block;
    if (next > target) {
      BS_CHECK_OK(m_engine.SetCatchingUp(false));
      return last;
    }
    if (target - next >= m_options.catch_up_blocks) BS_CHECK_OK(m_engine.SetCatchingUp(true));
    BS_CHECK_OK(m_engine.SetTarget(target));
    bool reorganised = false;
    {
      Prefetch ahead(*this, next, target);
      for (; next <= target && !stop; ++next) {
        BS_TRY(auto block, ahead.Next());
        if (next > m_options.first_block) {
          BS_TRY(auto parent, m_engine.StoredBlockHash(next - 1));
          if (parent && *parent != block.prev_hash) {
            spdlog::warn("block {} does not extend block {}: the chain reorganised", next, next - 1);
            reorganised = true;
            break;
          }
        }
        BS_CHECK_OK(m_engine.ProcessPreparedBlock(next, block.hash, block.txs, std::move(block.prepared)));
        p.height = next;
        p.target = target;
        p.blocks += 1;
        p.ops += block.txs.size();
        p.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (progress) progress(p);
      }
    }
    // The prefetch thread has stopped: the source is the scanner's again.
    if (reorganised) BS_CHECK_OK(Reconcile());
  }
  return m_engine.LastBlock();
}

}  // namespace blockstack::virtualchain
