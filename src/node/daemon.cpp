#include <node/daemon.h>

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>

#include <bitcoin/rpc/rpc_client.h>
#include <node/config.h>
#include <util/log.h>

namespace blockstack::node {
namespace {

std::atomic<bool> g_stop{false};

void OnSignal(int) { g_stop = true; }

// Sleeps up to `seconds`, waking early on a stop request.
void SleepInterruptibly(double seconds) {
  auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (!g_stop && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace

int RunDaemon(int argc, char** argv) {
  int exit_code = 0;
  auto cfg = ParseDaemonArgs(argc, argv, &exit_code);
  if (!cfg) return exit_code;
  if (auto st = util::InitLogging(cfg->log_level); !st) {
    std::fprintf(stderr, "blockstackd: %s\n", st.error().message.c_str());
    return 2;
  }
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);

  auto client = bitcoin::rpc::RpcClient::Create(cfg->bitcoind);
  if (!client) {
    spdlog::error("{}", client.error().message);
    return 2;
  }
  if (auto st = (*client)->CheckTransactionIndex(); !st) {
    spdlog::error("{}", st.error().message);
    return 3;
  }
  bitcoin::rpc::RpcBlockSource source(std::move(*client));
  spdlog::info("following the {} chain at {} from block {} with {} confirmations",
               bitcoin::Params(cfg->network).name, source.Client().Origin(), cfg->FirstBlock(),
               cfg->Confirmations());

  // Follows the chain, checking that every block links to the one before it.
  // The name engine consumes these blocks; until it is wired in, they are verified
  // and reported.
  uint32_t next = cfg->FirstBlock();
  std::optional<util::Hash256> prev_hash;
  while (!g_stop) {
    auto tip = source.TipHeight();
    if (!tip) {
      spdlog::warn("bitcoin node: {}", tip.error().message);
      SleepInterruptibly(cfg->poll_seconds);
      continue;
    }
    if (*tip < cfg->Confirmations() || next > *tip - cfg->Confirmations()) {
      SleepInterruptibly(cfg->poll_seconds);
      continue;
    }
    uint32_t last = *tip - cfg->Confirmations();
    uint32_t count = std::min<uint32_t>(10, last - next + 1);
    auto blocks = source.GetBlocks(next, count);
    if (!blocks) {
      spdlog::warn("fetching blocks {}..{}: {}", next, next + count - 1, blocks.error().message);
      SleepInterruptibly(cfg->poll_seconds);
      continue;
    }
    for (const auto& b : *blocks) {
      if (prev_hash && b.header.prev_hash != *prev_hash) {
        spdlog::warn("block {} does not extend the previous block: the chain reorganised; rescanning", next);
        prev_hash.reset();
        next = next > cfg->FirstBlock() ? next - 1 : next;
        break;
      }
      spdlog::info("block {} {} ({} transactions)", next, b.hash.ReversedHex(), b.txs.size());
      prev_hash = b.hash;
      ++next;
    }
  }
  spdlog::info("stopped at block {}", next == 0 ? 0 : next - 1);
  return 0;
}

}  // namespace blockstack::node
