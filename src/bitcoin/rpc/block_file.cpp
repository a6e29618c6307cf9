#include <bitcoin/rpc/block_file.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

namespace blockstack::bitcoin::rpc {
namespace {

uint64_t Key(const Hash256& txid) {
  uint64_t k = 0;
  std::memcpy(&k, txid.data.data(), sizeof(k));
  return k;
}

using util::ErrorCode;
using util::Fail;

constexpr char MAGIC[8] = {'B', 'S', 'B', 'L', 'O', 'C', 'K', 'S'};
constexpr uint32_t FORMAT_VERSION = 1;
constexpr std::size_t FILE_HEADER_SIZE = 16;

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

}  // namespace

util::Result<BlockFileWriter> BlockFileWriter::Create(const std::string& path, uint32_t first_height) {
  BlockFileWriter w;
  w.m_path = path;
  w.m_file = std::fopen(path.c_str(), "wb");
  if (w.m_file == nullptr) return Fail(ErrorCode::IoError, Errno("cannot create " + path));
  util::ByteWriter hdr;
  hdr.Append(util::AsBytes(std::string_view(MAGIC, 8)));
  hdr.U32LE(FORMAT_VERSION);
  hdr.U32LE(first_height);
  if (std::fwrite(hdr.Data().data(), 1, hdr.Size(), w.m_file) != hdr.Size()) {
    return Fail(ErrorCode::IoError, Errno("cannot write " + path));
  }
  w.m_bytes = hdr.Size();
  return w;
}

BlockFileWriter::BlockFileWriter(BlockFileWriter&& o) noexcept
    : m_file(std::exchange(o.m_file, nullptr)), m_path(std::move(o.m_path)), m_bytes(o.m_bytes) {}

BlockFileWriter& BlockFileWriter::operator=(BlockFileWriter&& o) noexcept {
  if (this != &o) {
    if (m_file != nullptr) std::fclose(m_file);
    m_file = std::exchange(o.m_file, nullptr);
    m_path = std::move(o.m_path);
    m_bytes = o.m_bytes;
  }
  return *this;
}

BlockFileWriter::~BlockFileWriter() {
  if (m_file != nullptr) std::fclose(m_file);
}

util::Status BlockFileWriter::Append(ByteView raw_block) {
  if (m_file == nullptr) return Fail(ErrorCode::IoError, "block file " + m_path + " is closed");
  if (raw_block.size() > MAX_RAW_BLOCK_SIZE) return Fail(ErrorCode::TooLarge, "block too large for a block file");
  util::ByteWriter len;
  len.U32LE(static_cast<uint32_t>(raw_block.size()));
  if (std::fwrite(len.Data().data(), 1, 4, m_file) != 4 ||
      std::fwrite(raw_block.data(), 1, raw_block.size(), m_file) != raw_block.size()) {
    return Fail(ErrorCode::IoError, Errno("cannot write " + m_path));
  }
  m_bytes += 4 + raw_block.size();
  return util::Ok();
}

util::Status BlockFileWriter::Close() {
  if (m_file == nullptr) return util::Ok();
  int rc = std::fclose(m_file);
  m_file = nullptr;
  if (rc != 0) return Fail(ErrorCode::IoError, Errno("cannot close " + m_path));
  return util::Ok();
}

util::Result<std::unique_ptr<BlockFileSource>> BlockFileSource::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Fail(ErrorCode::IoError, Errno("cannot open block file " + path));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return Fail(ErrorCode::IoError, Errno("cannot stat " + path));
  }
  std::unique_ptr<BlockFileSource> src(new BlockFileSource());
  src->m_map_size = static_cast<std::size_t>(st.st_size);
  if (src->m_map_size < FILE_HEADER_SIZE) {
    ::close(fd);
    return Fail(ErrorCode::Corruption, path + " is too short to be a block file");
  }
  void* map = ::mmap(nullptr, src->m_map_size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) return Fail(ErrorCode::IoError, Errno("cannot map " + path));
  src->m_map = static_cast<const uint8_t*>(map);

  util::ByteReader r(ByteView(src->m_map, src->m_map_size));
  auto magic = r.Take(8);
  if (std::memcmp(magic->data(), MAGIC, 8) != 0) return Fail(ErrorCode::Corruption, path + " is not a block file");
  if (*r.U32LE() != FORMAT_VERSION) return Fail(ErrorCode::Corruption, path + ": unsupported block file version");
  src->m_first_height = *r.U32LE();
  // Walking the record lengths maps in most of the file; what lies behind the walk
  // is given back as it goes (blocks are read later, one by one).
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  std::size_t released = 0;
  auto release_upto = [&](std::size_t end) {
    end = end / page * page;
    if (end > released) (void)::madvise(const_cast<uint8_t*>(src->m_map) + released, end - released, MADV_DONTNEED);
    released = std::max(released, end);
  };
  while (!r.AtEnd()) {
    std::size_t at = r.Position();
    if (at >= released + (8 << 20)) release_upto(at);
    auto len = r.U32LE();
    if (!len) return Fail(ErrorCode::Corruption, path + ": truncated record length at offset " + std::to_string(at));
    auto raw = r.Take(*len);
    if (!raw) return Fail(ErrorCode::Corruption, path + ": truncated block at offset " + std::to_string(at));
    src->m_records.push_back(*raw);
  }
  release_upto(src->m_map_size + page - 1);
  return src;
}

