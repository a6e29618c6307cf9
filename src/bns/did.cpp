#include <bns/did.h>

#include <algorithm>

#include <bitcoin/address.h>
#include <util/text.h>

namespace blockstack::bns {

using util::ErrorCode;
using util::Fail;

namespace {

constexpr std::string_view PREFIX = "did:stack:v0:";

bool IsP2shVersion(uint8_t version, const bitcoin::NetworkParams& net) {
  return version == net.p2sh_version || version == bitcoin::Params(bitcoin::Network::Mainnet).p2sh_version ||
         version == bitcoin::Params(bitcoin::Network::Testnet).p2sh_version;
}

}  // namespace

util::Result<Did> ParseDid(std::string_view text) {
  const auto invalid = [&] { return Fail(ErrorCode::InvalidArgument, "Invalid DID"); };
  if (!text.starts_with(PREFIX)) return invalid();
  text.remove_prefix(PREFIX.size());
  auto dash = text.find('-');
  if (dash == std::string_view::npos) return invalid();
  std::string_view address = text.substr(0, dash), digits = text.substr(dash + 1);
  // The address is base58check (DecodeAddress refuses any other character).
  if (address.size() < 25 || address.size() > 35 || digits.empty() ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return invalid();
  }
  auto decoded = bitcoin::DecodeAddress(address);
  if (!decoded) return invalid();
  // Digits only: it fails only past 64 bits (leading zeros allowed).
  auto index = util::ParseDecimal(digits, UINT64_MAX, digits.size());
  if (!index) return Fail(ErrorCode::NotFound, "no name has index " + std::string(digits));
  Did did;
  did.hash = decoded->hash;
  did.index = *index;
  const auto& net = bitcoin::Params(bitcoin::Network::Mainnet);
  did.subdomain = decoded->version == SUBDOMAIN_DID_VERSION || decoded->version == SUBDOMAIN_DID_P2SH_VERSION;
  did.p2sh = did.subdomain ? decoded->version == SUBDOMAIN_DID_P2SH_VERSION : IsP2shVersion(decoded->version, net);
  return did;
}

util::Result<std::string> NameDid(std::string_view creator, uint64_t index, const bitcoin::NetworkParams& net) {
  auto decoded = bitcoin::DecodeAddress(creator);
  if (!decoded) return Fail(ErrorCode::InvalidArgument, "not an address: " + std::string(creator));
  uint8_t version = IsP2shVersion(decoded->version, net) ? net.p2sh_version : net.p2pkh_version;
  return std::string(PREFIX) + bitcoin::AddressFromHash160(decoded->hash, version) + "-" + std::to_string(index);
}

util::Result<std::string> SubdomainDid(std::string_view creator, uint64_t index) {
  auto decoded = bitcoin::DecodeAddress(creator);
  if (!decoded) return Fail(ErrorCode::InvalidArgument, "not an address: " + std::string(creator));
  const auto& main = bitcoin::Params(bitcoin::Network::Mainnet);
  uint8_t version = IsP2shVersion(decoded->version, main) ? SUBDOMAIN_DID_P2SH_VERSION : SUBDOMAIN_DID_VERSION;
  return std::string(PREFIX) + bitcoin::AddressFromHash160(decoded->hash, version) + "-" + std::to_string(index);
}

std::vector<std::string> OwnerForms(const util::Hash160& hash, bool p2sh, const bitcoin::NetworkParams& net) {
  const auto& main = bitcoin::Params(bitcoin::Network::Mainnet);
  std::vector<std::string> out{bitcoin::AddressFromHash160(hash, p2sh ? net.p2sh_version : net.p2pkh_version)};
  if (net.network != bitcoin::Network::Mainnet) {
    out.push_back(bitcoin::AddressFromHash160(hash, p2sh ? main.p2sh_version : main.p2pkh_version));
  }
  return out;
}

std::vector<std::string> OwnerForms(std::string_view address, const bitcoin::NetworkParams& net) {
  auto decoded = bitcoin::DecodeAddress(address);
  if (!decoded) return {std::string(address)};
  return OwnerForms(decoded->hash, IsP2shVersion(decoded->version, net), net);
}

}  // namespace blockstack::bns
