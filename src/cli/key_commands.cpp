// `blockstack keys`: single keys, the keychain of a mnemonic, encrypted mnemonics
// and addresses across networks.
#include <cli/common.h>

#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include <bitcoin/address.h>
#include <client/keychain.h>
#include <crypto/bip39.h>
#include <crypto/hash.h>
#include <util/text.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace blockstack::cli {
namespace {

using nlohmann::json;
using util::ErrorCode;
using util::Fail;

constexpr bitcoin::Network kNetworks[] = {bitcoin::Network::Mainnet, bitcoin::Network::Testnet,
                                          bitcoin::Network::Regtest};

json KeyJson(const crypto::PrivateKey& key) {
  json j;
  auto pub = key.GetPublicKey();
  j["private_key"] = key.Hex() + (key.IsCompressed() ? "01" : "");
  j["public_key"] = pub.Hex();
  j["compressed"] = key.IsCompressed();
  for (auto n : kNetworks) {
    const auto& p = bitcoin::Params(n);
    j["wif"][p.name] = key.ToWif(p.wif_version);
    j["address"][p.name] = bitcoin::P2pkhAddress(pub, p);
  }
  // bcoin's regtest writes the same key and address with other version bytes.
  const auto& reg = bitcoin::Params(bitcoin::Network::Regtest);
  j["bcoin_regtest"] = {
      {"wif", key.ToWif(reg.alt_wif_version)},
      {"address", bitcoin::AddressFromHash160(crypto::Hash160Of(pub.Serialize()), reg.alt_p2pkh_version)}};
  return j;
}

std::string KeyHuman(const json& j, const std::string& indent = "") {
  std::string s;
  s += fmt::format("{}private key      {}\n", indent, j["private_key"].get<std::string>());
  s += fmt::format("{}public key       {}\n", indent, j["public_key"].get<std::string>());
  s += fmt::format("{}WIF (mainnet)    {}\n", indent, j["wif"]["mainnet"].get<std::string>());
  s += fmt::format("{}WIF (test/reg)   {}\n", indent, j["wif"]["testnet"].get<std::string>());
  s += fmt::format("{}address mainnet  {}\n", indent, j["address"]["mainnet"].get<std::string>());
  s += fmt::format("{}address test/reg {}\n", indent, j["address"]["testnet"].get<std::string>());
  s += fmt::format("{}WIF (bcoin reg)  {}\n", indent, j["bcoin_regtest"]["wif"].get<std::string>());
  s += fmt::format("{}address bcoin reg {}\n", indent, j["bcoin_regtest"]["address"].get<std::string>());
  return s;
}

// A multisig or segwit spender: its kind, scripts and addresses.
json SpenderJson(const bitcoin::Spender& s) {
  json j;
  j["type"] = s.Describe();
  j["required"] = s.Required();
  j["redeem_script"] = util::ToHex(s.RedeemScript());
  if (!s.WitnessScript().empty()) j["witness_script"] = util::ToHex(s.WitnessScript());
  j["script_pubkey"] = util::ToHex(s.ScriptPubKey());
  for (auto n : kNetworks) {
    const auto& p = bitcoin::Params(n);
    j["address"][p.name] = bitcoin::AddressFromScript(s.ScriptPubKey(), p).value_or("");
  }
  return j;
}

std::string SpenderHuman(const json& j) {
  return fmt::format("{}\naddress mainnet  {}\naddress test/reg {}\nredeem script    {}\n",
                     j["type"].get<std::string>(), j["address"]["mainnet"].get<std::string>(),
                     j["address"]["testnet"].get<std::string>(), j["redeem_script"].get<std::string>());
}

struct DeriveOpts {
  KeyOpts keys;
  std::string app;
  uint32_t payment_index = 0;
  std::size_t words = 12;
  bool encrypt = false;
  std::string address;
};

// Every key of identity o.keys.identity: owner, payment, and the app key when
// o.app is set.
util::Result<json> DeriveJson(const client::Keychain& kc, const DeriveOpts& o) {
  uint32_t index = o.keys.identity;
  json j;
  j["identity_index"] = index;
  BS_TRY(auto owner, kc.OwnerKey(index));
  j["owner"] = KeyJson(owner);
  j["owner"]["path"] = fmt::format("m/888'/0'/{}'", index);
  j["owner"]["id_address"] = "ID-" + j["owner"]["address"]["mainnet"].get<std::string>();
  BS_TRY(auto payment, kc.PaymentKey(o.payment_index));
  j["payment"] = KeyJson(payment);
  j["payment"]["path"] = fmt::format("m/44'/0'/0'/0/{}", o.payment_index);
  BS_TRY(j["apps_node_key"], kc.AppsNodeKey(index));
  j["salt"] = kc.IdentitySalt();
  if (!o.app.empty()) {
    BS_TRY(auto app, kc.AppKey(index, o.app));
    j["app"] = KeyJson(app);
    j["app"]["origin"] = o.app;
    BS_TRY(auto app2, kc.AppKeyV2(index, o.app));
    j["app_v2"] = KeyJson(app2);
    j["app_v2"]["origin"] = o.app;
  }
  return j;
}

std::string DeriveHuman(const json& j) {
  std::string s = fmt::format("identity {}\nowner key ({}, {})\n", j["identity_index"].get<uint32_t>(),
                              j["owner"]["path"].get<std::string>(), j["owner"]["id_address"].get<std::string>());
  s += KeyHuman(j["owner"], "  ");
  s += fmt::format("payment key ({})\n", j["payment"]["path"].get<std::string>());
  s += KeyHuman(j["payment"], "  ");
  if (j.contains("app")) {
    s += fmt::format("app key of {}\n", j["app"]["origin"].get<std::string>());
    s += KeyHuman(j["app"], "  ");
  }
  return s;
}

// An address in every network's form: p2pkh and p2sh keep their kind.
util::Result<json> ConvertAddress(std::string text) {
  bool id = text.starts_with("ID-");
  if (id) text = text.substr(3);
  BS_TRY(auto decoded, bitcoin::DecodeAddress(text));
  std::optional<bool> p2sh;
  for (auto n : kNetworks) {
    const auto& p = bitcoin::Params(n);
    if (decoded.version == p.p2pkh_version || (p.alt_p2pkh_version && decoded.version == p.alt_p2pkh_version)) {
      p2sh = false;
    }
    if (decoded.version == p.p2sh_version || (p.alt_p2sh_version && decoded.version == p.alt_p2sh_version)) p2sh = true;
  }
  if (!p2sh) return Fail(ErrorCode::InvalidArgument, fmt::format("unknown address version {}", decoded.version));
  json j;
  j["type"] = *p2sh ? "p2sh" : "p2pkh";
  j["hash160"] = util::ToHex(decoded.hash.view());
  for (auto n : kNetworks) {
    const auto& p = bitcoin::Params(n);
    std::string a = bitcoin::AddressFromHash160(decoded.hash, *p2sh ? p.p2sh_version : p.p2pkh_version);
    j["address"][p.name] = a;
    j["id_address"][p.name] = "ID-" + a;
  }
  const auto& reg = bitcoin::Params(bitcoin::Network::Regtest);
  j["address"]["bcoin_regtest"] =
      bitcoin::AddressFromHash160(decoded.hash, *p2sh ? reg.alt_p2sh_version : reg.alt_p2pkh_version);
  return j;
}

// Writes a new file readable by its owner only; never replaces one.
util::Status WriteSecretFile(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Fail(errno == EEXIST ? ErrorCode::Conflict : ErrorCode::IoError,
                fmt::format("cannot create {}: {}{}", path, std::strerror(errno),
                            errno == EEXIST ? " (a new key never replaces a file)" : ""));
  }
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = ::close(fd) == 0 && ok;
  if (!ok) return Fail(ErrorCode::IoError, "cannot write " + path);
  return util::Ok();
}

