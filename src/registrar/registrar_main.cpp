// bns-registrar's command line: options, the domain owner's keys, the checks at
// start, the HTTP server and the batcher thread.
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <pthread.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <thread>

#include <bitcoin/address.h>
#include <client/keychain.h>
#include <registrar/registrar.h>
#include <util/log.h>
#include <util/stop_signals.h>
#include <util/text.h>
#include <util/url.h>
#include <util/version.h>

namespace blockstack::registrar {
namespace {

// A key spec from a file (its first line) or an environment variable: one key
// (WIF or hex, or with a keychain owner:N or payment:N), or a multisig in the
// original CLI's syntax (M,KEY1,...,KEYn or segwit:p2sh:M,KEY1,...). nullopt when
// neither is given.
util::Result<std::optional<bitcoin::Spender>> SpenderFrom(const std::string& file, const char* env, const char* what,
                                                          const std::optional<client::Keychain>& keychain) {
  std::string text;
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in) return util::Fail(util::ErrorCode::NotFound, std::string("cannot read the ") + what + " file " + file);
    std::getline(in, text);
  } else if (const char* v = std::getenv(env)) {
    text = v;
  } else {
    return std::optional<bitcoin::Spender>{};
  }
  auto resolve = [&](const std::string& spec) -> util::Result<crypto::PrivateKey> {
    std::string key(util::TrimBlanks(spec));
    for (const char* path : {"owner", "payment"}) {
      const std::string prefix = std::string(path) + ":";
      if (key != path && !key.starts_with(prefix)) continue;
      if (!keychain) return util::Fail(util::ErrorCode::InvalidArgument, key + " needs --mnemonic-file");
      auto index = key == path ? std::optional<uint64_t>(0) : util::ParseDecimal(key.substr(prefix.size()), 0x7fffffff);
      if (!index) return util::Fail(util::ErrorCode::InvalidArgument, key + ": the index is a number");
      return key.starts_with("owner") ? keychain->OwnerKey(static_cast<uint32_t>(*index))
                                      : keychain->PaymentKey(static_cast<uint32_t>(*index));
    }
    auto parsed = util::IsHex(key) ? crypto::PrivateKey::FromHex(key) : crypto::PrivateKey::FromWif(key);
    if (!parsed) return util::Fail(util::ErrorCode::InvalidArgument, "a key is neither WIF nor hex");
    return *parsed;
  };
  auto spender = bitcoin::ParseSpenderSpec(util::TrimBlanks(text), resolve);
  if (!spender) return util::Fail(spender.error().code, std::string("the ") + what + ": " + spender.error().message);
  return std::optional<bitcoin::Spender>(std::move(*spender));
}

}  // namespace

