// blockstackd's options: flags, the TOML file, which one wins, and refusals.
#include <node/config.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
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

}  // namespace
}  // namespace blockstack::node
