#include <bns/records_codec.h>

#include <bit>

#include <nlohmann/json.hpp>

#include <bns/records_json.h>
#include <util/bytes.h>

namespace blockstack::bns {

using util::ErrorCode;
using util::Fail;

namespace {

// The first byte of a stored record: JSON text starts with '{'.
constexpr char KIND_NAME = 0x01;
constexpr char KIND_PREORDER = 0x02;
constexpr char KIND_OP_LOG = 0x03;     // before the canonical serialisations were kept
constexpr char KIND_OP_LOG_V2 = 0x04;  // each accepted operation's canonical serialisation too
constexpr char JSON_START = '{';

// A string is a LEB128 header, length << 2 | form, then its bytes.
constexpr uint64_t FORM_TEXT = 0;  // the bytes as they are
constexpr uint64_t FORM_HEX = 1;   // lowercase hex, stored as the bytes it spells (length in bytes)
constexpr uint64_t FORM_NULL = 2;  // an absent optional (length 0)

// op_fee's form: an integer (zigzag LEB128) or a float (8 bytes, little-endian IEEE).
constexpr uint8_t FEE_INTEGER = 0;
constexpr uint8_t FEE_FLOAT = 1;

// Whether a string is stored as the bytes its hex spells: lowercase hex of even,
// non-zero length (what the decoder writes back).
bool StoredAsHex(std::string_view s) { return !s.empty() && s.size() % 2 == 0 && util::IsLowerHex(s, s.size()); }

class Writer {
 public:
  explicit Writer(char kind) {
    m_out.reserve(256);
    m_out.push_back(kind);
  }
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      m_out.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    m_out.push_back(static_cast<char>(v));
  }
  void Signed(int64_t v) {
    const auto u = static_cast<uint64_t>(v);
    Varint((u << 1) ^ (v < 0 ? ~uint64_t{0} : 0));
  }
  void Str(std::string_view s) {
    if (!StoredAsHex(s)) {
      Varint(uint64_t{s.size()} << 2 | FORM_TEXT);
      m_out.append(s);
      return;
    }
    Varint(uint64_t{s.size() / 2} << 2 | FORM_HEX);
    const std::size_t at = m_out.size();
    m_out.resize(at + s.size() / 2);
    char* out = m_out.data() + at;
    // Checked lowercase above: each digit's value without another call per character.
    auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
    for (std::size_t i = 0; i < s.size(); i += 2) *out++ = static_cast<char>(nibble(s[i]) << 4 | nibble(s[i + 1]));
  }
  void Opt(const std::optional<std::string>& s) {
    if (s) {
      Str(*s);
    } else {
      Varint(FORM_NULL);
    }
  }
  void Bool(bool b) { m_out.push_back(b ? 1 : 0); }
  // Bytes that are not text: always the bytes as they are.
  void Raw(util::ByteView b) {
    Varint(uint64_t{b.size()} << 2 | FORM_TEXT);
    m_out.append(reinterpret_cast<const char*>(b.data()), b.size());
  }
  void Reserve(std::size_t n) { m_out.reserve(n); }
  void Fee(const OpFee& fee) {
    if (const auto* d = std::get_if<double>(&fee)) {
      m_out.push_back(static_cast<char>(FEE_FLOAT));
      const auto bits = std::bit_cast<uint64_t>(*d);
      for (int i = 0; i < 8; ++i) m_out.push_back(static_cast<char>(bits >> (8 * i)));
    } else {
      m_out.push_back(static_cast<char>(FEE_INTEGER));
      Signed(std::get<int64_t>(fee));
    }
  }
  std::string Finish() && { return std::move(m_out); }

 private:
  std::string m_out;
};

// Reads the fields back. The first failure sticks: later reads return defaults,
// and Done reports it.
class Reader {
 public:
  explicit Reader(std::string_view in) : m_in(in), m_pos(1) {}

