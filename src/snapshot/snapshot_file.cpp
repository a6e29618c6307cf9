#include <snapshot/snapshot_file.h>

#include <nlohmann/json.hpp>
#include <zstd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>

#include <unistd.h>

#include <crypto/hash.h>
#include <util/fsync.h>
#include <util/serialize.h>

namespace blockstack::snapshot {

using util::ErrorCode;
using util::Fail;

namespace {

constexpr char FILE_MAGIC[8] = {'B', 'S', 'S', 'N', 'A', 'P', '\x01', '\n'};
constexpr char FOOTER_MAGIC[8] = {'B', 'S', 'S', 'N', 'A', 'P', 'F', 'T'};
constexpr std::size_t FOOTER_BYTES = 8 + 8 + 32;
constexpr uint8_t TAG_HEADER = 'H';
constexpr uint8_t TAG_BLOCK = 'B';
constexpr uint8_t TAG_ZONEFILE = 'Z';
constexpr uint8_t TAG_END = 'E';
// Most inputs one operation may have; a larger count is corrupt (a Bitcoin
// transaction of 1 MB holds at most about 24,000 inputs).
constexpr uint64_t MAX_INPUTS = 100000;

util::Unexpected Corrupt(const std::string& what) { return Fail(ErrorCode::Corruption, "snapshot: " + what); }

// Runs a decoder over a whole body: what it reads must be exactly the body.
template <class T, class F>
util::Result<T> DecodeWhole(util::ByteView body, const char* what, F decode) {
  util::ByteReader r(body);
  auto v = decode(r);
  if (!v) return Corrupt(std::string("malformed ") + what + " record: " + v.error().message);
  if (!r.AtEnd()) return Corrupt(std::string("trailing bytes in a ") + what + " record");
  return v;
}

}  // namespace

// --- record bodies ---

util::Bytes EncodeBlock(const Block& block) {
  std::size_t size = 64;
  for (const auto& op : block.ops) {
    size += 16 + op.raw_tx.size();
    for (const auto& s : op.spent) size += 16 + s.script_pubkey.size();
  }
  util::ByteWriter w(size);
  w.U32LE(block.height);
  w.Append(block.hash.view());
  w.Append(util::FromHex(block.consensus_hash).value_or(util::Bytes(16, 0)));
  w.CompactSize(block.ops.size());
  for (const auto& op : block.ops) {
    w.U32LE(op.vtxindex);
    w.VarBytes(op.raw_tx);
    w.CompactSize(op.spent.size());
    for (const auto& s : op.spent) {
      w.VarBytes(s.script_pubkey);
      w.I64LE(s.value);
    }
  }
  return std::move(w).Take();
}

util::Result<Block> DecodeBlock(util::ByteView body) {
  return DecodeWhole<Block>(body, "block", [](util::ByteReader& r) -> util::Result<Block> {
    Block b;
    BS_TRY(b.height, r.U32LE());
    BS_TRY(b.hash, r.Fixed<32>());
    BS_TRY(auto ch, r.Take(16));
    b.consensus_hash = util::ToHex(ch);
    BS_TRY(uint64_t n, r.CompactSize());
    // Each operation takes at least 6 bytes: a count beyond that is a lie.
    if (n > r.Remaining() / 6) return Fail(ErrorCode::Corruption, "operation count exceeds the record");
    b.ops.reserve(n);
    uint32_t last_vtx = 0;
    for (uint64_t i = 0; i < n; ++i) {
      Operation op;
      BS_TRY(op.vtxindex, r.U32LE());
      if (i > 0 && op.vtxindex <= last_vtx) return Fail(ErrorCode::Corruption, "operations out of vtxindex order");
      last_vtx = op.vtxindex;
      BS_TRY(auto raw, r.VarBytes());
      op.raw_tx.assign(raw.begin(), raw.end());
      BS_TRY(uint64_t inputs, r.CompactSize(MAX_INPUTS));
      if (inputs > r.Remaining() / 9) return Fail(ErrorCode::Corruption, "input count exceeds the record");
      op.spent.reserve(inputs);
      for (uint64_t k = 0; k < inputs; ++k) {
        SpentOutput s;
        BS_TRY(auto script, r.VarBytes());
        s.script_pubkey.assign(script.begin(), script.end());
        BS_TRY(s.value, r.I64LE());
        op.spent.push_back(std::move(s));
      }
      b.ops.push_back(std::move(op));
    }
    return b;
  });
}

util::Result<Zonefile> DecodeZonefile(util::ByteView body) {
  return DecodeWhole<Zonefile>(body, "zone file", [](util::ByteReader& r) -> util::Result<Zonefile> {
    Zonefile z;
    BS_TRY(auto hash, r.Take(20));
    z.hash = util::ToHex(hash);
    BS_TRY(auto data, r.VarBytes(MAX_ZONEFILE_BYTES));
    z.data.assign(util::AsChars(data));
    return z;
  });
}

util::Result<Counts> DecodeCounts(util::ByteView body) {
  return DecodeWhole<Counts>(body, "end", [](util::ByteReader& r) -> util::Result<Counts> {
    Counts c;
    BS_TRY(c.blocks, r.U64LE());
    BS_TRY(c.ops, r.U64LE());
    BS_TRY(c.zonefiles, r.U64LE());
    return c;
  });
}

util::Result<Header> DecodeHeader(util::ByteView body) {
  auto j = nlohmann::json::parse(util::AsChars(body), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Corrupt("the header is not a JSON object");
  Header h;
  try {
    h.format = j.at("format").get<uint32_t>();
    if (h.format != FORMAT_VERSION) {
      return Fail(ErrorCode::InvalidArgument, "snapshot: format version " + std::to_string(h.format) +
                                                  " is not supported (this node reads version " +
                                                  std::to_string(FORMAT_VERSION) + ")");
    }
    h.network = j.at("network").get<std::string>();
    h.magic = j.at("magic").get<std::string>();
    h.first_block = j.at("first_block").get<uint32_t>();
    h.height = j.at("height").get<uint32_t>();
    h.block_hash = j.at("block_hash").get<std::string>();
    h.consensus_hash = j.at("consensus_hash").get<std::string>();
    h.zonefiles = j.value("zonefiles", uint64_t{0});
    h.created = j.value("created", std::string());
  } catch (const nlohmann::json::exception& e) {
    return Corrupt(std::string("bad header: ") + e.what());
  }
  if (h.height < h.first_block) return Corrupt("the header's height is below its first block");
  if (!util::IsLowerHex(h.consensus_hash, 32)) return Corrupt("the header's consensus hash is not 32 hex digits");
  if (!util::IsLowerHex(h.block_hash, 64)) return Corrupt("the header's block hash is not 64 hex digits");
  if (h.magic.size() != 2) return Corrupt("the header's magic is not two characters");
  return h;
}

namespace {

std::string EncodeHeader(const Header& h) {
  nlohmann::json j = {{"format", h.format},         {"network", h.network},
                      {"magic", h.magic},           {"first_block", h.first_block},
                      {"height", h.height},         {"block_hash", h.block_hash},
                      {"consensus_hash", h.consensus_hash}, {"zonefiles", h.zonefiles},
                      {"created", h.created}};
  return j.dump();
}

}  // namespace

// --- writer ---

struct Writer::State {
  std::string path;
  std::string temp;
  std::FILE* file = nullptr;
  ZSTD_CCtx* cctx = nullptr;
  crypto::Sha256Hasher hasher;
  std::vector<uint8_t> out_buf;
  uint64_t frame_bytes = 0;  // compressed bytes after the magic
  uint64_t written = 0;
  Header header;
  std::optional<uint32_t> last_height;
  bool in_zonefiles = false;
  bool finished = false;
  Counts counts;

  ~State() {
    if (cctx) ZSTD_freeCCtx(cctx);
    if (file) std::fclose(file);
    if (!finished && !temp.empty()) {
      std::error_code ec;
      std::filesystem::remove(temp, ec);
    }
  }

  util::Status WriteRaw(const void* data, std::size_t n) {
    if (n == 0) return util::Ok();
    if (std::fwrite(data, 1, n, file) != n) return Fail(ErrorCode::IoError, "cannot write " + temp + ": " + std::strerror(errno));
    hasher.Update(util::ByteView(static_cast<const uint8_t*>(data), n));
    written += n;
    return util::Ok();
  }

  // Compresses `data`; with end set, also closes the frame.
  util::Status Compress(util::ByteView data, bool end) {
    ZSTD_inBuffer in{data.data(), data.size(), 0};
    while (true) {
      ZSTD_outBuffer out{out_buf.data(), out_buf.size(), 0};
      std::size_t left = ZSTD_compressStream2(cctx, &out, &in, end ? ZSTD_e_end : ZSTD_e_continue);
      if (ZSTD_isError(left)) return Fail(ErrorCode::IoError, std::string("zstd: ") + ZSTD_getErrorName(left));
      BS_CHECK_OK(WriteRaw(out_buf.data(), out.pos));
      frame_bytes += out.pos;
      if (end ? left == 0 : in.pos == in.size) return util::Ok();
    }
  }

  util::Status Record(uint8_t tag, util::ByteView body) {
    if (body.size() > MAX_RECORD_BYTES) return Fail(ErrorCode::TooLarge, "snapshot record over the size limit");
    uint8_t head[5] = {tag, static_cast<uint8_t>(body.size()), static_cast<uint8_t>(body.size() >> 8),
                       static_cast<uint8_t>(body.size() >> 16), static_cast<uint8_t>(body.size() >> 24)};
    BS_CHECK_OK(Compress(util::ByteView(head, sizeof head), false));
    return Compress(body, false);
  }
};

Writer::Writer(std::unique_ptr<State> state) : m_state(std::move(state)) {}
Writer::~Writer() = default;

util::Result<std::unique_ptr<Writer>> Writer::Create(const std::string& path, const Header& header,
                                                     int compression_level) {
  auto st = std::make_unique<State>();
  st->path = path;
  st->temp = path + ".partial";
  st->header = header;
  st->file = std::fopen(st->temp.c_str(), "wb");
  if (!st->file) return Fail(ErrorCode::IoError, "cannot create " + st->temp + ": " + std::strerror(errno));
  st->cctx = ZSTD_createCCtx();
  if (!st->cctx) return Fail(ErrorCode::IoError, "zstd: out of memory");
  ZSTD_CCtx_setParameter(st->cctx, ZSTD_c_compressionLevel, compression_level);
  ZSTD_CCtx_setParameter(st->cctx, ZSTD_c_checksumFlag, 1);
  // A second thread compresses while the caller reads the database (ignored when
  // the library is built without threads).
  ZSTD_CCtx_setParameter(st->cctx, ZSTD_c_nbWorkers, 1);
  st->out_buf.resize(ZSTD_CStreamOutSize());
  BS_CHECK_OK(st->WriteRaw(FILE_MAGIC, sizeof FILE_MAGIC));
  std::string head = EncodeHeader(header);
  BS_CHECK_OK(st->Record(TAG_HEADER, util::AsBytes(head)));
  return std::unique_ptr<Writer>(new Writer(std::move(st)));
}

util::Status Writer::AddBlock(const Block& block) {
  auto& st = *m_state;
  if (st.finished) return Fail(ErrorCode::Conflict, "snapshot already finished");
  if (!util::IsLowerHex(block.consensus_hash, 32)) {
    return Fail(ErrorCode::InvalidArgument, "block " + std::to_string(block.height) + ": consensus hash '" +
                                                block.consensus_hash + "' is not 32 hex digits");
  }
  const uint32_t want = st.last_height ? *st.last_height + 1 : st.header.first_block;
  if (st.in_zonefiles || block.height != want || block.height > st.header.height) {
    return Fail(ErrorCode::InvalidArgument, "snapshot blocks must come in order: expected block " +
                                                std::to_string(want) + ", got " + std::to_string(block.height));
  }
  util::Bytes body = EncodeBlock(block);
  BS_CHECK_OK(st.Record(TAG_BLOCK, body));
  st.last_height = block.height;
  st.counts.blocks += 1;
  st.counts.ops += block.ops.size();
  return util::Ok();
}

util::Status Writer::AddZonefile(std::string_view hash_hex, std::string_view data) {
  auto& st = *m_state;
  if (st.finished) return Fail(ErrorCode::Conflict, "snapshot already finished");
  auto hash = util::FromHex(hash_hex);
  if (!hash || hash->size() != 20) return Fail(ErrorCode::InvalidArgument, "zone-file hash is not 40 hex digits");
  if (data.size() > MAX_ZONEFILE_BYTES) return Fail(ErrorCode::TooLarge, "zone file over 40960 bytes");
  st.in_zonefiles = true;
  util::ByteWriter w(data.size() + 24);
  w.Append(*hash);
  w.VarBytes(util::AsBytes(data));
  BS_CHECK_OK(st.Record(TAG_ZONEFILE, w.Data()));
  st.counts.zonefiles += 1;
  return util::Ok();
}

util::Status Writer::Finish() {
  auto& st = *m_state;
  if (st.finished) return Fail(ErrorCode::Conflict, "snapshot already finished");
  if (!st.last_height || *st.last_height != st.header.height) {
    return Fail(ErrorCode::InvalidArgument, "snapshot ends before its height " + std::to_string(st.header.height));
  }
  util::ByteWriter end;
  end.U64LE(st.counts.blocks);
  end.U64LE(st.counts.ops);
  end.U64LE(st.counts.zonefiles);
  BS_CHECK_OK(st.Record(TAG_END, end.Data()));
  BS_CHECK_OK(st.Compress({}, true));
  util::Hash256 digest = st.hasher.Finish();
  util::ByteWriter footer;
  footer.Append(util::ByteView(reinterpret_cast<const uint8_t*>(FOOTER_MAGIC), sizeof FOOTER_MAGIC));
  footer.U64LE(st.frame_bytes);
  footer.Append(digest.view());
  if (std::fwrite(footer.Data().data(), 1, footer.Data().size(), st.file) != footer.Data().size() ||
      std::fflush(st.file) != 0 || ::fsync(::fileno(st.file)) != 0) {
    return Fail(ErrorCode::IoError, "cannot write " + st.temp + ": " + std::strerror(errno));
  }
  st.written += footer.Data().size();
  std::fclose(st.file);
  st.file = nullptr;
  std::error_code ec;
  std::filesystem::rename(st.temp, st.path, ec);
  if (ec) return Fail(ErrorCode::IoError, "cannot rename " + st.temp + " to " + st.path + ": " + ec.message());
  st.finished = true;
  auto dir = std::filesystem::path(st.path).parent_path();
  util::SyncDirectory(dir.empty() ? "." : dir.string());
  return util::Ok();
}

uint64_t Writer::BytesWritten() const { return m_state->written; }

// --- reader ---

struct Reader::State {
  // The compressed frame comes from a file or from memory.
  std::FILE* file = nullptr;
  std::string memory;
  uint64_t frame_start = sizeof FILE_MAGIC;
  uint64_t frame_bytes = 0;
  uint64_t frame_read = 0;
  uint64_t size = 0;
  ZSTD_DCtx* dctx = nullptr;
  std::vector<uint8_t> in_buf;
  ZSTD_inBuffer in{nullptr, 0, 0};
  std::vector<uint8_t> out_buf;
  std::size_t out_pos = 0, out_len = 0;
  bool frame_done = false;
  Header header;
  std::optional<uint32_t> last_height;
  bool in_zonefiles = false;
  bool ended = false;
  Counts seen;
  Counts end_counts;

  ~State() {
    if (dctx) ZSTD_freeDCtx(dctx);
    if (file) std::fclose(file);
  }

  // Reads compressed bytes at `offset` of the file or memory.
  util::Status ReadAt(uint64_t offset, uint8_t* dest, std::size_t n) {
    if (!file) {
      if (offset + n > memory.size()) return Corrupt("read past the end");
      std::memcpy(dest, memory.data() + offset, n);
      return util::Ok();
    }
    if (std::fseek(file, static_cast<long>(offset), SEEK_SET) != 0 || std::fread(dest, 1, n, file) != n) {
      return Fail(ErrorCode::IoError, std::string("cannot read the snapshot: ") + std::strerror(errno));
    }
    return util::Ok();
  }

  util::Status CheckEnvelope() {
    if (size < sizeof FILE_MAGIC + FOOTER_BYTES) return Corrupt("the file is too short to be a snapshot (truncated?)");
    uint8_t magic[sizeof FILE_MAGIC];
    BS_CHECK_OK(ReadAt(0, magic, sizeof magic));
    if (std::memcmp(magic, FILE_MAGIC, 6) != 0) return Corrupt("not a snapshot file (bad magic)");
    if (std::memcmp(magic, FILE_MAGIC, sizeof magic) != 0) {
      return Fail(ErrorCode::InvalidArgument, "snapshot: format version " + std::to_string(magic[6]) + " is not supported");
    }
    uint8_t footer[FOOTER_BYTES];
    BS_CHECK_OK(ReadAt(size - FOOTER_BYTES, footer, sizeof footer));
    if (std::memcmp(footer, FOOTER_MAGIC, sizeof FOOTER_MAGIC) != 0) {
      return Corrupt("the file has no footer: it was not completely written or is truncated");
    }
    util::ByteReader r(util::ByteView(footer + 8, 8));
    frame_bytes = *r.U64LE();
    if (frame_bytes != size - sizeof FILE_MAGIC - FOOTER_BYTES) {
      return Corrupt("the footer gives " + std::to_string(frame_bytes) + " compressed bytes but the file holds " +
                     std::to_string(size - sizeof FILE_MAGIC - FOOTER_BYTES) + " (truncated or padded)");
    }
    crypto::Sha256Hasher hasher;
    std::vector<uint8_t> buf(1 << 20);
    for (uint64_t off = 0; off < size - FOOTER_BYTES;) {
      std::size_t n = static_cast<std::size_t>(std::min<uint64_t>(buf.size(), size - FOOTER_BYTES - off));
      BS_CHECK_OK(ReadAt(off, buf.data(), n));
      hasher.Update(util::ByteView(buf.data(), n));
      off += n;
    }
    if (std::memcmp(hasher.Finish().begin(), footer + 16, 32) != 0) {
      return Corrupt("checksum mismatch: the file is damaged");
    }
    return util::Ok();
  }

  // Decompresses more bytes into out_buf. Fails at the end of the frame.
  util::Status Refill() {
    out_pos = out_len = 0;
    while (out_len == 0) {
      if (in.pos == in.size) {
        if (frame_read == frame_bytes) {
          return Corrupt(frame_done ? "the record stream ends without its end record" : "the compressed stream is truncated");
        }
        std::size_t n = static_cast<std::size_t>(std::min<uint64_t>(in_buf.size(), frame_bytes - frame_read));
        BS_CHECK_OK(ReadAt(frame_start + frame_read, in_buf.data(), n));
        frame_read += n;
        in = ZSTD_inBuffer{in_buf.data(), n, 0};
      }
      if (frame_done) return Corrupt("data after the end of the compressed stream");
      ZSTD_outBuffer out{out_buf.data(), out_buf.size(), 0};
      std::size_t ret = ZSTD_decompressStream(dctx, &out, &in);
      if (ZSTD_isError(ret)) return Corrupt(std::string("cannot decompress: ") + ZSTD_getErrorName(ret));
      if (ret == 0) frame_done = true;
      out_len = out.pos;
    }
    return util::Ok();
  }

  util::Status ReadExact(uint8_t* dest, std::size_t n) {
    while (n > 0) {
      if (out_pos == out_len) BS_CHECK_OK(Refill());
      std::size_t take = std::min(n, out_len - out_pos);
      std::memcpy(dest, out_buf.data() + out_pos, take);
      out_pos += take;
      dest += take;
      n -= take;
    }
    return util::Ok();
  }

  util::Result<std::pair<uint8_t, util::Bytes>> ReadRecord() {
    uint8_t head[5];
    BS_CHECK_OK(ReadExact(head, sizeof head));
    std::size_t len = head[1] | (std::size_t{head[2]} << 8) | (std::size_t{head[3]} << 16) | (std::size_t{head[4]} << 24);
    if (len > MAX_RECORD_BYTES) return Corrupt("a record of " + std::to_string(len) + " bytes is over the limit");
    util::Bytes body(len);
    BS_CHECK_OK(ReadExact(body.data(), len));
    return std::make_pair(head[0], std::move(body));
  }

  // After the end record nothing may follow: the frame must be complete.
  util::Status CheckAtEnd() {
    if (out_pos != out_len) return Corrupt("data after the end record");
    auto more = Refill();
    if (more) return Corrupt("data after the end record");
    if (!frame_done || frame_read != frame_bytes || in.pos != in.size) return Corrupt("data after the end record");
    return util::Ok();
  }
};

Reader::Reader(std::unique_ptr<State> state) : m_state(std::move(state)) {}
Reader::~Reader() = default;

util::Result<std::unique_ptr<Reader>> Reader::Start(std::unique_ptr<State> st) {
  BS_CHECK_OK(st->CheckEnvelope());
  st->dctx = ZSTD_createDCtx();
  if (!st->dctx) return Fail(ErrorCode::IoError, "zstd: out of memory");
  // Bound the memory a hostile frame can ask for (64 MiB window).
  ZSTD_DCtx_setParameter(st->dctx, ZSTD_d_windowLogMax, 26);
  st->in_buf.resize(ZSTD_DStreamInSize());
  st->out_buf.resize(ZSTD_DStreamOutSize());
  BS_TRY(auto first, st->ReadRecord());
  if (first.first != TAG_HEADER) return Corrupt("the first record is not the header");
  BS_TRY(st->header, DecodeHeader(first.second));
  return std::unique_ptr<Reader>(new Reader(std::move(st)));
}

util::Result<std::unique_ptr<Reader>> Reader::Open(const std::string& path) {
  auto st = std::make_unique<State>();
  st->file = std::fopen(path.c_str(), "rb");
  if (!st->file) return Fail(ErrorCode::IoError, "cannot open " + path + ": " + std::strerror(errno));
  std::error_code ec;
  st->size = std::filesystem::file_size(path, ec);
  if (ec) return Fail(ErrorCode::IoError, "cannot stat " + path + ": " + ec.message());
  return Start(std::move(st));
}

util::Result<std::unique_ptr<Reader>> Reader::FromBytes(std::string bytes) {
  auto st = std::make_unique<State>();
  st->memory = std::move(bytes);
  st->size = st->memory.size();
  return Start(std::move(st));
}

const Header& Reader::GetHeader() const { return m_state->header; }
uint64_t Reader::Position() const { return m_state->frame_start + m_state->frame_read; }
uint64_t Reader::Size() const { return m_state->size; }

util::Result<Record> Reader::Next() {
  auto& st = *m_state;
  if (st.ended) return Record(st.end_counts);
  BS_TRY(auto rec, st.ReadRecord());
  switch (rec.first) {
    case TAG_BLOCK: {
      BS_TRY(Block b, DecodeBlock(rec.second));
      const uint32_t want = st.last_height ? *st.last_height + 1 : st.header.first_block;
      if (st.in_zonefiles || b.height != want || b.height > st.header.height) {
        return Corrupt("block " + std::to_string(b.height) + " out of order (expected " + std::to_string(want) + ")");
      }
      st.last_height = b.height;
      st.seen.blocks += 1;
      st.seen.ops += b.ops.size();
      return Record(std::move(b));
    }
    case TAG_ZONEFILE: {
      if (!st.last_height || *st.last_height != st.header.height) {
        return Corrupt("zone files before the last block " + std::to_string(st.header.height));
      }
      BS_TRY(Zonefile z, DecodeZonefile(rec.second));
      st.in_zonefiles = true;
      st.seen.zonefiles += 1;
      return Record(std::move(z));
    }
    case TAG_END: {
      BS_TRY(Counts c, DecodeCounts(rec.second));
      if (!st.last_height || *st.last_height != st.header.height) {
        return Corrupt("the snapshot ends before its height " + std::to_string(st.header.height));
      }
      if (c.blocks != st.seen.blocks || c.ops != st.seen.ops || c.zonefiles != st.seen.zonefiles) {
        return Corrupt("the end record's counts disagree with the records read");
      }
      BS_CHECK_OK(st.CheckAtEnd());
      st.ended = true;
      st.end_counts = c;
      return Record(c);
    }
    default:
      return Corrupt("unknown record type " + std::to_string(rec.first));
  }
}

}  // namespace blockstack::snapshot
