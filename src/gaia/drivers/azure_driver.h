// The Azure Blob driver (the original's `azure`): one container (the config's
// bucket), blob name "{top}/{path}", requests signed with the account's Shared
// Key. Writes of up to 8 MiB are one Put Blob; larger ones (a spooled upload)
// go up in 8 MiB blocks read from the file, then one Put Block List makes them
// the blob: the hub never holds more than a block, and a write that fails
// halfway leaves only uncommitted blocks, which no reader sees and the service
// drops. Conditions (If-Match, If-None-Match: *) are sent with the request that
// makes the blob, so the service checks them atomically.
#pragma once

#include <map>
#include <memory>
#include <string>

#include <gaia/config.h>
#include <gaia/driver.h>

namespace blockstack::gaia {

// Creates the container if missing (public read of blobs, or private where the
// account forbids public access: reads then go through the hub). Fails with
// InvalidArgument on missing credentials or a bad endpoint, Unavailable when the
// service cannot be reached or refuses the key.
util::Result<std::unique_ptr<Driver>> MakeAzureDriver(const AzureSettings& settings, const std::string& container,
                                                      const std::string& cache_control);

// The Shared Key string to sign of one request (exposed for tests): method,
// the standard headers by name (lowercase; absent ones empty), every x-ms-
// header, and the canonical resource of account, URL path (as sent) and query.
struct AzureRequest {
  std::string method;
  std::string path;                            // URL path as sent, e.g. "/devstoreaccount1/c/a%20b"
  std::map<std::string, std::string> query;    // decoded names and values
  std::map<std::string, std::string> headers;  // lowercase names
};
std::string AzureStringToSign(const AzureRequest& req, const std::string& account);
// "SharedKey account:signature"; InvalidArgument when the key is not base64.
util::Result<std::string> AzureAuthorization(const AzureRequest& req, const AzureSettings& settings);

}  // namespace blockstack::gaia
