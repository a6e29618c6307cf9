// What the explorer's page files share: reading fields from API answers that may
// hold anything, links, and the answer in its two forms (page or JSON twin).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include <explorer/html.h>
#include <net/http_server.h>

namespace blockstack::explorer::detail {

// j[key] when j is an object that has it; otherwise null. (nlohmann's const
// operator[] asserts on a missing key: answers may lack anything.)
const nlohmann::json& At(const nlohmann::json& j, std::string_view key);
// A field as text: strings as they are, numbers and booleans written out,
// anything else (absent, null, an object where a string was expected) "".
std::string Str(const nlohmann::json& j, std::string_view key);
// A field as a count (a non-negative number, or a string of digits).
std::optional<uint64_t> Num(const nlohmann::json& j, std::string_view key);
bool IsHex(std::string_view s, std::size_t n);
bool WantsJson(const net::Request& req);

std::string NameHref(std::string_view name);
std::string BlockHref(uint64_t height);
std::string AddressHref(std::string_view address);
std::string NamespaceHref(std::string_view id);
std::string TransactionHref(std::string_view txid);
// The bucket browser's page of the bucket at read URL url.
std::string BucketHref(std::string_view url);

// The model as JSON (?format=json), or the page body() renders from it.
net::Response Respond(const net::Request& req, unsigned status, const nlohmann::json& model, const PageShell& shell,
                      const std::function<std::string()>& body);
net::Response ErrorPage(const net::Request& req, unsigned status, const std::string& title, const std::string& message,
                        const std::string& search = {});
// A zone file's records as a table (or why it is not a zone file).
std::string ZonefileRecords(std::string_view text);
// Two versions of a text, line by line.
std::string Diff(std::string_view before, std::string_view after);

}  // namespace blockstack::explorer::detail
