#include <subdomain/record.h>

#include <algorithm>
#include <charconv>
#include <map>

#include <bitcoin/address.h>
#include <bitcoin/script.h>
#include <bns/names.h>
#include <crypto/hash.h>
#include <util/base64.h>
#include <util/bytes.h>
#include <zonefile/zonefile.h>

namespace blockstack::subdomain {
namespace {

using util::ErrorCode;
using util::Fail;

constexpr std::string_view MISSING_NAME = "_missing";
constexpr std::string_view RESERVED_NAMES[] = {"_missing", "_resolver", "_registrar"};
constexpr std::string_view KEY_OWNER = "owner";
constexpr std::string_view KEY_SEQN = "seqn";
constexpr std::string_view KEY_PARTS = "parts";
constexpr std::string_view KEY_SIG = "sig";

bool IsLeafChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '+'; }

// An integer as Python's int() reads text: blanks around it, an optional sign,
// decimal digits. nullopt when it is not one or does not fit 64 bits (such a
// sequence number could never be reached from 0 anyway).
std::optional<int64_t> PythonInt(std::string_view text) {
  constexpr std::string_view BLANKS = " \t\n\r\v\f";
  auto first = text.find_first_not_of(BLANKS);
  if (first == std::string_view::npos) return std::nullopt;
  text = text.substr(first, text.find_last_not_of(BLANKS) - first + 1);
  bool negative = false;
  if (text.front() == '+' || text.front() == '-') {
    negative = text.front() == '-';
    text.remove_prefix(1);
  }
  if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return negative ? -v : v;
}

// Base64 as the original's decoder reads it: characters outside the alphabet are
// skipped; what remains must be whole quads with padding only at the end.
std::optional<std::string> LenientBase64(std::string_view text) {
  std::string kept;
  kept.reserve(text.size());
  for (char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=')
      kept.push_back(c);
  }
  if (kept.size() % 4 != 0) return std::nullopt;
  auto pad = kept.find('=');
  if (pad != std::string::npos && (kept.size() - pad > 2 || kept.find_first_not_of('=', pad) != std::string::npos))
    return std::nullopt;
  auto bytes = util::DecodeBase64(kept);
  if (!bytes) return std::nullopt;
  return std::string(bytes->begin(), bytes->end());
}

std::string EscapeValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '=') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

std::string UnescapeValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\\' && i + 1 < value.size() && value[i + 1] == '=') continue;
    out.push_back(value[i]);
  }
  return out;
}

std::string PieceKey(std::size_t i) { return "zf" + std::to_string(i); }

// The base64 of a zone file cut into pieces of ZONEFILE_PIECE_CHARS.
std::vector<std::string> ZonefilePieces(std::string_view zonefile) {
  const std::string encoded = util::EncodeBase64(util::AsBytes(zonefile));
  std::vector<std::string> pieces;
  for (std::size_t at = 0; at < encoded.size(); at += ZONEFILE_PIECE_CHARS)
    pieces.push_back(encoded.substr(at, ZONEFILE_PIECE_CHARS));
  return pieces;
}

// The key=value strings of a record in signing order, values unescaped; the
// first string is the TXT owner name (the leaf, or the fqn when independent).
std::vector<std::pair<std::string, std::string>> Fields(const Record& record) {
  std::vector<std::pair<std::string, std::string>> fields;
  fields.emplace_back(std::string(KEY_OWNER), record.owner);
  fields.emplace_back(std::string(KEY_SEQN), std::to_string(record.seqn));
  const auto pieces = ZonefilePieces(record.zonefile);
  fields.emplace_back(std::string(KEY_PARTS), std::to_string(pieces.size()));
  for (std::size_t i = 0; i < pieces.size(); ++i) fields.emplace_back(PieceKey(i), pieces[i]);
  return fields;
}

std::string TxtOwnerName(const Record& record) {
  if (record.independent) return record.fqn;
  auto split = SplitSubdomainName(record.fqn);
  return split ? split->leaf : record.fqn;
}

