#include <cli/common.h>

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <iterator>

#include <util/text.h>

namespace blockstack::cli {

void Report(Globals& g, const util::Error& e) {
  std::cerr << "error: " << e.message << "\n";
  g.rc = ExitCodeFor(e.code);
}

void Print(const Globals& g, const nlohmann::json& j, const std::string& human) {
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

util::Result<crypto::PrivateKey> ParseKey(const std::string& text) {
  if (util::IsHex(text) && (text.size() == 64 || text.size() == 66)) return crypto::PrivateKey::FromHex(text);
  auto k = crypto::PrivateKey::FromWif(text);
  if (!k) {
    return util::Fail(util::ErrorCode::InvalidArgument, "key is neither WIF nor 32-byte hex: " + k.error().message);
  }
  return k;
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
