// Pieces shared by the blockstack CLI's commands.
#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <string>

#include <bitcoin/network.h>
#include <bitcoin/spender.h>
#include <bns/ops/ops.h>
#include <cli/cli.h>
#include <client/keychain.h>
#include <crypto/keys.h>

namespace CLI {
class App;
}
namespace blockstack::bitcoin::rpc {
class RpcClient;
}

namespace blockstack::cli {

// Options every command sees.
struct Globals {
  bool json_output = false;
  std::string network = "mainnet";
  std::string bitcoind;
  std::string node = "http://127.0.0.1:6270";
  std::string wallet_rpc;  // default: bitcoind
  int rc = EXIT_OK;  // the exit code the command sets
  mutable bool printed = false;  // a result went to stdout (an error then adds no second JSON document)
};

// Prints the error ("error: ..." on stderr; with --json also
// {"error", "exit_code"} on stdout) and records its exit code in g.rc.
void Report(Globals& g, const util::Error& e);
void ReportExit(Globals& g, int exit_code, const std::string& message);
// Report for commands that send operations: there a Conflict is the node's
// refusal of what was sent, exit 8.
void ReportSent(Globals& g, const util::Error& e);
// JSON with --json, the human text otherwise.
void Print(const Globals& g, const nlohmann::json& j, const std::string& human);
util::Result<bitcoin::NetworkParams> NetworkOf(const Globals& g);

// A JSON-RPC client of the Bitcoin node (or wallet) at url; an empty url is the
// usage error "--bitcoind ... is required".
util::Result<std::unique_ptr<bitcoin::rpc::RpcClient>> BitcoinRpc(const std::string& url);
// A key given as WIF or as hex (32 bytes, or 33 ending in 01).
util::Result<crypto::PrivateKey> ParseKey(const std::string& text);

// Where a command's keys come from: --key (and --payer-key) take a key spec, and a
// keychain comes from a mnemonic in a file or the environment (never on the
// command line, so it stays out of shell history and `ps`).
//
// A key spec is one of: a key as WIF or hex; env:VAR (the spec is in that
// environment variable); file:PATH (the spec is that file's first line); and, with
// a keychain, owner[:N] (identity N's owner key, default --identity-index),
// payment[:N] (payment key N, default 0) or app:ORIGIN (the app key of ORIGIN
// under --identity-index).
struct KeyOpts {
  std::string mnemonic_file;    // --mnemonic-file, else $BLOCKSTACK_MNEMONIC (the words)
  std::string passphrase_file;  // --passphrase-file, else $BLOCKSTACK_PASSPHRASE
  std::string password_file;    // --password-file, else $BLOCKSTACK_PASSWORD: for an encrypted mnemonic
  uint32_t identity = 0;        // --identity-index

  bool HasKeychain() const;
};
// Adds the keychain options (--mnemonic-file, --passphrase-file, --password-file,
// --identity-index) to cmd.
void AddKeychainOptions(CLI::App* cmd, KeyOpts& o);
// The keychain the options name. A mnemonic file holding hex is an encrypted
// mnemonic (the original wallet's format) and needs the password. Fails with
// InvalidArgument (naming the word) on a malformed mnemonic and with Unauthorized
// on a wrong password.
util::Result<client::Keychain> LoadKeychain(const KeyOpts& o);
// The key a spec names. An empty spec is the keychain's owner key when there is a
// keychain and owner_default is set; otherwise it is an error saying what to give.
util::Result<crypto::PrivateKey> ResolveKey(const KeyOpts& o, const std::string& spec, bool owner_default = true);
// Who spends, from a spec: a key spec (p2pkh), or the original CLI's forms
// "M,KEY1,...,KEYn" (an M-of-n p2sh multisig; the first M keys sign) and
// "segwit:p2sh:M,KEY1,...,KEYn" (p2sh-p2wpkh of KEY1 when M is 1, else an M-of-n
// p2sh-p2wsh multisig). Each KEY is itself a key spec (WIF, hex, owner:N ...).
// An empty spec resolves as ResolveKey does.
util::Result<bitcoin::Spender> ResolveSpender(const KeyOpts& o, const std::string& spec, bool owner_default = true);
// A file's text without one trailing newline; or the environment variable's value.
util::Result<std::string> SecretFrom(const std::string& file, const char* env_name, const std::string& what);

// The parameters of a NAMESPACE_REVEAL as given on the command line.
struct RevealArgs {
  uint32_t lifetime = 0, coeff = 0, base = 0, nonalpha = 1, novowel = 1;
  std::string buckets;
  int version = 1;
};
void AddRevealOptions(CLI::App* cmd, RevealArgs& args);
// Checks every range; max_version is the highest version the command may send.
util::Result<bns::ops::RevealOp> MakeRevealOp(const std::string& namespace_id, const RevealArgs& args, int max_version);

// Reads a whole file ("-" is standard input).
util::Result<std::string> ReadFileText(const std::string& path);

// Progress of long work on standard error: a bar redrawn in place on a terminal,
// one line per change otherwise.
class Progress {
 public:
  Progress(std::size_t total_steps, bool quiet);
  // Starts step `step` (1-based).
  void Step(std::size_t step, const std::string& what);
  // Updates the current step's detail (e.g. "block 812, 1 of 6 confirmations").
  void Detail(const std::string& detail);
  void Done(const std::string& what);

 private:
  void Draw(const std::string& line, bool final);
  std::size_t m_total;
  std::size_t m_step = 0;
  bool m_quiet;
  bool m_tty;
  std::string m_what;
  std::string m_last_detail;
};

// NAME_UPDATE binding zonefile_text, signed by the owner (owner_spec; payer_spec
// pays when given), waited for until the node accepts it, then the zone file
// given to the node. Returns {"txid", "block", "zonefile_hash"}.
util::Result<nlohmann::json> UpdateZonefile(Globals& g, const KeyOpts& keys, const std::string& owner_spec,
                                            const std::string& payer_spec, const std::string& name,
                                            const std::string& zonefile_text);

// Command groups, each in its own file.
void AddPayloadCommands(CLI::App& app, Globals& g);
void AddAnchorCommand(CLI::App& app, Globals& g);
void AddProofCommands(CLI::App& app, Globals& g);
void AddTxCommands(CLI::App& app, Globals& g);
void AddGaiaCommands(CLI::App& app, Globals& g);
void AddNodeCommands(CLI::App& app, Globals& g);     // price, lookup, whois, names, zonefile, profile
void AddNameCommands(CLI::App& app, Globals& g);     // namespace and name operations
void AddKeyCommands(CLI::App& app, Globals& g);      // keys: single keys, keychains, addresses
void AddBucketCommands(CLI::App& gaia, Globals& g);  // gaia dump, restore, migrate
void AddWalletCommands(CLI::App& app, CLI::App& chain, Globals& g);  // chain mine, wallet import and balance
void AddAuthenticatorCommand(CLI::App& app, Globals& g);             // authenticator

}  // namespace blockstack::cli
