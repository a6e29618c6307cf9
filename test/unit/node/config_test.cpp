// blockstackd's options: flags, the TOML file, which one wins, and refusals.
#include <node/config.h>

#include <gtest/gtest.h>

#include <unistd.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace blockstack::node {
namespace {

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_path = (std::filesystem::temp_directory_path() / ("config_test_" + std::to_string(::getpid()) + ".toml")).string();
  }
  void TearDown() override { std::filesystem::remove(m_path); }

  void WriteToml(const std::string& text) { std::ofstream(m_path) << text; }

  // Parses the arguments after "blockstackd"; *code is set when parsing says exit.
  std::optional<Config> Parse(std::vector<std::string> args, int* code) {
    args.insert(args.begin(), "blockstackd");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    *code = -1;
    return ParseDaemonArgs(static_cast<int>(argv.size()), argv.data(), code);
  }

  std::string m_path;
};

TEST_F(ConfigTest, FlagsAndDefaults) {
  int code = 0;
  auto cfg = Parse({"--network", "regtest", "--bitcoind", "http://u:p@127.0.0.1:1", "--dns-threads", "4"}, &code);
  ASSERT_TRUE(cfg);
  EXPECT_EQ(cfg->network, bitcoin::Network::Regtest);
  EXPECT_EQ(cfg->dns_threads, 4u);
  EXPECT_TRUE(cfg->names_in_memory);
  EXPECT_TRUE(cfg->atlas);
  EXPECT_EQ(cfg->Confirmations(), 0u);  // regtest

  cfg = Parse({"--bitcoind", "http://u:p@127.0.0.1:1", "--names-in-memory", "false", "--no-atlas"}, &code);
  ASSERT_TRUE(cfg);
  EXPECT_FALSE(cfg->names_in_memory);
  EXPECT_FALSE(cfg->atlas);
  EXPECT_EQ(cfg->Confirmations(), 6u);  // mainnet
}

TEST_F(ConfigTest, MainnetFormAddressesAreOffUnlessAsked) {
  int code = 0;
  auto cfg = Parse({"--bitcoind", "http://u:p@127.0.0.1:1"}, &code);
  ASSERT_TRUE(cfg);
  EXPECT_FALSE(cfg->api_mainnet_addresses);
  cfg = Parse({"--bitcoind", "http://u:p@127.0.0.1:1", "--api-mainnet-addresses", "true"}, &code);
  ASSERT_TRUE(cfg);
  EXPECT_TRUE(cfg->api_mainnet_addresses);
  WriteToml("bitcoind = \"http://u:p@127.0.0.1:1\"\napi_mainnet_addresses = true\n");
  cfg = Parse({"--config", m_path}, &code);
  ASSERT_TRUE(cfg);
  EXPECT_TRUE(cfg->api_mainnet_addresses);
  WriteToml("bitcoind = \"http://u:p@127.0.0.1:1\"\napi_mainnet_addresses = 1\n");
  EXPECT_FALSE(Parse({"--config", m_path}, &code));
}

TEST_F(ConfigTest, TheExplorerIsOnUnlessTurnedOff) {
  int code = 0;
  auto cfg = Parse({"--bitcoind", "http://u:p@127.0.0.1:1"}, &code);
  ASSERT_TRUE(cfg);
  EXPECT_TRUE(cfg->explorer);
  cfg = Parse({"--bitcoind", "http://u:p@127.0.0.1:1", "--explorer", "false"}, &code);
  ASSERT_TRUE(cfg);
  EXPECT_FALSE(cfg->explorer);
  WriteToml("bitcoind = \"http://u:p@127.0.0.1:1\"\nexplorer = false\n");
  cfg = Parse({"--config", m_path}, &code);
  ASSERT_TRUE(cfg);
  EXPECT_FALSE(cfg->explorer);
  cfg = Parse({"--config", m_path, "--explorer", "true"}, &code);
  ASSERT_TRUE(cfg);
  EXPECT_TRUE(cfg->explorer);
  WriteToml("bitcoind = \"http://u:p@127.0.0.1:1\"\nexplorer = \"off\"\n");
  EXPECT_FALSE(Parse({"--config", m_path}, &code));
}

TEST_F(ConfigTest, TomlKeysAndFlagsTakePrecedence) {
  WriteToml(
      "network = \"regtest\"\nbitcoind = \"http://u:p@127.0.0.1:1\"\napi = \"127.0.0.1:7000\"\n"
      "names_in_memory = false\natlas = false\ndns_threads = 3\nfirst_block = 150\n");
  int code = 0;
  auto cfg = Parse({"--config", m_path}, &code);
  ASSERT_TRUE(cfg);
  EXPECT_EQ(cfg->api, "127.0.0.1:7000");
  EXPECT_FALSE(cfg->names_in_memory);
  EXPECT_FALSE(cfg->atlas);
  EXPECT_EQ(cfg->dns_threads, 3u);
  EXPECT_EQ(cfg->FirstBlock(), 150u);
  cfg = Parse({"--config", m_path, "--api", "127.0.0.1:7001", "--names-in-memory", "true", "--first-block", "160"},
              &code);
  ASSERT_TRUE(cfg);
  EXPECT_EQ(cfg->api, "127.0.0.1:7001");
  EXPECT_TRUE(cfg->names_in_memory);
  EXPECT_EQ(cfg->FirstBlock(), 160u);
}

