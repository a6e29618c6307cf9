#include <registrar/validate.h>

#include <algorithm>
#include <string>

#include <bitcoin/address.h>
#include <util/json_text.h>

namespace blockstack::registrar {

using util::ErrorCode;
using util::Fail;

util::Status ValidateLabel(std::string_view label, std::size_t min_length) {
  auto allowed = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '+';
  };
  if (label.empty() || label.size() > 37) {
    return Fail(ErrorCode::InvalidArgument, "a subdomain name is 1 to 37 characters");
  }
  if (!std::all_of(label.begin(), label.end(), allowed)) {
    return Fail(ErrorCode::InvalidArgument, "a subdomain name has only a-z, 0-9, '-', '_' and '+'");
  }
  if (label.size() < min_length) {
    return Fail(ErrorCode::InvalidArgument,
                "NameLength: Username must be " + std::to_string(min_length) + " characters or longer.");
  }
  return util::Ok();
}

util::Status ValidateOwner(std::string_view owner, const bitcoin::NetworkParams& net) {
  auto decoded = bitcoin::DecodeAddress(owner);
  if (!decoded) return Fail(ErrorCode::InvalidArgument, "owner_address is not a base58check address");
  if (decoded->version != net.p2pkh_version && decoded->version != net.p2sh_version) {
    return Fail(ErrorCode::InvalidArgument, std::string("owner_address is not a ") + net.name + " address");
  }
  return util::Ok();
}

util::Status ValidateSubdomainZonefile(std::string_view zonefile) {
  if (zonefile.size() > MAX_SUBDOMAIN_ZONEFILE_BYTES) {
    return Fail(ErrorCode::TooLarge,
                "the zone file is over " + std::to_string(MAX_SUBDOMAIN_ZONEFILE_BYTES) + " bytes");
  }
  if (!util::IsValidUtf8(zonefile)) return Fail(ErrorCode::InvalidArgument, "the zone file is not UTF-8 text");
  return util::Ok();
}

}  // namespace blockstack::registrar