// "_missing" as a single-string TXT of comma-separated integers.
std::optional<std::vector<int64_t>> MissingList(const zonefile::ResourceRecord& rr) {
  if (rr.name != MISSING_NAME || rr.fields.size() != 1) return std::nullopt;
  std::vector<int64_t> out;
  std::string_view rest = rr.fields[0];
  while (true) {
    auto comma = rest.find(',');
    auto v = PythonInt(rest.substr(0, comma));
    if (!v) return std::nullopt;
    out.push_back(*v);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return out;
}

// A multi-string TXT with owner=, seqn= and parts= strings.
bool LooksLikeSubdomainRecord(const zonefile::ResourceRecord& rr) {
  if (rr.fields.size() < 2) return false;
  bool owner = false, seqn = false, parts = false;
  for (const auto& f : rr.fields) {
    owner = owner || f.starts_with("owner=");
    seqn = seqn || f.starts_with("seqn=");
    parts = parts || f.starts_with("parts=");
  }
  return owner && seqn && parts;
}

// One record. nullopt: the record alone is skipped. An error: the whole zone file
// carries no subdomains.
util::Result<std::optional<Record>> ReadRecord(std::string_view domain, const zonefile::ResourceRecord& rr,
                                               std::string name) {
  std::map<std::string, std::string, std::less<>> entries;
  bool duplicate = false;
  for (const auto& item : rr.fields) {
    auto eq = item.find('=');
    if (eq == std::string::npos) return Fail(ErrorCode::InvalidArgument, "a subdomain record string has no '='");
    auto [it, inserted] = entries.emplace(item.substr(0, eq), UnescapeValue(std::string_view(item).substr(eq + 1)));
    duplicate = duplicate || !inserted;
  }
  if (duplicate) return std::optional<Record>();
  auto parts = PythonInt(entries.find(KEY_PARTS)->second);
  auto seqn = PythonInt(entries.find(KEY_SEQN)->second);
  if (!parts || !seqn) return std::optional<Record>();
  std::string encoded;
  for (int64_t i = 0; i < *parts; ++i) {
    auto piece = entries.find(PieceKey(static_cast<std::size_t>(i)));
    if (piece == entries.end()) return Fail(ErrorCode::InvalidArgument, "a subdomain record lacks a zone-file piece");
    encoded += piece->second;
  }
  Record record;
  if (SplitSubdomainName(name)) {
    record.fqn = std::move(name);
  } else {
    record.fqn = name + "." + std::string(domain);
    if (!bns::IsNameValid(domain) || !SplitSubdomainName(record.fqn)) return std::optional<Record>();
  }
  auto zonefile = LenientBase64(encoded);
  if (!zonefile) return Fail(ErrorCode::InvalidArgument, "a subdomain zone file is not base64");
  record.domain = std::string(domain);
  record.owner = entries.find(KEY_OWNER)->second;
  record.seqn = *seqn;
  record.zonefile = std::move(*zonefile);
  if (auto sig = entries.find(KEY_SIG); sig != entries.end()) record.sig = sig->second;
  record.independent = !record.fqn.ends_with("." + record.domain);
  return std::optional<Record>(std::move(record));
}

// The 20-byte hash of an address and whether it is a script (p2sh) address.
struct DecodedAddress {
  util::Hash160 hash;
  bool script = false;
};
// Mainnet and testnet p2pkh and p2sh version bytes only.
std::optional<DecodedAddress> DecodeOwner(std::string_view address) {
  auto decoded = bitcoin::DecodeAddress(address);
  if (!decoded) return std::nullopt;
  if (decoded->version == 0x00 || decoded->version == 0x6f) return DecodedAddress{decoded->hash, false};
  if (decoded->version == 0x05 || decoded->version == 0xc4) return DecodedAddress{decoded->hash, true};
  return std::nullopt;
}

bool VerifySingleKey(const util::Hash256& digest, const std::vector<bitcoin::ScriptToken>& tokens,
                     const util::Hash160& owner) {
  if (tokens.size() != 2 || !tokens[0].is_push || !tokens[1].is_push || tokens[0].data.size() != 64) return false;
  auto key = crypto::PublicKey::Parse(tokens[1].data);
  if (!key || crypto::Hash160Of(tokens[1].data) != owner) return false;
  return key->VerifyCompact(digest, tokens[0].data);
}

bool VerifyMultisig(const util::Hash256& digest, const std::vector<bitcoin::ScriptToken>& tokens,
                    const util::Hash160& owner) {
  if (tokens.size() < 2 || !tokens.back().is_push) return false;
  const util::ByteView redeem = tokens.back().data;
  if (crypto::Hash160Of(redeem) != owner) return false;
  // OP_m <keys...> OP_n OP_CHECKMULTISIG
  auto script = bitcoin::TokenizeScript(redeem);
  if (!script || script->size() < 4) return false;
  const auto& rs = *script;
  auto small_int = [](const bitcoin::ScriptToken& t) -> int {
    return t.opcode >= 0x51 && t.opcode <= 0x60 ? t.opcode - 0x50 : -1;
  };
  const int m = small_int(rs.front());
  const int n = small_int(rs[rs.size() - 2]);
  if (rs.back().opcode != 0xae || m < 1 || n < m || static_cast<std::size_t>(n) != rs.size() - 3) return false;
  std::vector<crypto::PublicKey> keys;
  for (std::size_t i = 1; i + 2 < rs.size(); ++i) {
    if (!rs[i].is_push) return false;
    auto key = crypto::PublicKey::Parse(rs[i].data);
    if (!key) return false;
    keys.push_back(*key);
  }
  if (tokens.size() - 2 != static_cast<std::size_t>(m)) return false;
  std::size_t next_key = 0;
  for (std::size_t s = 1; s + 1 < tokens.size(); ++s) {
    if (!tokens[s].is_push || tokens[s].data.size() != 64) return false;
    bool passed = false;
    while (!passed) {
      if (next_key >= keys.size()) return false;
      passed = keys[next_key++].VerifyCompact(digest, tokens[s].data);
    }
  }
  return true;
}

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

}  // namespace