TEST_F(ConfigTest, RefusesBadValues) {
  int code = 0;
  for (const std::string& toml : {std::string("names_in_memory = \"yes\"\n"), std::string("atlas = 1\n"),
                                  std::string("dns_threads = -1\n"), std::string("network = \"moon\"\n"),
                                  std::string("magic = \"abc\"\n"), std::string("not toml at all = = =\n")}) {
    WriteToml(toml);
    EXPECT_FALSE(Parse({"--config", m_path, "--bitcoind", "http://u:p@127.0.0.1:1"}, &code)) << toml;
    EXPECT_EQ(code, 2) << toml;
  }
  EXPECT_FALSE(Parse({"--config", m_path + ".missing"}, &code));
  EXPECT_EQ(code, 2);
  EXPECT_FALSE(Parse({"--bitcoind", "http://u:p@127.0.0.1:1", "--dns-threads", "65"}, &code));
  EXPECT_EQ(code, 2);
  EXPECT_FALSE(Parse({"--bitcoind", "http://u:p@127.0.0.1:1", "--names-in-memory", "maybe"}, &code));
  EXPECT_EQ(code, 2);
  EXPECT_FALSE(Parse({"--no-such-option"}, &code));
  EXPECT_EQ(code, 2);
  testing::internal::CaptureStdout();
  EXPECT_FALSE(Parse({"--help"}, &code));
  const std::string help = testing::internal::GetCapturedStdout();
  EXPECT_EQ(code, 0);
  EXPECT_NE(help.find("--names-in-memory"), std::string::npos);
  EXPECT_NE(help.find("--dns-threads"), std::string::npos);
}

TEST_F(ConfigTest, KeysAsHelpSpellsThemAndNothingElse) {
  int code = 0;
  // The spelling --help shows works as the underscore one does.
  WriteToml(
      "network = \"regtest\"\nbitcoind = \"http://u:p@127.0.0.1:1\"\nfirst-block = 100\ndata-dir = \"/tmp/d\"\n"
      "names-in-memory = false\n");
  auto cfg = Parse({"--config", m_path}, &code);
  ASSERT_TRUE(cfg);
  EXPECT_EQ(cfg->FirstBlock(), 100u);
  EXPECT_EQ(cfg->data_dir, "/tmp/d");
  EXPECT_FALSE(cfg->names_in_memory);
  // Each mistake is refused, naming the key, its line and the file.
  const std::pair<std::string, std::string> refused[] = {
      {"network = \"regtest\"\nfirst-blok = 100\n", "unknown key 'first-blok' (line 2); did you mean 'first_block'?"},
      {"[atlas]\npeers = \"a:1\"\n", "[atlas] (line 1) is a section"},
      {"first-block = 1\nfirst_block = 2\n", "is given twice"},
      {"first_block = \"100\"\n", "'first_block' must be a non-negative integer"},
      {"[[epochs]]\nnumber = 3\nended = 5\n", "unknown key 'ended' in [[epochs]]"},
      {"colour = 1\n", "unknown key 'colour' (line 1) (the keys"},
  };
  for (const auto& [toml, message] : refused) {
    WriteToml(toml);
    testing::internal::CaptureStderr();
    EXPECT_FALSE(Parse({"--config", m_path, "--bitcoind", "http://u:p@127.0.0.1:1"}, &code)) << toml;
    const std::string err = testing::internal::GetCapturedStderr();
    EXPECT_EQ(code, 2) << toml;
    EXPECT_NE(err.find(message), std::string::npos) << err;
    EXPECT_NE(err.find(m_path), std::string::npos) << err;
  }
}

TEST_F(ConfigTest, TheDefaultDataDirectoryIsPerUserAndNetwork) {
  const char* home = std::getenv("HOME");
  const std::string saved_home = home ? home : "";
  const char* xdg = std::getenv("XDG_DATA_HOME");
  const std::string saved_xdg = xdg ? xdg : "";
  ::unsetenv("XDG_DATA_HOME");
  ::setenv("HOME", "/home/someone", 1);
  int code = 0;
  auto cfg = Parse({"--network", "regtest", "--bitcoind", "http://u:p@127.0.0.1:1"}, &code);
  ASSERT_TRUE(cfg);
  EXPECT_EQ(cfg->data_dir, "/home/someone/.local/share/blockstack/regtest");
  ::setenv("XDG_DATA_HOME", "/data", 1);
  EXPECT_EQ(DefaultDataDir(bitcoin::Network::Mainnet), "/data/blockstack/mainnet");
  ::unsetenv("XDG_DATA_HOME");
  ::unsetenv("HOME");
  EXPECT_EQ(DefaultDataDir(bitcoin::Network::Mainnet), std::nullopt);
  EXPECT_FALSE(Parse({"--bitcoind", "http://u:p@127.0.0.1:1"}, &code));
  EXPECT_EQ(code, 2);
  EXPECT_TRUE(Parse({"--bitcoind", "http://u:p@127.0.0.1:1", "--data-dir", "/x"}, &code));
  if (!saved_home.empty()) ::setenv("HOME", saved_home.c_str(), 1);
  if (!saved_xdg.empty()) ::setenv("XDG_DATA_HOME", saved_xdg.c_str(), 1);
}

}  // namespace
}  // namespace blockstack::node
