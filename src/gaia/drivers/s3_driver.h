// The S3 driver (spec gaia.md §3.2): one bucket, object key "{top}/{path}",
// requests signed with AWS Signature Version 4, path-style or virtual-host
// addressing. Works with AWS and S3-compatible servers reachable over http://
// (for AWS itself put a TLS-terminating proxy in front, see doc/gaia.md).
#pragma once

#include <map>
#include <memory>
#include <string>

#include <gaia/config.h>
#include <gaia/driver.h>

namespace blockstack::gaia {

// Connects lazily; creates the bucket (public-read) if it is missing. Fails with
// InvalidArgument on a bad endpoint or missing credentials, Unavailable when the
// server cannot be reached.
util::Result<std::unique_ptr<Driver>> MakeS3Driver(const S3Settings& settings, const std::string& bucket,
                                                   const std::string& cache_control);

// One SigV4-signed request's headers. Exposed for tests.
struct SigV4Request {
  std::string method;
  std::string host;                               // Host header value
  std::string canonical_uri;                      // already URI-encoded, e.g. "/bucket/key"
  std::map<std::string, std::string> query;       // decoded names and values
  std::map<std::string, std::string> headers;     // lowercase names; host is added
  std::string payload_sha256_hex;
};

// The Authorization header value for req at amz_date ("20130524T000000Z"). The
// request's headers must already hold x-amz-date and x-amz-content-sha256.
std::string SigV4Authorization(const SigV4Request& req, const S3Settings& settings, const std::string& amz_date);

}  // namespace blockstack::gaia