std::optional<SplitSubdomain> SplitSubdomainName(std::string_view fqn) {
  if (std::count(fqn.begin(), fqn.end(), '.') != 2) return std::nullopt;
  const auto dot = fqn.find('.');
  std::string_view leaf = fqn.substr(0, dot);
  std::string_view domain = fqn.substr(dot + 1);
  if (leaf.empty() || !std::all_of(leaf.begin(), leaf.end(), IsLeafChar) || !bns::IsNameValid(domain))
    return std::nullopt;
  return SplitSubdomain{std::string(leaf), std::string(domain)};
}

util::Result<ZonefileSubdomains> ParseZonefileSubdomains(std::string_view domain, std::string_view zonefile_text) {
  auto zf = zonefile::ParseZonefile(zonefile_text);
  if (!zf) return Fail(ErrorCode::InvalidArgument, "zone file does not parse: " + zf.error().message);
  if (!zf->origin || *zf->origin != domain)
    return Fail(ErrorCode::InvalidArgument, "zone file's $ORIGIN is not " + std::string(domain));
  ZonefileSubdomains out;
  out.resolver = zonefile::ResolverUri(*zf);
  bool have_missing = false;
  for (const auto& rr : zf->records) {
    if (rr.type != "TXT") continue;
    if (auto missing = MissingList(rr)) {
      if (have_missing) return Fail(ErrorCode::InvalidArgument, "two _missing records");
      have_missing = true;
      out.missing = std::move(*missing);
    }
  }
  struct Kept {
    Record record;
    std::size_t position;
  };
  std::map<std::string, Kept> by_fqn;
  for (std::size_t i = 0; i < zf->records.size(); ++i) {
    const auto& rr = zf->records[i];
    if (rr.type != "TXT" || !LooksLikeSubdomainRecord(rr)) continue;
    std::string name = rr.name;
    std::transform(name.begin(), name.end(), name.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
    if (std::find(std::begin(RESERVED_NAMES), std::end(RESERVED_NAMES), name) != std::end(RESERVED_NAMES)) continue;
    BS_TRY(std::optional<Record> record, ReadRecord(domain, rr, std::move(name)));
    if (!record) continue;
    auto found = by_fqn.find(record->fqn);
    if (found == by_fqn.end()) {
      std::string fqn = record->fqn;
      by_fqn.emplace(std::move(fqn), Kept{std::move(*record), i});
    } else if (record->seqn < found->second.record.seqn) {
      found->second = Kept{std::move(*record), i};
    }
  }
  std::vector<Kept> kept;
  kept.reserve(by_fqn.size());
  for (auto& [fqn, k] : by_fqn) kept.push_back(std::move(k));
  std::sort(kept.begin(), kept.end(), [](const Kept& a, const Kept& b) { return a.position < b.position; });
  for (auto& k : kept) out.records.push_back(std::move(k.record));
  return out;
}

std::string SigningText(const Record& record) {
  std::string text = TxtOwnerName(record);
  for (const auto& [key, value] : Fields(record)) text += "," + key + "=" + EscapeValue(value);
  return text;
}

bool SameOwner(std::string_view a, std::string_view b) {
  if (a == b) return true;
  auto da = DecodeOwner(a);
  auto db = DecodeOwner(b);
  return da && db && da->script == db->script && da->hash == db->hash;
}

bool VerifySignature(const Record& record, std::string_view address) {
  if (!record.sig) return false;
  auto owner = DecodeOwner(address);
  auto script_text = LenientBase64(*record.sig);
  if (!owner || !script_text) return false;
  const util::Bytes script(script_text->begin(), script_text->end());
  auto tokens = bitcoin::TokenizeScript(script);
  if (!tokens) return false;
  const util::Hash256 digest = crypto::Sha256(util::AsBytes(SigningText(record)));
  return owner->script ? VerifyMultisig(digest, *tokens, owner->hash) : VerifySingleKey(digest, *tokens, owner->hash);
}

std::string MakeTxtRecord(const Record& record, const crypto::PrivateKey* key) {
  std::string line = TxtOwnerName(record) + "\tIN\tTXT\t";
  bool first = true;
  auto add = [&](std::string_view k, std::string_view v) {
    if (!first) line += ' ';
    first = false;
    line += Quote(std::string(k) + "=" + std::string(v));
  };
  for (const auto& [k, v] : Fields(record)) add(k, v);
  if (key) {
    const auto sig = key->SignCompact(crypto::Sha256(util::AsBytes(SigningText(record))));
    util::Bytes script;
    bitcoin::AppendPush(script, util::ByteView(sig.data(), sig.size()));
    bitcoin::AppendPush(script, key->GetPublicKey().Serialize());
    add(KEY_SIG, util::EncodeBase64(script));
  } else if (record.sig) {
    add(KEY_SIG, *record.sig);
  }
  return line;
}

bool Accepts(const Record* tip, const Record& next) {
  if (!tip) return next.seqn == 0 && !next.independent;
  return next.seqn == tip->seqn + 1 && VerifySignature(next, tip->owner) &&
         (!next.independent || SameOwner(next.owner, tip->owner));
}

}  // namespace blockstack::subdomain