int RunRegistrar(int argc, char** argv) {
  CLI::App app{"bns-registrar: gives out subdomains of one BNS name, anchored in batches"};
  RegistrarConfig cfg;
  std::string network = "mainnet", bitcoind, wallet_rpc, db_path = "registrar.db", listen = "127.0.0.1:3000";
  std::string key_file, payer_file, mnemonic_file, log_level = "info";
  std::vector<std::string> nodes;
  app.set_version_flag("--version", std::string("bns-registrar ") + util::VERSION);
  app.add_option("--domain", cfg.domain, "The name whose subdomains are given out (its owner's key signs)")->required();
  app.add_option("--key-file", key_file,
                 "The domain owner's key: WIF, hex, owner:N with a keychain, or a multisig M,KEY1,...,KEYn "
                 "(segwit:p2sh:M,...) (default $BLOCKSTACK_REGISTRAR_KEY)");
  app.add_option("--mnemonic-file", mnemonic_file,
                 "A keychain's seed phrase, for owner:N and payment:N keys (passphrase: $BLOCKSTACK_PASSPHRASE)");
  app.add_option("--payer-key-file", payer_file,
                 "Another key that pays the fees (default $BLOCKSTACK_REGISTRAR_PAYER_KEY; else the owner pays)");
  app.add_option("--network", network, "mainnet, testnet or regtest")->capture_default_str();
  app.add_option("--bitcoind", bitcoind, "Bitcoin node RPC URL, http://USER:PASS@HOST:PORT")
      ->required()
      ->envname("BLOCKSTACK_BITCOIND");
  app.add_option("--wallet-rpc", wallet_rpc, "Wallet RPC URL for listunspent (default: --bitcoind)");
  app.add_option("--node", nodes, "blockstackd API URL (repeatable; the first is asked, all get the zone files)")
      ->required();
  app.add_option("--db", db_path, "The queue's SQLite file")->capture_default_str();
  app.add_option("--listen", listen, "HOST:PORT for the HTTP API (port 0 picks one)")->capture_default_str();
  app.add_option("--resolver-url", cfg.resolver_url,
                 "This registrar's public URL, for the _resolver record (default http://<listen>)");
  app.add_option(
         "--batch-size", cfg.batch_max,
         "Subdomains in one batch at most; a batch is cut when this many wait (above 1000: by the interval only)")
      ->capture_default_str();
  app.add_option("--batch-interval", cfg.batch_interval_s, "Seconds a request waits at most for a batch")
      ->capture_default_str();
  app.add_option("--ip-limit", cfg.ip_limit, "Registrations per IP address (0: no limit)")->capture_default_str();
  app.add_option("--owner-limit", cfg.owner_limit, "Registrations per owner address (0: no limit)")
      ->capture_default_str();
  app.add_option("--api-key", cfg.api_keys, "A key that skips the limits (Authorization: bearer KEY; repeatable)");
  app.add_flag("--api-key-required", cfg.api_key_required, "Only registrations with an API key");
  app.add_option("--name-min-length", cfg.name_min_length, "Shortest subdomain label taken")->capture_default_str();
  app.add_option("--confirmations", cfg.confirmations, "Blocks on a batch before its zone file goes out")
      ->capture_default_str();
  app.add_option("--final-confirmations", cfg.final_confirmations,
                 "Blocks on a published batch before it is no longer watched for reorganisations")
      ->capture_default_str();
  app.add_option("--resend-after", cfg.unseen_drop_s,
                 "Seconds a sent batch may be unknown to the Bitcoin node before it is sent again")
      ->capture_default_str();
  app.add_option("--fee-rate", cfg.fee_rate, "Satoshis per byte")->capture_default_str();
  app.add_option("--magic", cfg.magic, "Two-character payload prefix")->capture_default_str();
  app.add_option("--log-level", log_level, "trace, debug, info, warn or error")->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  auto fail = [](const std::string& msg, int code = 2) {
    std::cerr << "bns-registrar: " << msg << "\n";
    return code;
  };
  if (auto st = util::InitLogging(log_level); !st) return fail(st.error().message);
  auto net = bitcoin::ParseNetwork(network);
  if (!net) return fail("unknown network '" + network + "' (mainnet, testnet, regtest)");
  cfg.network = *net;
  if (cfg.batch_max == 0 || cfg.batch_interval_s < 0) return fail("--batch-size must be positive");
  std::optional<client::Keychain> keychain;
  if (!mnemonic_file.empty()) {
    std::ifstream in(mnemonic_file);
    if (!in) return fail("cannot read the mnemonic file " + mnemonic_file);
    std::string words((std::istreambuf_iterator<char>(in)), {});
    const char* pass = std::getenv("BLOCKSTACK_PASSPHRASE");
    auto kc = client::Keychain::FromMnemonic(util::TrimBlanks(words), pass ? pass : "");
    if (!kc) return fail("--mnemonic-file: " + kc.error().message);
    keychain = std::move(*kc);
  }
  auto owner = SpenderFrom(key_file, "BLOCKSTACK_REGISTRAR_KEY", "owner key", keychain);
  if (!owner) return fail(owner.error().message);
  if (!*owner) return fail("the domain owner's key is needed: --key-file FILE or BLOCKSTACK_REGISTRAR_KEY");
  auto payer = SpenderFrom(payer_file, "BLOCKSTACK_REGISTRAR_PAYER_KEY", "payer key", keychain);
  if (!payer) return fail(payer.error().message);
  auto hp = util::ParseHostPort(listen, true);
  if (!hp) return fail("--listen: " + hp.error().message);

  std::vector<std::unique_ptr<client::NodeClient>> node_clients;
  for (const auto& url : nodes) {
    auto c = client::NodeClient::Create(url);
    if (!c) return fail("--node " + url + ": " + c.error().message);
    node_clients.push_back(std::move(*c));
  }
  // The key must own the domain, on the node's word.
  auto domain = node_clients.front()->Name(cfg.domain);
  if (!domain) return fail("cannot ask " + nodes.front() + " about " + cfg.domain + ": " + domain.error().message, 3);
  if (domain->state != client::NameState::Registered) return fail(cfg.domain + " is not a registered name", 3);
  const auto& params = bitcoin::Params(cfg.network);
  const std::string owner_address = bitcoin::AddressFromScript((*owner)->ScriptPubKey(), params).value_or("");
  if (domain->address != owner_address) {
    return fail(cfg.domain + " is owned by " + domain->address + ", not by the key given (" + owner_address + ")", 3);
  }
  auto rpc = bitcoin::rpc::RpcClient::Create(bitcoind);
  if (!rpc) return fail("--bitcoind: " + rpc.error().message);
  auto wallet = bitcoin::rpc::RpcClient::Create(wallet_rpc.empty() ? bitcoind : wallet_rpc);
  if (!wallet) return fail("--wallet-rpc: " + wallet.error().message);
  auto db = RegistrarDb::Open(db_path);
  if (!db) return fail(db.error().message, 3);

  util::StopSignals stop_signals;

  net::ServerOptions options;
  options.max_body_bytes = 64 * 1024;
  options.threads = 1;
  options.worker_threads = 2;
  std::unique_ptr<Registrar> registrar;
  auto server = net::HttpServer::Start(
      hp->first, hp->second, [&registrar](const net::Request& req) { return registrar->Handle(req); }, options);
  if (!server) return fail(server.error().message, 3);
  const std::string url = "http://" + hp->first + ":" + std::to_string((*server)->Port());
  if (cfg.resolver_url.empty()) cfg.resolver_url = url;
  registrar = std::make_unique<Registrar>(std::move(cfg), std::move(**owner), std::move(*payer), std::move(*db),
                                          std::move(node_clients), std::move(*rpc), std::move(*wallet));
  std::jthread batcher([&registrar](std::stop_token stop) {
    while (!stop.stop_requested()) {
      registrar->Tick();
      for (int i = 0; i < 5 && !stop.stop_requested(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  // Tests and scripts read this line to learn the port.
  std::cout << "bns-registrar listening on " << url << " for " << registrar->Domain() << std::endl;
  spdlog::info("bns-registrar: stopping on signal {}", stop_signals.Wait());
  batcher.request_stop();
  batcher.join();
  (*server)->Stop();
  return 0;
}

}  // namespace blockstack::registrar