BlockFileSource::~BlockFileSource() {
  if (m_map != nullptr) ::munmap(const_cast<uint8_t*>(m_map), m_map_size);
}

util::Result<std::size_t> BlockFileSource::Index(uint32_t height) const {
  if (height < m_first_height || height - m_first_height >= m_records.size()) {
    return Fail(ErrorCode::NotFound, "no block at height " + std::to_string(height) + " in the block file");
  }
  return static_cast<std::size_t>(height - m_first_height);
}

util::Result<uint32_t> BlockFileSource::TipHeight() {
  if (m_records.empty()) return Fail(ErrorCode::NotFound, "block file holds no blocks");
  return m_first_height + static_cast<uint32_t>(m_records.size()) - 1;
}

util::Result<Hash256> BlockFileSource::BlockHash(uint32_t height) {
  BS_TRY(std::size_t i, Index(height));
  if (m_records[i].size() < BLOCK_HEADER_SIZE) return Fail(ErrorCode::Corruption, "block record shorter than a header");
  util::ByteReader r(m_records[i]);
  BS_TRY(BlockHeader h, ReadHeader(r));
  return h.ComputeHash();
}

void BlockFileSource::ReleasePagesBefore(std::size_t i) {
  constexpr std::size_t RELEASE_LAG = 64;        // blocks kept mapped behind the one read
  constexpr std::size_t RELEASE_STEP = 8 << 20;  // give back at least this much at a time
  if (i < RELEASE_LAG) return;
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const auto upto = static_cast<std::size_t>(m_records[i - RELEASE_LAG].data() - m_map) / page * page;
  if (upto < m_released_bytes + RELEASE_STEP) return;
  // The mapping is private and never written: dropping its pages loses nothing.
  // From the start each time: pages read again since (funding transactions in old
  // blocks) go too.
  (void)::madvise(const_cast<uint8_t*>(m_map), upto, MADV_DONTNEED);
  m_released_bytes = upto;
}

util::Result<Block> BlockFileSource::GetBlock(uint32_t height) {
  BS_TRY(std::size_t i, Index(height));
  ReleasePagesBefore(i);
  auto block = ParseBlock(m_records[i]);
  if (!block) return Fail(block.error().Wrap("block at height " + std::to_string(height)));
  BS_CHECK_OK(CheckMerkleRoot(*block));
  return block;
}

util::Status BlockFileSource::IndexTransactionsUntil(const Hash256* want) {
  while (m_indexed_blocks < m_records.size()) {
    const std::size_t b = m_indexed_blocks++;
    // Walk the block's transactions, remembering where each one lies.
    util::ByteReader r(m_records[b]);
    if (!r.Skip(BLOCK_HEADER_SIZE)) continue;  // a corrupt block is reported when read as a block
    auto n = r.CompactSize();
    if (!n) continue;
    bool found = false;
    for (uint64_t t = 0; t < *n; ++t) {
      const std::size_t start = r.Position();
      Hash256 txid;
      if (!ReadTransaction(r, &txid)) break;
      m_tx_index.emplace(Key(txid), TxLocation{static_cast<uint32_t>(b), static_cast<uint32_t>(start),
                                               static_cast<uint32_t>(r.Position() - start)});
      found = found || (want != nullptr && txid == *want);
    }
    if (found) break;
  }
  return util::Ok();
}

util::Result<std::vector<Transaction>> BlockFileSource::GetTransactions(std::span<const Hash256> txids) {
  std::vector<Transaction> out;
  out.reserve(txids.size());
  // Finds txid among the indexed candidates sharing its key.
  auto lookup = [&](const Hash256& txid) -> util::Result<std::optional<Transaction>> {
    auto [lo, hi] = m_tx_index.equal_range(Key(txid));
    for (auto it = lo; it != hi; ++it) {
      const TxLocation& loc = it->second;
      Hash256 got;
      BS_TRY(Transaction tx, ParseTransaction(m_records[loc.block].subspan(loc.offset, loc.length), &got));
      if (got == txid) return std::optional<Transaction>(std::move(tx));
    }
    return std::optional<Transaction>{};
  };
  for (const auto& txid : txids) {
    BS_TRY(auto tx, lookup(txid));
    if (!tx) {
      BS_CHECK_OK(IndexTransactionsUntil(&txid));
      BS_TRY(tx, lookup(txid));
    }
    if (!tx) return Fail(ErrorCode::NotFound, "transaction " + txid.ReversedHex() + " is not in the block file");
    out.push_back(std::move(*tx));
  }
  return out;
}

}  // namespace blockstack::bitcoin::rpc
