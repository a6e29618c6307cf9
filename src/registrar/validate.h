// The checks a registration request passes before it is queued (the original
// registrar's rules, with the reason said): the subdomain label, the owner
// address, and the subdomain's own zone file. Pure.
#pragma once

#include <string_view>

#include <bitcoin/network.h>
#include <util/result.h>

namespace blockstack::registrar {

// The most bytes a subdomain's own zone file may have here: its base64 rides in
// the domain's zone file (40 KiB for the whole batch).
inline constexpr std::size_t MAX_SUBDOMAIN_ZONEFILE_BYTES = 4096;

// A label of 1-37 characters from [a-z0-9-_+] (the original's pattern), at least
// min_length long. InvalidArgument says which rule failed; for a label shorter
// than min_length the message starts "NameLength:", as the original's did.
util::Status ValidateLabel(std::string_view label, std::size_t min_length);
// A p2pkh or p2sh address of the network.
util::Status ValidateOwner(std::string_view owner, const bitcoin::NetworkParams& net);
// UTF-8 text of at most MAX_SUBDOMAIN_ZONEFILE_BYTES.
util::Status ValidateSubdomainZonefile(std::string_view zonefile);

}  // namespace blockstack::registrar
