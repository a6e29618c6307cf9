#include <cli/common.h>

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <iterator>

#include <bitcoin/rpc/rpc_client.h>
#include <util/text.h>

#include <cstdlib>

namespace blockstack::cli {

void Report(Globals& g, const util::Error& e) { ReportExit(g, ExitCodeFor(e.code), e.message); }

void ReportSent(Globals& g, const util::Error& e) {
  if (e.code == util::ErrorCode::Conflict) return ReportExit(g, EXIT_REFUSED, e.message);
  Report(g, e);
}

void ReportExit(Globals& g, int exit_code, const std::string& message) {
  std::cerr << "error: " << message << "\n";
  if (g.json_output && !g.printed) {
    std::cout << nlohmann::json{{"error", message}, {"exit_code", exit_code}}.dump(
                     2, ' ', false, nlohmann::json::error_handler_t::replace)
              << "\n";
  }
  g.rc = exit_code;
}

void Print(const Globals& g, const nlohmann::json& j, const std::string& human) {
  g.printed = true;
  if (g.json_output) {
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << human;
  }
}

util::Result<bitcoin::NetworkParams> NetworkOf(const Globals& g) {
  auto n = bitcoin::ParseNetwork(g.network);
  if (!n) {
    return util::Fail(util::ErrorCode::InvalidArgument,
                      "unknown network '" + g.network + "' (mainnet, testnet, regtest)");
  }
  return bitcoin::Params(*n);
}

util::Result<std::unique_ptr<bitcoin::rpc::RpcClient>> BitcoinRpc(const std::string& url) {
  if (url.empty()) {
    return util::Fail(util::ErrorCode::InvalidArgument, "--bitcoind http://USER:PASS@HOST:PORT is required");
  }
  return bitcoin::rpc::RpcClient::Create(url);
}

util::Result<crypto::PrivateKey> ParseKey(const std::string& text) {
  if (util::IsHex(text) && (text.size() == 64 || text.size() == 66)) return crypto::PrivateKey::FromHex(text);
  auto k = crypto::PrivateKey::FromWif(text);
  if (!k) {
    return util::Fail(util::ErrorCode::InvalidArgument, "key is neither WIF nor 32-byte hex: " + k.error().message);
  }
  return k;
}

bool KeyOpts::HasKeychain() const {
  const char* env = std::getenv("BLOCKSTACK_MNEMONIC");
  return !mnemonic_file.empty() || (env && *env);
}

void AddKeychainOptions(CLI::App* c, KeyOpts& o) {
  c->add_option("--mnemonic-file", o.mnemonic_file,
                "A file holding the keychain's mnemonic (or the wallet's encrypted mnemonic, hex); default "
                "$BLOCKSTACK_MNEMONIC");
  c->add_option("--passphrase-file", o.passphrase_file,
                "A file holding the mnemonic's BIP39 passphrase; default $BLOCKSTACK_PASSPHRASE");
  c->add_option("--password-file", o.password_file,
                "A file holding the password of an encrypted mnemonic; default $BLOCKSTACK_PASSWORD");
  c->add_option("--identity-index", o.identity, "The keychain's identity (owner key) index")->capture_default_str();
}

util::Result<std::string> SecretFrom(const std::string& file, const char* env_name, const std::string& what) {
  if (!file.empty()) {
    auto text = ReadFileText(file);
    if (!text) return util::Fail(text.error().code, "cannot read the " + what + " file " + file);
    std::string s = std::move(*text);
    if (!s.empty() && s.back() == '\n') s.pop_back();
    if (!s.empty() && s.back() == '\r') s.pop_back();
    return s;
  }
  const char* env = env_name ? std::getenv(env_name) : nullptr;
  if (env) return std::string(env);
  return util::Fail(util::ErrorCode::NotFound, "no " + what + " given");
}

util::Result<client::Keychain> LoadKeychain(const KeyOpts& o) {
  auto text = SecretFrom(o.mnemonic_file, "BLOCKSTACK_MNEMONIC", "mnemonic");
  if (!text) {
    if (text.error().code != util::ErrorCode::NotFound || !o.mnemonic_file.empty()) return util::Fail(text.error());
    return util::Fail(util::ErrorCode::InvalidArgument,
                      "no keychain: give --mnemonic-file FILE or set BLOCKSTACK_MNEMONIC");
  }
  std::string mnemonic(util::TrimBlanks(*text));
  if (util::IsHex(mnemonic) && !mnemonic.empty()) {
    auto password = SecretFrom(o.password_file, "BLOCKSTACK_PASSWORD", "password");
    if (!password) {
      return util::Fail(util::ErrorCode::InvalidArgument,
                        "the mnemonic is encrypted: give --password-file FILE or set BLOCKSTACK_PASSWORD");
    }
    BS_TRY(auto data, util::FromHex(mnemonic));
    BS_TRY(mnemonic, client::DecryptMnemonic(data, *password));
  }
  std::string passphrase;
  if (auto p = SecretFrom(o.passphrase_file, "BLOCKSTACK_PASSPHRASE", "passphrase")) {
    passphrase = std::move(*p);
  } else if (!o.passphrase_file.empty()) {
    return util::Fail(p.error());
  }
  auto kc = client::Keychain::FromMnemonic(mnemonic, passphrase);
  if (!kc) return util::Fail(kc.error().code, "malformed mnemonic: " + kc.error().message);
  return kc;
}

namespace {

util::Result<uint32_t> IndexAfter(std::string_view spec, std::size_t prefix, uint32_t fallback) {
  if (spec.size() == prefix) return fallback;
  if (spec[prefix] != ':') return util::Fail(util::ErrorCode::InvalidArgument, "malformed key spec");
  auto v = util::ParseDecimal(spec.substr(prefix + 1), 0x7fffffff, 10);
  if (!v) return util::Fail(util::ErrorCode::InvalidArgument, "a key index is a number below 2^31");
  return static_cast<uint32_t>(*v);
}

util::Result<crypto::PrivateKey> ResolveSpec(const KeyOpts& o, const std::string& spec, int depth) {
  std::string_view s = spec;
  if (s.starts_with("env:") || s.starts_with("file:")) {
    if (depth > 0)
      return util::Fail(util::ErrorCode::InvalidArgument, "a key spec from env: or file: cannot point further");
    bool env = s.starts_with("env:");
    std::string where(s.substr(env ? 4 : 5));
    std::string inner;
    if (env) {
      const char* v = std::getenv(where.c_str());
      if (!v) return util::Fail(util::ErrorCode::InvalidArgument, "the environment variable " + where + " is not set");
      inner = v;
    } else {
      BS_TRY(std::string text, ReadFileText(where));
      inner = std::string(util::TrimBlanks(text.substr(0, text.find('\n'))));
    }
    return ResolveSpec(o, std::string(util::TrimBlanks(inner)), depth + 1);
  }
  bool owner = s == "owner" || s.starts_with("owner:");
  bool payment = s == "payment" || s.starts_with("payment:");
  bool app = s.starts_with("app:");
  if (owner || payment || app) {
    BS_TRY(auto kc, LoadKeychain(o));
    if (owner) {
      BS_TRY(uint32_t i, IndexAfter(s, 5, o.identity));
      return kc.OwnerKey(i);
    }
    if (payment) {
      BS_TRY(uint32_t i, IndexAfter(s, 7, 0));
      return kc.PaymentKey(i);
    }
    if (s.size() == 4) return util::Fail(util::ErrorCode::InvalidArgument, "app:ORIGIN needs the app's origin");
    return kc.AppKey(o.identity, s.substr(4));
  }
  return ParseKey(spec);
}

}  // namespace

util::Result<crypto::PrivateKey> ResolveKey(const KeyOpts& o, const std::string& spec, bool owner_default) {
  if (spec.empty()) {
    if (owner_default && o.HasKeychain()) return ResolveSpec(o, "owner", 0);
    return util::Fail(util::ErrorCode::InvalidArgument,
                      owner_default ? "no key: give --key KEY (WIF, hex, env:VAR or file:PATH), or a keychain "
                                      "(--mnemonic-file FILE or BLOCKSTACK_MNEMONIC)"
                                    : "no key: give --key KEY (WIF, hex, env:VAR, file:PATH, or with a keychain "
                                      "owner[:N], payment[:N] or app:ORIGIN)");
  }
  return ResolveSpec(o, spec, 0);
}

util::Result<bitcoin::Spender> ResolveSpender(const KeyOpts& o, const std::string& spec, bool owner_default) {
  std::string text = spec;
  if (text.starts_with("env:") || text.starts_with("file:")) {
    // The whole spec may sit in a variable or file; a single key there resolves below.
    std::string where = text.substr(text.find(':') + 1);
    if (text.starts_with("env:")) {
      const char* v = std::getenv(where.c_str());
      if (!v) return util::Fail(util::ErrorCode::InvalidArgument, "the environment variable " + where + " is not set");
      text = v;
    } else {
      BS_TRY(std::string content, ReadFileText(where));
      text = content.substr(0, content.find('\n'));
    }
    text = std::string(util::TrimBlanks(text));
    if (text.starts_with("env:") || text.starts_with("file:")) {
      return util::Fail(util::ErrorCode::InvalidArgument, "a key spec from env: or file: cannot point further");
    }
  }
  // One key may be any key spec (a keychain's owner:N too); those of a multisig
  // are keys alone.
  const bool multi = text.starts_with("segwit:p2sh:") || text.find(',') != std::string::npos;
  return bitcoin::ParseSpenderSpec(
      text, [&](const std::string& key) { return ResolveKey(o, key, multi ? false : owner_default); });
}

util::Result<std::string> ReadFileText(const std::string& path) {
  if (path == "-") return std::string(std::istreambuf_iterator<char>(std::cin), {});
  std::ifstream in(path, std::ios::binary);
  if (!in) return util::Fail(util::ErrorCode::NotFound, "cannot read " + path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void AddRevealOptions(CLI::App* c, RevealArgs& a) {
  c->add_option("--lifetime", a.lifetime, "Name lifetime in blocks (4294967295: forever)")->required();
  c->add_option("--coeff", a.coeff, "Price coefficient 0-255")->required();
  c->add_option("--base", a.base, "Price base 0-255")->required();
  c->add_option("--buckets", a.buckets, "16 comma-separated exponents 0-15")->required();
  c->add_option("--nonalpha-discount", a.nonalpha, "1-15")->capture_default_str();
  c->add_option("--no-vowel-discount", a.novowel, "1-15")->capture_default_str();
  c->add_option("--version", a.version, "1 burn, 2 pay the creator, 3 STACKS")->capture_default_str();
}

util::Result<bns::ops::RevealOp> MakeRevealOp(const std::string& namespace_id, const RevealArgs& a, int max_version) {
  bns::ops::RevealOp r;
  r.namespace_id = namespace_id;
  r.lifetime = a.lifetime;
  r.coeff = a.coeff;
  r.base = a.base;
  r.nonalpha_discount = a.nonalpha;
  r.no_vowel_discount = a.novowel;
  r.version = a.version;
  auto parts = util::SplitList(a.buckets, ',');
  if (parts.size() != 16) return util::Fail(util::ErrorCode::InvalidArgument, "--buckets takes 16 numbers 0-15");
  for (std::size_t i = 0; i < 16; ++i) {
    auto v = util::ParseDecimal(parts[i], 15, 2);
    if (!v) return util::Fail(util::ErrorCode::InvalidArgument, "--buckets takes 16 numbers 0-15");
    r.buckets[i] = static_cast<uint8_t>(*v);
  }
  if (r.coeff > 255 || r.base > 255 || r.nonalpha_discount < 1 || r.nonalpha_discount > 15 ||
      r.no_vowel_discount < 1 || r.no_vowel_discount > 15 || r.version < 1 || r.version > max_version) {
    return util::Fail(util::ErrorCode::InvalidArgument, "namespace parameters out of range");
  }
  return r;
}

Progress::Progress(std::size_t total_steps, bool quiet)
    : m_total(total_steps), m_quiet(quiet), m_tty(isatty(STDERR_FILENO) == 1) {}

void Progress::Draw(const std::string& line, bool final) {
  if (m_quiet) return;
  if (m_tty) {
    constexpr std::size_t WIDTH = 20;
    std::size_t filled = m_total ? WIDTH * (final ? m_step : m_step - 1) / m_total : WIDTH;
    std::cerr << "\r\x1b[2K[" << std::string(filled, '#') << std::string(WIDTH - filled, ' ') << "] " << line
              << (final ? "\n" : "") << std::flush;
  } else {
    std::cerr << line << "\n";
  }
}

void Progress::Step(std::size_t step, const std::string& what) {
  m_step = step;
  m_what = what;
  m_last_detail.clear();
  Draw(fmt::format("{}/{} {}", m_step, m_total, m_what), false);
}

void Progress::Detail(const std::string& detail) {
  if (detail == m_last_detail) return;
  m_last_detail = detail;
  Draw(fmt::format("{}/{} {}: {}", m_step, m_total, m_what, detail), false);
}

void Progress::Done(const std::string& what) { Draw(fmt::format("{}/{} {}", m_step, m_total, what), true); }

}  // namespace blockstack::cli
