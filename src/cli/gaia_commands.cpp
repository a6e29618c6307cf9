// blockstack gaia put|get|list|delete|revoke: the Gaia client from the command line.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <fstream>
#include <iostream>
#include <iterator>

#include <cli/common.h>
#include <client/gaia_client.h>

namespace blockstack::cli {

namespace {

struct GaiaOpts {
  std::string hub, key, path, file, data, content_type, if_match, address, read_url, output;
  bool encrypt = false, sign = false, create_only = false, base64 = false, is_string = false;
  bool decrypt = false, verify = false, was_signed = false;
  int64_t before = 0;
  KeyOpts keys;
};

util::Result<std::unique_ptr<client::GaiaClient>> Connect(const GaiaOpts& o) {
  BS_TRY(auto key, ResolveKey(o.keys, o.key));
  return client::GaiaClient::Connect(o.hub, key);
}

util::Result<std::string> ReadInput(const GaiaOpts& o) {
  if (!o.data.empty() && !o.file.empty()) {
    return util::Fail(util::ErrorCode::InvalidArgument, "give --data or --file, not both");
  }
  if (o.file.empty()) return o.data;
  std::ifstream in(o.file, std::ios::binary);
  if (!in) return util::Fail(util::ErrorCode::NotFound, "cannot read " + o.file);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void AddConnection(CLI::App* cmd, GaiaOpts& o) {
  cmd->add_option("--hub", o.hub, "Hub URL, e.g. http://127.0.0.1:3000")->required()->envname("BLOCKSTACK_HUB");
  cmd->add_option("--key", o.key,
                  "The bucket's key, its address is the bucket: WIF, hex, env:VAR, file:PATH, or with a keychain "
                  "app:ORIGIN, owner[:N] (default with a keychain: the owner key)");
  AddKeychainOptions(cmd, o.keys);
}

}  // namespace

void AddGaiaCommands(CLI::App& app, Globals& g) {
  auto* gaia = app.add_subcommand("gaia", "Store and read files on a Gaia hub");
  gaia->require_subcommand(1);
  auto o = std::make_shared<GaiaOpts>();

  auto* put = gaia->add_subcommand("put", "Upload a file (plain, --encrypt, --sign, or both)");
  AddConnection(put, *o);
  put->add_option("path", o->path, "Path in the bucket")->required();
  put->add_option("--file", o->file, "Read the content from this file");
  put->add_option("--data", o->data, "The content as text");
  put->add_flag("--encrypt", o->encrypt, "ECIES-encrypt to the app key (as putFile's encrypt)");
  put->add_flag("--sign", o->sign, "Sign with the app key (a .sig file, or inside the encrypted envelope)");
  put->add_flag("--text", o->is_string, "The content is text (wasString, text/plain)");
  put->add_flag("--base64", o->base64, "Encrypted ciphertext in base64 instead of hex");
  put->add_option("--content-type", o->content_type, "Content type of a plain upload");
  put->add_option("--if-match", o->if_match, "Only overwrite this ETag");
  put->add_flag("--create-only", o->create_only, "Fail if the file exists (If-None-Match: *)");
  put->callback([&g, o] {
    auto content = ReadInput(*o);
    if (!content) return Report(g, content.error());
    auto c = Connect(*o);
    if (!c) return Report(g, c.error());
    client::PutOptions opts;
    opts.encrypt = o->encrypt;
    opts.sign = o->sign;
    opts.is_string = o->is_string;
    opts.content_type = o->content_type;
    opts.encoding = o->base64 ? client::CipherTextEncoding::Base64 : client::CipherTextEncoding::Hex;
    if (!o->if_match.empty()) opts.if_match = o->if_match;
    opts.create_only = o->create_only;
    auto r = (*c)->PutFile(o->path, util::AsBytes(*content), opts);
    if (!r) return Report(g, r.error());
    Print(g, {{"public_url", r->public_url}, {"etag", r->etag}}, r->public_url + "\n");
  });

  auto* get = gaia->add_subcommand("get", "Read a file (--decrypt, --verify)");
  AddConnection(get, *o);
  get->add_option("path", o->path, "Path in the bucket")->required();
  get->add_flag("--decrypt", o->decrypt, "Decrypt with the app key");
  get->add_flag("--verify", o->verify, "Check the signature against the bucket owner");
  get->add_option("--address", o->address, "Read another bucket (default: the key's)");
  get->add_option("--read-url", o->read_url, "That bucket's read URL prefix (default: this hub's)");
  get->add_option("--output", o->output, "Write the content here instead of standard output");
  get->callback([&g, o] {
    auto c = Connect(*o);
    if (!c) return Report(g, c.error());
    client::GetOptions opts;
    opts.decrypt = o->decrypt;
    opts.verify = o->verify;
    if (!o->address.empty()) opts.address = o->address;
    if (!o->read_url.empty()) opts.url_prefix = o->read_url;
    auto r = (*c)->GetFile(o->path, opts);
    if (!r) return Report(g, r.error());
    std::string text(r->data.begin(), r->data.end());
    if (!o->output.empty()) {
      std::ofstream out(o->output, std::ios::binary);
      out << text;
      if (!out) return Report(g, {util::ErrorCode::IoError, "cannot write " + o->output});
      return;
    }
    if (g.json_output) {
      Print(g, {{"content", text}, {"content_type", r->content_type}, {"etag", r->etag}}, "");
    } else {
      std::cout << text;
    }
  });

  auto* list = gaia->add_subcommand("list", "List the bucket's files, one per line");
  AddConnection(list, *o);
  list->callback([&g, o] {
    auto c = Connect(*o);
    if (!c) return Report(g, c.error());
    nlohmann::json names = nlohmann::json::array();
    auto n = (*c)->ListFiles([&](const std::string& name) {
      if (g.json_output) names.push_back(name);
      else std::cout << name << "\n";
    });
    if (!n) return Report(g, n.error());
    if (g.json_output) Print(g, names, "");
  });

  auto* del = gaia->add_subcommand("delete", "Delete a file");
  AddConnection(del, *o);
  del->add_option("path", o->path, "Path in the bucket")->required();
  del->add_flag("--signed", o->was_signed, "Also delete its .sig file");
  del->callback([&g, o] {
    auto c = Connect(*o);
    if (!c) return Report(g, c.error());
    auto r = (*c)->DeleteFile(o->path, o->was_signed);
    if (!r) return Report(g, r.error());
    Print(g, {{"deleted", o->path}}, "deleted " + o->path + "\n");
  });

  auto* token = gaia->add_subcommand("token", "Print an Authorization header value for the hub");
  AddConnection(token, *o);
  token->callback([&g, o] {
    auto c = Connect(*o);
    if (!c) return Report(g, c.error());
    const auto& cfg = (*c)->Config();
    Print(g, {{"authorization", "bearer " + cfg.token}, {"address", cfg.address}, {"url_prefix", cfg.url_prefix}},
          "bearer " + cfg.token + "\n");
  });

  AddBucketCommands(*gaia, g);

  auto* revoke = gaia->add_subcommand("revoke", "Invalidate every token issued before a time");
  AddConnection(revoke, *o);
  revoke->add_option("--before", o->before, "Unix seconds (default: now)");
  revoke->callback([&g, o] {
    auto c = Connect(*o);
    if (!c) return Report(g, c.error());
    int64_t ts = o->before > 0 ? o->before : static_cast<int64_t>(std::time(nullptr));
    auto r = (*c)->RevokeAll(ts);
    if (!r) return Report(g, r.error());
    Print(g, {{"oldest_valid_timestamp", ts}}, fmt::format("tokens issued before {} are revoked\n", ts));
  });
}

}  // namespace blockstack::cli
