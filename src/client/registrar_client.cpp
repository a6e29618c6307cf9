#include <client/registrar_client.h>

#include <util/url.h>

namespace blockstack::client {
namespace {

using nlohmann::json;
using util::ErrorCode;
using util::Fail;

// The registrar's message from an answer: {"message"} or {"status"} text.
std::string MessageOf(const json& body) {
  if (body.is_object()) {
    if (body.contains("message") && body["message"].is_string()) return body["message"];
    if (body.contains("status") && body["status"].is_string()) return body["status"];
    if (body.contains("error") && body["error"].is_string()) return body["error"];
  }
  return "";
}

}  // namespace

util::Result<std::unique_ptr<RegistrarClient>> RegistrarClient::Create(const std::string& url,
                                                                       std::chrono::milliseconds timeout) {
  net::HttpClientOptions options;
  options.peer_name = "registrar";
  options.timeout = timeout;
  options.max_response_bytes = 1024 * 1024;
  BS_TRY(auto http, net::HttpClient::Create(url, options));
  std::unique_ptr<RegistrarClient> out(new RegistrarClient(url, std::move(http)));
  out->m_path = out->m_http->Url().target.substr(0, out->m_http->Url().target.find('?'));
  while (out->m_path.ends_with('/')) out->m_path.pop_back();
  return out;
}

util::Result<json> RegistrarClient::Register(const std::string& label, const std::string& owner,
                                             const std::string& zonefile, const std::string& api_key) {
  net::HeaderList headers{{"Content-Type", "application/json"}};
  if (!api_key.empty()) headers.emplace_back("Authorization", "bearer " + api_key);
  std::string body = json{{"name", label}, {"owner_address", owner}, {"zonefile", zonefile}}.dump();
  BS_TRY(auto res, m_http->Send("POST", m_path + "/register", headers, body));
  json answer = json::parse(res.body, nullptr, false);
  const std::string message = MessageOf(answer);
  if (res.status == 202 || res.status == 200) {
    if (!answer.is_object() || !answer.contains("status")) {
      return Fail(ErrorCode::Corruption, "the registrar at " + m_url + " answered " + std::to_string(res.status) +
                                             " without the API's {\"status\", \"message\"}");
    }
    if (answer["status"] != true) return Fail(ErrorCode::Conflict, "the registrar refused: " + message);
    return answer;
  }
  if (message.empty()) {
    return Fail(ErrorCode::Corruption, "the registrar at " + m_url + " answered HTTP " + std::to_string(res.status) +
                                           " with something other than the registrar API's JSON");
  }
  switch (res.status) {
    case 400:
    case 413:
      return Fail(ErrorCode::InvalidArgument, "the registrar refused: " + message);
    case 401:
    case 403:
      return Fail(ErrorCode::Unauthorized, "the registrar refused: " + message);
    case 409:
      return Fail(ErrorCode::Conflict, "the registrar refused: " + message);
    default:
      return Fail(ErrorCode::IoError, "the registrar answered HTTP " + std::to_string(res.status) + ": " + message);
  }
}

util::Result<std::string> RegistrarClient::Status(const std::string& label) {
  BS_TRY(auto res, m_http->Send("GET", m_path + "/status/" + util::PercentEncode(label, false)));
  json answer = json::parse(res.body, nullptr, false);
  const std::string message = MessageOf(answer);
  if (res.status == 404)
    return Fail(ErrorCode::NotFound, message.empty() ? "the registrar has no request for " + label : message);
  if (res.status != 200 || message.empty()) {
    return Fail(ErrorCode::Corruption,
                "the registrar's status answer is not the API's (HTTP " + std::to_string(res.status) + ")");
  }
  return message;
}

}  // namespace blockstack::client
