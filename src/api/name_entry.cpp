#include <api/name_entry.h>

#include <algorithm>
#include <cstdint>
#include <optional>

#include <bns/db/name_table.h>
#include <util/bytes.h>

namespace blockstack::api {

namespace {

// A string field: a kind byte, a 16-bit length, the bytes. Lowercase hex of even
// length is kept as the bytes it spells (txids and hashes), everything else as is.
enum Kind : uint8_t { TEXT = 0, HEX = 1, ABSENT = 2 };

// Hex worth storing as its bytes: lowercase, even length, within a field's length.
bool PackableHex(const std::string& s) {
  return !s.empty() && s.size() % 2 == 0 && s.size() / 2 <= UINT16_MAX && util::IsLowerHex(s, s.size());
}

void PutU16(std::string& out, std::size_t v) {
  out.push_back(static_cast<char>(v & 0xff));
  out.push_back(static_cast<char>((v >> 8) & 0xff));
}

void PutU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint32_t GetU32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

std::size_t GetU16(const char* p) {
  return static_cast<uint8_t>(p[0]) | (std::size_t{static_cast<uint8_t>(p[1])} << 8);
}

void PutField(std::string& out, const std::optional<std::string>& value) {
  if (!value) {
    out.push_back(static_cast<char>(ABSENT));
    PutU16(out, 0);
    return;
  }
  const std::string& s = *value;
  if (PackableHex(s)) {
    const util::Bytes bytes = util::FromHex(s).value();  // PackableHex: cannot fail
    out.push_back(static_cast<char>(HEX));
    PutU16(out, bytes.size());
    out.append(bytes.begin(), bytes.end());
    return;
  }
  const std::size_t n = std::min<std::size_t>(s.size(), UINT16_MAX);  // longer: not a field of a valid record
  out.push_back(static_cast<char>(TEXT));
  PutU16(out, n);
  out.append(s, 0, n);
}

// Reads the field at p into value (when given); returns the byte after it.
const char* GetField(const char* p, std::optional<std::string>* value) {
  const auto kind = static_cast<Kind>(p[0]);
  const std::size_t n = GetU16(p + 1);
  p += 3;
  if (value) {
    if (kind == ABSENT) {
      value->reset();
    } else if (kind == HEX) {
      *value = util::ToHex(util::ByteView(reinterpret_cast<const uint8_t*>(p), n));
    } else {
      *value = std::string(p, n);
    }
  }
  return p + n;
}

constexpr std::size_t FIELDS = 4;  // namespace id, address, txid, value hash

}  // namespace

std::string EncodeNameEntry(const bns::NameRecord& rec) {
  std::string out;
  out.reserve(1 + rec.name.size() + 9 + 3 * FIELDS + 100);
  bns::db::NameTable::PutFqn(out, rec.name);
  PutU32(out, rec.first_registered);
  PutU32(out, rec.last_renewed);
  out.push_back(rec.revoked ? 1 : 0);
  PutField(out, rec.namespace_id);
  PutField(out, rec.address);
  PutField(out, rec.txid);
  PutField(out, rec.value_hash);
  return out;
}

bns::db::NameLookup DecodeNameEntry(const char* entry) {
  bns::db::NameLookup out;
  const char* p = entry + 1 + static_cast<uint8_t>(entry[0]);
  out.first_registered = GetU32(p);
  out.last_renewed = GetU32(p + 4);
  out.revoked = p[8] != 0;
  p += 9;
  std::optional<std::string> field;
  p = GetField(p, &field);
  out.namespace_id = field.value_or("");
  p = GetField(p, &field);
  out.address = field.value_or("");
  p = GetField(p, &field);
  out.txid = field.value_or("");
  GetField(p, &out.value_hash);
  return out;
}

std::size_t NameEntrySize(const char* entry) {
  const char* p = entry + 1 + static_cast<uint8_t>(entry[0]) + 9;
  for (std::size_t i = 0; i < FIELDS; ++i) p = GetField(p, nullptr);
  return static_cast<std::size_t>(p - entry);
}

}  // namespace blockstack::api