  uint64_t Varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (m_pos >= m_in.size()) return Bad("record ends inside a number");
      const auto byte = static_cast<uint8_t>(m_in[m_pos++]);
      if (shift == 63 && byte > 1) return Bad("number over 64 bits");
      v |= uint64_t{byte & 0x7fu} << shift;
      if ((byte & 0x80) == 0) return v;
    }
    return Bad("number over 64 bits");
  }
  uint32_t U32() {
    const uint64_t v = Varint();
    if (v > 0xffffffffULL) return static_cast<uint32_t>(Bad("number over 32 bits"));
    return static_cast<uint32_t>(v);
  }
  int64_t Signed() {
    const uint64_t u = Varint();
    return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
  }
  std::optional<std::string> Opt() {
    const uint64_t header = Varint();
    const uint64_t form = header & 3;
    const uint64_t length = header >> 2;
    if (form == FORM_NULL) {
      if (length != 0) Bad("bad string header");
      return std::nullopt;
    }
    if (form != FORM_TEXT && form != FORM_HEX) return Bad("bad string header"), std::nullopt;
    auto bytes = Take(length);
    if (!bytes) return std::nullopt;
    if (form == FORM_TEXT) return std::string(*bytes);
    if (length == 0) return Bad("empty hex string"), std::nullopt;
    return util::ToHex(util::AsBytes(*bytes));
  }
  std::string Str() {
    auto s = Opt();
    if (!s) return Bad("a required string is null"), std::string();
    return std::move(*s);
  }
  util::Bytes Raw() {
    const uint64_t header = Varint();
    if ((header & 3) != FORM_TEXT) return Bad("bad bytes header"), util::Bytes();
    auto bytes = Take(header >> 2);
    return bytes ? util::ToBytes(*bytes) : util::Bytes();
  }
  // Bytes not yet read: a bound on how many more fields can follow.
  std::size_t Left() const { return m_in.size() - m_pos; }
  uint8_t Byte() {
    if (m_pos >= m_in.size()) return static_cast<uint8_t>(Bad("record ends early"));
    return static_cast<uint8_t>(m_in[m_pos++]);
  }
  bool Bool() {
    const uint8_t b = Byte();
    if (b > 1) Bad("bad boolean");
    return b == 1;
  }
  OpFee Fee() {
    const uint8_t form = Byte();
    if (form == FEE_INTEGER) return Signed();
    if (form != FEE_FLOAT) return Bad("bad fee form"), OpFee{int64_t{0}};
    uint64_t bits = 0;
    for (int i = 0; i < 8; ++i) bits |= uint64_t{Byte()} << (8 * i);
    return std::bit_cast<double>(bits);
  }
  util::Status Done(const char* what) const {
    if (!m_error.empty()) return Fail(ErrorCode::Corruption, std::string("stored ") + what + " record: " + m_error);
    if (m_pos != m_in.size())
      return Fail(ErrorCode::Corruption, std::string("stored ") + what + " record: trailing bytes");
    return util::Ok();
  }

 private:
  // The next `length` bytes of a string (nullopt, and a failure, past the end).
  std::optional<std::string_view> Take(uint64_t length) {
    if (length > m_in.size() - m_pos) return Bad("record ends inside a string"), std::nullopt;
    std::string_view bytes = m_in.substr(m_pos, length);
    m_pos += length;
    return bytes;
  }
  // Records the first failure and moves to the end, so nothing more is read.
  uint64_t Bad(const char* why) {
    if (m_error.empty()) m_error = why;
    m_pos = m_in.size();
    return 0;
  }

  std::string_view m_in;
  std::size_t m_pos;
  std::string m_error;
};

template <class T, class F>
util::Result<T> FromJsonText(std::string_view stored, F from_json, const char* what) {
  auto j = nlohmann::json::parse(stored, nullptr, false);
  if (j.is_discarded()) return Fail(ErrorCode::Corruption, std::string("stored ") + what + " record is not JSON");
  return from_json(j);
}

util::Status CheckKind(std::string_view stored, char kind, const char* what) {
  if (stored.empty()) return Fail(ErrorCode::Corruption, std::string("stored ") + what + " record is empty");
  if (stored[0] != kind) return Fail(ErrorCode::Corruption, std::string("stored record is not a ") + what + " record");
  return util::Ok();
}

}  // namespace

std::string EncodeNameRecord(const NameRecord& r) {
  Writer w(KIND_NAME);
  w.Str(r.name);
  w.Str(r.namespace_id);
  w.Str(r.preorder_hash);
  w.Str(r.name_hash128);
  w.Varint(r.namespace_block_number);
  w.Opt(r.value_hash);
  w.Str(r.sender);
  w.Opt(r.sender_pubkey);
  w.Str(r.address);
  w.Varint(r.block_number);
  w.Varint(r.preorder_block_number);
  w.Varint(r.first_registered);
  w.Varint(r.last_renewed);
  w.Bool(r.revoked);
  w.Str(r.op);
  w.Str(r.txid);
  w.Varint(r.vtxindex);
  w.Fee(r.op_fee);
  w.Opt(r.importer);
  w.Opt(r.importer_address);
  w.Opt(r.consensus_hash);
  w.Str(r.token_fee);
  w.Str(r.last_creation_op);
  return std::move(w).Finish();
}

util::Result<NameRecord> DecodeNameRecord(std::string_view stored) {
  if (stored.starts_with(JSON_START)) return FromJsonText<NameRecord>(stored, NameRecordFromJson, "name");
  BS_CHECK_OK(CheckKind(stored, KIND_NAME, "name"));
  Reader in(stored);
  NameRecord r;
  r.name = in.Str();
  r.namespace_id = in.Str();
  r.preorder_hash = in.Str();
  r.name_hash128 = in.Str();
  r.namespace_block_number = in.U32();
  r.value_hash = in.Opt();
  r.sender = in.Str();
  r.sender_pubkey = in.Opt();
  r.address = in.Str();
  r.block_number = in.U32();
  r.preorder_block_number = in.U32();
  r.first_registered = in.U32();
  r.last_renewed = in.U32();
  r.revoked = in.Bool();
  r.op = in.Str();
  r.txid = in.Str();
  r.vtxindex = in.U32();
  r.op_fee = in.Fee();
  r.importer = in.Opt();
  r.importer_address = in.Opt();
  r.consensus_hash = in.Opt();
  r.token_fee = in.Str();
  r.last_creation_op = in.Str();
  BS_CHECK_OK(in.Done("name"));
  return r;
}

