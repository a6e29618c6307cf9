#include <gaia/drivers/s3_driver.h>

#include <gtest/gtest.h>

#include <util/url.h>

namespace blockstack::gaia {
namespace {

S3Settings ExampleCredentials() {
  S3Settings s;
  s.access_key_id = "AKIAIOSFODNN7EXAMPLE";
  s.secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  s.region = "us-east-1";
  return s;
}

// AWS's published "GET Object" example (virtual-host addressing).
TEST(SigV4Test, AwsGetObjectExample) {
  SigV4Request req;
  req.method = "GET";
  req.host = "examplebucket.s3.amazonaws.com";
  req.canonical_uri = "/test.txt";
  req.payload_sha256_hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  req.headers = {{"range", "bytes=0-9"},
                 {"x-amz-content-sha256", req.payload_sha256_hex},
                 {"x-amz-date", "20130524T000000Z"}};
  EXPECT_EQ(SigV4Authorization(req, ExampleCredentials(), "20130524T000000Z"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4Test, UriEncoding) {
  EXPECT_EQ(util::PercentEncode("a b/c~d$e", true), "a%20b/c~d%24e");
  EXPECT_EQ(util::PercentEncode("a/b", false), "a%2Fb");
}

}  // namespace
}  // namespace blockstack::gaia
