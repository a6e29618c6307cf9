// `blockstack authenticator`: the sign-in page for apps (src/authenticator/),
// served on 127.0.0.1 until interrupted.
#include <cli/common.h>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <csignal>
#include <iostream>

#include <authenticator/authenticator.h>
#include <net/http_server.h>
#include <util/stop_signals.h>
#include <util/url.h>

namespace blockstack::cli {

namespace {

struct AuthenticatorOpts {
  std::string hub, profile_hub, host = "127.0.0.1";
  uint16_t port = 8888;
  uint32_t max_identities = 100;
  KeyOpts keys;
};

}  // namespace

void AddAuthenticatorCommand(CLI::App& app, Globals& g) {
  auto o = std::make_shared<AuthenticatorOpts>();
  auto* cmd = app.add_subcommand(
      "authenticator",
      "Serve the sign-in page apps send users to (http://127.0.0.1:PORT/auth), answering with the keychain's names "
      "(doc/authenticator.md)");
  cmd->add_option("--hub", o->hub, "Gaia hub URL of the apps' buckets")->required();
  cmd->add_option("--profile-hub", o->profile_hub, "Gaia hub URL holding the names' profiles (default: --hub)");
  cmd->add_option("--port", o->port, "Port on 127.0.0.1 (0 picks a free one)")->capture_default_str();
  cmd->add_option("--max-identities", o->max_identities, "Identity indexes scanned for names, at most")
      ->capture_default_str()
      ->check(CLI::Range(1, 65536));
  AddKeychainOptions(cmd, o->keys);
  cmd->callback([&g, o] {
    auto st = [&]() -> util::Status {
      BS_TRY(auto keychain, LoadKeychain(o->keys));
      BS_TRY(auto params, NetworkOf(g));
      for (const auto& [what, url] :
           {std::pair{"--hub", o->hub}, std::pair{"--profile-hub", o->profile_hub}, std::pair{"--node", g.node}}) {
        if (url.empty()) continue;
        if (auto parsed = util::ParseUrl(url); !parsed) {
          return util::Fail(util::ErrorCode::InvalidArgument, std::string(what) + ": " + parsed.error().message);
        }
      }
      authenticator::AuthenticatorSettings settings;
      settings.node_url = g.node;
      while (settings.node_url.ends_with("/")) settings.node_url.pop_back();
      settings.hub_url = o->hub;
      settings.profile_hub_url = o->profile_hub;
      settings.network = params.network;
      settings.max_identities = o->max_identities;
      auto auth = std::make_shared<authenticator::Authenticator>(std::move(keychain), settings);

      util::StopSignals stop_signals;
      net::ServerOptions options;
      options.max_body_bytes = 64 * 1024;
      BS_TRY(auto server,
             net::HttpServer::Start(
                 o->host, o->port, [auth](const net::Request& req) { return auth->Handle(req); }, options));
      auth->SetPort(server->Port());
      const std::string url = "http://127.0.0.1:" + std::to_string(server->Port());
      Print(g, {{"url", url}, {"auth_url", url + "/auth"}, {"node", settings.node_url}, {"hub", settings.hub_url}},
            "authenticator: " + url + "/auth (apps' authenticatorURL); Ctrl-C stops it\n");
      std::cout.flush();
      spdlog::info("authenticator: stopping on signal {}", stop_signals.Wait());
      server->Stop();
      return util::Ok();
    }();
    if (!st) Report(g, st.error());
  });
}

}  // namespace blockstack::cli