std::string EncodeOpLog(const std::vector<OpRow>& ops) {
  Writer w(KIND_OP_LOG_V2);
  // An upper bound on the blob's size (the strings, and a few header bytes each),
  // so it is built in one allocation.
  std::size_t size = 8;
  for (const auto& op : ops) {
    size += 40 + op.txid.size() + op.opcode.size() + op.reason.size() + op.raw_tx.size() + op.senders.size() +
            op.serialized.size();
  }
  w.Reserve(size);
  w.Varint(ops.size());
  for (const auto& op : ops) {
    w.Varint(op.vtxindex);
    w.Str(op.txid);
    w.Str(op.opcode);
    w.Bool(op.accepted);
    w.Str(op.reason);
    w.Raw(op.raw_tx);
    w.Str(op.senders);
    w.Str(op.serialized);
  }
  return std::move(w).Finish();
}

util::Result<std::vector<OpRow>> DecodeOpLog(std::string_view stored, uint32_t block_id) {
  // Logs written before version 2 carry no serialisations (left empty).
  const bool v2 = stored.starts_with(KIND_OP_LOG_V2);
  if (!v2) BS_CHECK_OK(CheckKind(stored, KIND_OP_LOG, "op log"));
  Reader in(stored);
  const uint64_t count = in.Varint();
  // Every operation takes at least 7 bytes: no count can ask for more rows than that.
  if (count > in.Left() / 7) return Fail(ErrorCode::Corruption, "stored op log record: count beyond its bytes");
  std::vector<OpRow> ops(count);
  for (OpRow& op : ops) {
    op.block_id = block_id;
    op.vtxindex = in.U32();
    op.txid = in.Str();
    op.opcode = in.Str();
    op.accepted = in.Bool();
    op.reason = in.Str();
    op.raw_tx = in.Raw();
    op.senders = in.Str();
    if (v2) op.serialized = in.Str();
  }
  // A damaged field is reported first: the rows after it are defaults.
  BS_CHECK_OK(in.Done("op log"));
  for (std::size_t i = 1; i < ops.size(); ++i) {
    if (ops[i].vtxindex <= ops[i - 1].vtxindex) {
      return Fail(ErrorCode::Corruption, "stored op log record: transaction indexes out of order");
    }
  }
  return ops;
}

std::string EncodePreorderRecord(const PreorderRecord& r) {
  Writer w(KIND_PREORDER);
  w.Str(r.preorder_hash);
  w.Str(r.consensus_hash);
  w.Str(r.sender);
  w.Opt(r.sender_pubkey);
  w.Str(r.address);
  w.Varint(r.block_number);
  w.Str(r.op);
  w.Signed(r.op_fee);
  w.Str(r.txid);
  w.Varint(r.vtxindex);
  w.Str(r.burn_address);
  w.Str(r.token_fee);
  w.Str(r.token_units);
  return std::move(w).Finish();
}

util::Result<PreorderRecord> DecodePreorderRecord(std::string_view stored) {
  if (stored.starts_with(JSON_START)) return FromJsonText<PreorderRecord>(stored, PreorderRecordFromJson, "preorder");
  BS_CHECK_OK(CheckKind(stored, KIND_PREORDER, "preorder"));
  Reader in(stored);
  PreorderRecord r;
  r.preorder_hash = in.Str();
  r.consensus_hash = in.Str();
  r.sender = in.Str();
  r.sender_pubkey = in.Opt();
  r.address = in.Str();
  r.block_number = in.U32();
  r.op = in.Str();
  r.op_fee = in.Signed();
  r.txid = in.Str();
  r.vtxindex = in.U32();
  r.burn_address = in.Str();
  r.token_fee = in.Str();
  r.token_units = in.Str();
  BS_CHECK_OK(in.Done("preorder"));
  return r;
}

std::string EncodeNamespaceRecord(const NamespaceRecord& r) { return ToJson(r).dump(); }

util::Result<NamespaceRecord> DecodeNamespaceRecord(std::string_view stored) {
  if (!stored.starts_with(JSON_START)) return Fail(ErrorCode::Corruption, "stored record is not a namespace record");
  return FromJsonText<NamespaceRecord>(stored, NamespaceRecordFromJson, "namespace");
}

util::Result<std::string> StoredRecordJson(std::string_view stored) {
  if (stored.starts_with(JSON_START)) return std::string(stored);
  if (stored.starts_with(KIND_NAME)) {
    BS_TRY(auto r, DecodeNameRecord(stored));
    return NameRecordJsonText(r);
  }
  if (stored.starts_with(KIND_PREORDER)) {
    BS_TRY(auto r, DecodePreorderRecord(stored));
    return PreorderRecordJsonText(r);
  }
  return Fail(ErrorCode::Corruption, "stored record of an unknown kind");
}

}  // namespace blockstack::bns
