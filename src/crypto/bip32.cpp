#include <crypto/bip32.h>

#include <charconv>

#include <crypto/base58check.h>
#include <crypto/hash.h>

namespace blockstack::crypto {
namespace {

using util::ErrorCode;
using util::Fail;

constexpr uint32_t XPRV_VERSION = 0x0488ADE4;
constexpr uint32_t XPUB_VERSION = 0x0488B21E;

void PutU32(util::Bytes& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(v >> shift));
}
uint32_t GetU32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

// Splits I = HMAC-SHA512 into the tweak (IL) and the chain code (IR).
void Split(const util::FixedBytes<64>& i, util::FixedBytes<32>& tweak, util::FixedBytes<32>& chain) {
  std::copy(i.begin(), i.begin() + 32, tweak.begin());
  std::copy(i.begin() + 32, i.end(), chain.begin());
}

util::Bytes Header(uint32_t version, uint8_t depth, uint32_t parent, uint32_t child,
                   const util::FixedBytes<32>& chain) {
  util::Bytes out;
  PutU32(out, version);
  out.push_back(depth);
  PutU32(out, parent);
  PutU32(out, child);
  out.insert(out.end(), chain.begin(), chain.end());
  return out;
}

}  // namespace

ExtendedPublicKey ExtendedPrivateKey::Neuter() const {
  return ExtendedPublicKey{key.GetPublicKey().WithCompression(true), chain_code, depth, parent_fingerprint,
                           child_number};
}

uint32_t Fingerprint(const PublicKey& key) { return GetU32(Hash160Of(key.Serialize(true)).data.data()); }

util::Result<ExtendedPrivateKey> MasterKeyFromSeed(util::ByteView seed) {
  if (seed.size() < 16 || seed.size() > 64) return Fail(ErrorCode::InvalidArgument, "a BIP32 seed is 16 to 64 bytes");
  static constexpr std::string_view kKey = "Bitcoin seed";
  auto i = HmacSha512(util::AsBytes(kKey), seed);
  util::FixedBytes<32> secret;
  util::FixedBytes<32> chain;
  Split(i, secret, chain);
  BS_TRY(PrivateKey key, PrivateKey::FromBytes(secret.view()));
  return ExtendedPrivateKey{key, chain};
}

util::Result<ExtendedPrivateKey> DerivePrivateChild(const ExtendedPrivateKey& parent, uint32_t index) {
  if (parent.depth == 255) return Fail(ErrorCode::InvalidArgument, "BIP32 depth over 255");
  util::Bytes data;
  PublicKey parent_pub = parent.key.GetPublicKey().WithCompression(true);
  if (index & HARDENED) {
    data.push_back(0);
    data.insert(data.end(), parent.key.Secret().begin(), parent.key.Secret().end());
  } else {
    data = parent_pub.Serialize(true);
  }
  PutU32(data, index);
  auto i = HmacSha512(parent.chain_code.view(), data);
  util::FixedBytes<32> tweak;
  ExtendedPrivateKey out{parent.key, {}, static_cast<uint8_t>(parent.depth + 1), Fingerprint(parent_pub), index};
  Split(i, tweak, out.chain_code);
  BS_TRY(out.key, parent.key.TweakAdd(tweak));
  return out;
}

util::Result<ExtendedPublicKey> DerivePublicChild(const ExtendedPublicKey& parent, uint32_t index) {
  if (index & HARDENED) return Fail(ErrorCode::InvalidArgument, "hardened index needs the private key");
  if (parent.depth == 255) return Fail(ErrorCode::InvalidArgument, "BIP32 depth over 255");
  util::Bytes data = parent.key.Serialize(true);
  PutU32(data, index);
  auto i = HmacSha512(parent.chain_code.view(), data);
  util::FixedBytes<32> tweak;
  util::FixedBytes<32> chain;
  Split(i, tweak, chain);
  BS_TRY(PublicKey child, parent.key.TweakAdd(tweak));
  return ExtendedPublicKey{child.WithCompression(true), chain, static_cast<uint8_t>(parent.depth + 1),
                           Fingerprint(parent.key), index};
}

util::Result<ExtendedPrivateKey> DerivePath(const ExtendedPrivateKey& root, std::string_view path) {
  auto bad = [&] { return Fail(ErrorCode::InvalidArgument, "malformed BIP32 path '" + std::string(path) + "'"); };
  if (path.empty() || path[0] != 'm') return bad();
  std::string_view rest = path.substr(1);
  ExtendedPrivateKey node = root;
  while (!rest.empty()) {
    if (rest[0] != '/') return bad();
    rest.remove_prefix(1);
    std::size_t end = rest.find('/');
    std::string_view part = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
    bool hardened = !part.empty() && (part.back() == '\'' || part.back() == 'h');
    if (hardened) part.remove_suffix(1);
    uint32_t index = 0;
    auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), index);
    if (part.empty() || ec != std::errc{} || p != part.data() + part.size() || (index & HARDENED)) return bad();
    BS_TRY(node, DerivePrivateChild(node, hardened ? index | HARDENED : index));
  }
  return node;
}

std::string ToBase58(const ExtendedPrivateKey& key) {
  util::Bytes out = Header(XPRV_VERSION, key.depth, key.parent_fingerprint, key.child_number, key.chain_code);
  out.push_back(0);
  out.insert(out.end(), key.key.Secret().begin(), key.key.Secret().end());
  return EncodeBase58Check(out);
}

std::string ToBase58(const ExtendedPublicKey& key) {
  util::Bytes out = Header(XPUB_VERSION, key.depth, key.parent_fingerprint, key.child_number, key.chain_code);
  util::Bytes pub = key.key.Serialize(true);
  out.insert(out.end(), pub.begin(), pub.end());
  return EncodeBase58Check(out);
}

util::Result<ExtendedPrivateKey> PrivateFromBase58(std::string_view text) {
  BS_TRY(util::Bytes raw, DecodeBase58Check(text));
  if (raw.size() != 78 || GetU32(raw.data()) != XPRV_VERSION || raw[45] != 0) {
    return Fail(ErrorCode::InvalidArgument, "not a BIP32 extended private key (xprv)");
  }
  BS_TRY(PrivateKey key, PrivateKey::FromBytes(util::ByteView(raw.data() + 46, 32)));
  ExtendedPrivateKey out{key, {}, raw[4], GetU32(raw.data() + 5), GetU32(raw.data() + 9)};
  std::copy(raw.begin() + 13, raw.begin() + 45, out.chain_code.begin());
  return out;
}

}  // namespace blockstack::crypto
