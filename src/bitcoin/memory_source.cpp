#include <bitcoin/memory_source.h>

namespace blockstack::bitcoin {

void MemoryBlockSource::Add(Block b) {
  std::lock_guard lock(m_mutex);
  for (std::size_t i = 0; i < b.txids.size() && i < b.txs.size(); ++i) m_txs[b.txids[i]] = b.txs[i];
  Hash256 hash = b.hash;
  m_blocks.push_back({hash, std::move(b)});
}

void MemoryBlockSource::TruncateAbove(uint32_t height) {
  std::lock_guard lock(m_mutex);
  const std::size_t keep = height < m_first ? 0 : height + 1 - m_first;
  while (m_blocks.size() > keep) {
    if (const auto& block = m_blocks.back().block) {
      for (const auto& id : block->txids) m_txs.erase(id);
    }
    m_blocks.pop_back();
  }
}

void MemoryBlockSource::ForgetBlocksBelow(uint32_t height) {
  std::lock_guard lock(m_mutex);
  for (std::size_t i = 0; i < m_blocks.size() && m_first + i < height; ++i) m_blocks[i].block.reset();
}

std::size_t MemoryBlockSource::Size() const {
  std::lock_guard lock(m_mutex);
  return m_blocks.size();
}

uint64_t MemoryBlockSource::TransactionsFetched() const {
  std::lock_guard lock(m_mutex);
  return m_fetched;
}

util::Result<uint32_t> MemoryBlockSource::TipHeight() {
  std::lock_guard lock(m_mutex);
  if (m_blocks.empty()) return util::Fail(util::ErrorCode::NotFound, "no blocks yet");
  return m_first + static_cast<uint32_t>(m_blocks.size()) - 1;
}

util::Result<Hash256> MemoryBlockSource::BlockHash(uint32_t height) {
  std::lock_guard lock(m_mutex);
  if (height < m_first || height - m_first >= m_blocks.size()) {
    return util::Fail(util::ErrorCode::NotFound, "no block at height " + std::to_string(height));
  }
  return m_blocks[height - m_first].hash;
}

util::Result<Block> MemoryBlockSource::GetBlock(uint32_t height) {
  std::lock_guard lock(m_mutex);
  if (height < m_first || height - m_first >= m_blocks.size() || !m_blocks[height - m_first].block) {
    return util::Fail(util::ErrorCode::NotFound, "no block at height " + std::to_string(height));
  }
  return *m_blocks[height - m_first].block;
}

util::Result<std::vector<Transaction>> MemoryBlockSource::GetTransactions(std::span<const Hash256> txids) {
  std::lock_guard lock(m_mutex);
  std::vector<Transaction> out;
  out.reserve(txids.size());
  for (const auto& id : txids) {
    ++m_fetched;
    auto it = m_txs.find(id);
    if (it == m_txs.end()) return util::Fail(util::ErrorCode::NotFound, "no transaction " + id.ReversedHex());
    out.push_back(it->second);
  }
  return out;
}

}  // namespace blockstack::bitcoin
