// Base58check addresses for p2pkh and p2sh scripts, per network.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <bitcoin/network.h>
#include <bitcoin/script.h>
#include <crypto/keys.h>
#include <util/result.h>

namespace blockstack::bitcoin {

// The address of a p2pkh or p2sh scriptPubKey; nullopt for any other script.
std::optional<std::string> AddressFromScript(ByteView script, const NetworkParams& params);
// The p2pkh address of a public key, hashed in the form it carries (compressed or not).
std::string P2pkhAddress(const crypto::PublicKey& key, const NetworkParams& params);
std::string AddressFromHash160(const util::Hash160& hash, uint8_t version);

struct DecodedAddress {
  uint8_t version = 0;
  util::Hash160 hash;
};
// Decodes any 21-byte base58check address, whatever its version byte.
util::Result<DecodedAddress> DecodeAddress(std::string_view address);
// The scriptPubKey paying an address of this network (in its usual form or the
// alternative one, e.g. bcoin's regtest form). Fails with InvalidArgument when
// the address is malformed or of another network.
util::Result<Bytes> ScriptFromAddress(std::string_view address, const NetworkParams& params);

}  // namespace blockstack::bitcoin