template <typename Fn>
void Run(Globals& g, Fn&& fn) {
  auto r = fn();
  if (!r) Report(g, r.error());
}

}  // namespace

void AddKeyCommands(CLI::App& app, Globals& g) {
  auto* keys = app.add_subcommand("keys", "Generate and inspect keys, keychains and addresses");
  keys->require_subcommand(1);

  struct GenOpts {
    bool uncompressed = false;
    std::string out;
  };
  auto gen_opts = std::make_shared<GenOpts>();
  auto* gen = keys->add_subcommand("generate", "Make a new private key and print its addresses");
  gen->add_flag("--uncompressed", gen_opts->uncompressed, "Use the uncompressed public key form");
  gen->add_option("--out", gen_opts->out,
                  "Write the key (WIF of --network) to this new file, readable by its owner only, and print only "
                  "its public forms; use it as --key file:PATH");
  gen->callback([&g, gen_opts] {
    Run(g, [&]() -> util::Status {
      auto key = crypto::PrivateKey::Generate(!gen_opts->uncompressed);
      auto j = KeyJson(key);
      if (gen_opts->out.empty()) {
        Print(g, j, KeyHuman(j));
        return util::Ok();
      }
      BS_TRY(auto net, NetworkOf(g));
      BS_CHECK_OK(WriteSecretFile(gen_opts->out, key.ToWif(net.wif_version) + "\n"));
      json pub = {{"key_file", gen_opts->out},
                  {"public_key", j["public_key"]},
                  {"address", j["address"]},
                  {"bcoin_regtest_address", j["bcoin_regtest"]["address"]}};
      Print(g, pub,
            fmt::format("key written to {} (use --key file:{})\npublic key       {}\naddress mainnet  {}\naddress "
                        "test/reg {}\naddress bcoin reg {}\n",
                        gen_opts->out, gen_opts->out, j["public_key"].get<std::string>(),
                        j["address"]["mainnet"].get<std::string>(), j["address"]["testnet"].get<std::string>(),
                        j["bcoin_regtest"]["address"].get<std::string>()));
      return util::Ok();
    });
  });

  auto key_text = std::make_shared<KeyOpts>();
  auto spec = std::make_shared<std::string>();
  for (const char* which : {"show", "import"}) {
    auto* show =
        keys->add_subcommand(which, std::string(which) == "show" ? "Print the public key, WIFs and addresses of a key"
                                                                 : "Read a key and print it in every form");
    show->add_option("KEY", *spec,
                     "Private key: WIF, hex, env:VAR, file:PATH, or owner[:N], payment[:N], app:ORIGIN; or a "
                     "multisig M,KEY1,...,KEYn or segwit:p2sh:M,KEY1,...")
        ->required();
    AddKeychainOptions(show, *key_text);
    show->callback([&g, key_text, spec] {
      Run(g, [&]() -> util::Status {
        BS_TRY(auto spender, ResolveSpender(*key_text, *spec, false));
        if (spender.GetKind() == bitcoin::Spender::Kind::P2pkh) {
          auto j = KeyJson(spender.FirstKey());
          Print(g, j, KeyHuman(j));
        } else {
          auto j = SpenderJson(spender);
          Print(g, j, SpenderHuman(j));
        }
        return util::Ok();
      });
    });
  }

  auto* addr = keys->add_subcommand("address", "Print only the address of a key (or multisig) on --network");
  addr->add_option("KEY", *spec, "A key spec, as for keys show")->required();
  AddKeychainOptions(addr, *key_text);
  addr->callback([&g, key_text, spec] {
    Run(g, [&]() -> util::Status {
      BS_TRY(auto net, NetworkOf(g));
      BS_TRY(auto spender, ResolveSpender(*key_text, *spec, false));
      auto address = bitcoin::AddressFromScript(spender.ScriptPubKey(), net);
      if (!address) return Fail(ErrorCode::InvalidArgument, "this key has no address of its own");
      Print(g, json{{"address", *address}}, *address + "\n");
      return util::Ok();
    });
  });

  auto d = std::make_shared<DeriveOpts>();
  auto* nw = keys->add_subcommand("new", "Make a new keychain: print its mnemonic (once) and its first keys");
  nw->add_option("--words", d->words, "12, 15, 18, 21 or 24")->capture_default_str();
  nw->add_option("--passphrase-file", d->keys.passphrase_file, "A BIP39 passphrase for the new mnemonic");
  nw->add_flag("--encrypt", d->encrypt, "Also print the mnemonic encrypted with --password-file (the wallet's format)");
  nw->add_option("--password-file", d->keys.password_file, "The password for --encrypt; default $BLOCKSTACK_PASSWORD");
  nw->callback([&g, d] {
    Run(g, [&]() -> util::Status {
      BS_TRY(std::string mnemonic, crypto::GenerateMnemonic(d->words));
      std::string passphrase;
      if (auto p = SecretFrom(d->keys.passphrase_file, nullptr, "passphrase"))
        passphrase = *p;
      else if (!d->keys.passphrase_file.empty())
        return util::Fail(p.error());
      BS_TRY(auto kc, client::Keychain::FromMnemonic(mnemonic, passphrase));
      BS_TRY(json j, DeriveJson(kc, *d));
      j["mnemonic"] = mnemonic;
      std::string human = "mnemonic (write it down; it is not stored anywhere):\n  " + mnemonic + "\n";
      if (d->encrypt) {
        BS_TRY(std::string password, SecretFrom(d->keys.password_file, "BLOCKSTACK_PASSWORD", "password"));
        BS_TRY(auto enc, client::EncryptMnemonic(mnemonic, password));
        j["encrypted_mnemonic"] = util::ToHex(enc);
        human += "encrypted mnemonic:\n  " + util::ToHex(enc) + "\n";
      }
      Print(g, j, human + DeriveHuman(j));
      return util::Ok();
    });
  });

  auto* der = keys->add_subcommand("derive", "Print the owner, payment and app keys of a keychain");
  AddKeychainOptions(der, d->keys);
  der->add_option("--index", d->keys.identity, "The identity index (same as --identity-index)");
  der->add_option("--payment-index", d->payment_index, "The payment key index")->capture_default_str();
  der->add_option("--app", d->app, "Also the app key of this origin (https://app.example.com)");
  der->callback([&g, d] {
    Run(g, [&]() -> util::Status {
      BS_TRY(auto kc, LoadKeychain(d->keys));
      BS_TRY(json j, DeriveJson(kc, *d));
      Print(g, j, DeriveHuman(j));
      return util::Ok();
    });
  });

  auto* enc =
      keys->add_subcommand("encrypt-mnemonic", "Encrypt a mnemonic with a password (the original wallet's format)");
  AddKeychainOptions(enc, d->keys);
  enc->callback([&g, d] {
    Run(g, [&]() -> util::Status {
      BS_TRY(std::string text, SecretFrom(d->keys.mnemonic_file, "BLOCKSTACK_MNEMONIC", "mnemonic"));
      BS_TRY(std::string password, SecretFrom(d->keys.password_file, "BLOCKSTACK_PASSWORD", "password"));
      auto bytes = client::EncryptMnemonic(crypto::CanonicalMnemonic(text), password);
      if (!bytes) return util::Fail(bytes.error().code, "malformed mnemonic: " + bytes.error().message);
      std::string hex = util::ToHex(*bytes);
      Print(g, json{{"encrypted_mnemonic", hex}}, hex + "\n");
      return util::Ok();
    });
  });

  auto* dec = keys->add_subcommand("decrypt-mnemonic", "Decrypt an encrypted mnemonic (hex in --mnemonic-file)");
  AddKeychainOptions(dec, d->keys);
  dec->callback([&g, d] {
    Run(g, [&]() -> util::Status {
      BS_TRY(std::string text, SecretFrom(d->keys.mnemonic_file, "BLOCKSTACK_MNEMONIC", "encrypted mnemonic"));
      BS_TRY(std::string password, SecretFrom(d->keys.password_file, "BLOCKSTACK_PASSWORD", "password"));
      auto data = util::FromHex(util::TrimBlanks(text));
      if (!data) return Fail(ErrorCode::InvalidArgument, "the encrypted mnemonic is not hex");
      BS_TRY(std::string mnemonic, client::DecryptMnemonic(*data, password));
      Print(g, json{{"mnemonic", mnemonic}}, mnemonic + "\n");
      return util::Ok();
    });
  });

  auto* conv = keys->add_subcommand("convert-address", "Print an address (or ID-address) in every network's form");
  conv->add_option("ADDRESS", d->address, "A p2pkh or p2sh address of any network")->required();
  conv->callback([&g, d] {
    Run(g, [&]() -> util::Status {
      BS_TRY(json j, ConvertAddress(d->address));
      std::string human;
      for (const auto& [net, a] : j["address"].items()) human += fmt::format("{:8} {}\n", net, a.get<std::string>());
      Print(g, j, human);
      return util::Ok();
    });
  });

  auto* find = keys->add_subcommand("find-identity", "The keychain's identity index whose owner key has ADDRESS");
  AddKeychainOptions(find, d->keys);
  find->add_option("ADDRESS", d->address, "Owner address or ID-address, any network")->required();
  find->callback([&g, d] {
    Run(g, [&]() -> util::Status {
      BS_TRY(json conv_j, ConvertAddress(d->address));
      BS_TRY(auto kc, LoadKeychain(d->keys));
      BS_TRY(auto hash, util::Hash160::FromHex(conv_j["hash160"].get<std::string>()));
      auto index = kc.FindIdentity(hash, 1024);
      if (!index) return Fail(ErrorCode::NotFound, "no identity among the keychain's first 1024 owns " + d->address);
      Print(g, json{{"identity_index", *index}}, fmt::format("{}\n", *index));
      return util::Ok();
    });
  });
}

}  // namespace blockstack::cli
