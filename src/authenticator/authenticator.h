// `blockstack authenticator`: a sign-in page on 127.0.0.1 for apps built with the
// original's libraries. An app sends the user to /auth?authRequest=JWT; the page
// shows the app (its manifest's name and icon, its origin), the scopes it asks
// for and the keychain's names (each identity's owner address, asked of the
// node). Approving one name:
//   1. derives that identity's app key for the app's origin (the key the
//      profile's existing bucket for the app was made with, else the original's
//      derivation; doc/keychain.md),
//   2. with store_write, records the app's bucket (hub read prefix + app
//      address) in the name's profile `apps` map, signs the profile with the
//      owner key and stores it where the name's zone file points (its path in
//      the owner's bucket on the profile hub),
//   3. redirects to the app's redirect URI with the auth response (the app key
//      encrypted to the request's transit key, the name, profile URL, hub URL,
//      node URL and an association token).
// Declining sends the app nothing (as the original Browser's Deny) and says so.
//
// A request is answered once: its jti is remembered until it expires, and the
// page's forms carry a random one-time id, so a replayed request or a form posted
// from another site is refused. Requests whose Host is not this loopback
// listener are refused (DNS rebinding). Pages carry no script and a strict CSP.
//
// Thread safety: Handle may be called from any thread; requests are answered one
// at a time.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <authenticator/messages.h>
#include <bitcoin/network.h>
#include <client/keychain.h>
#include <net/http_server.h>
#include <net/router.h>

namespace blockstack::authenticator {

struct AuthenticatorSettings {
  std::string node_url;         // the BNS node asked for names and profiles, and given to apps
  std::string hub_url;          // the Gaia hub of the apps' buckets
  std::string profile_hub_url;  // the Gaia hub holding the profiles ("" = hub_url)
  bitcoin::Network network = bitcoin::Network::Mainnet;
  uint32_t max_identities = 100;  // identity indexes scanned for names, at most
  std::chrono::seconds response_lifetime{30 * 24 * 3600};
  std::chrono::seconds pending_lifetime{600};      // an unanswered page's forms work this long
  std::chrono::milliseconds fetch_timeout{10000};  // the app manifest
  std::size_t max_manifest_bytes = 64 * 1024;
};

// One identity of the keychain that owns a name.
struct Identity {
  uint32_t index = 0;
  std::string name;
  std::string address;      // the owner address on the node's network
  std::string profile_url;  // "" when the name has no profile yet
  std::string note;         // why the profile could not be read, when it could not
};

class Authenticator {
 public:
  using Clock = std::function<int64_t()>;  // Unix seconds

  Authenticator(client::Keychain keychain, AuthenticatorSettings settings, Clock clock = nullptr);

  // The port the server listens on (for the Host check and the pages' links).
  void SetPort(uint16_t port) { m_port = port; }
  net::Response Handle(const net::Request& req);

 private:
  struct Pending {
    AuthRequest request;
    std::string app_name;
    std::vector<Identity> identities;
    int64_t created = 0;
  };

  net::Response Home(const net::Request& req);
  net::Response Auth(const net::Request& req);
  net::Response Approve(const net::Request& req);
  net::Response Decline(const net::Request& req);
  net::Response Style(const net::Request& req);
  net::Response ErrorPage(unsigned status, const std::string& title, const std::string& message);

  bool HostAllowed(const net::Request& req) const;
  bool OriginAllowed(const net::Request& req) const;
  util::Result<nlohmann::json> FetchManifest(const AuthRequest& request);
  util::Result<std::vector<Identity>> LoadIdentities();
  // The pending entry a form names, taken out of the table (each form works once).
  std::optional<Pending> TakePending(const net::Request& req, std::string* error);
  // Steps 1-3 of an approval; the redirect URL.
  util::Result<std::string> SignIn(const Pending& pending, const Identity& identity);
  void Prune(int64_t now);

  client::Keychain m_keychain;
  AuthenticatorSettings m_settings;
  Clock m_clock;
  uint16_t m_port = 0;
  net::Router m_router;
  std::mutex m_mu;
  std::map<std::string, Pending> m_pending;   // by form id
  std::map<std::string, int64_t> m_answered;  // request jti -> when it may be forgotten
};

}  // namespace blockstack::authenticator
