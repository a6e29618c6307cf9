#include <atlas/atlas_node.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <unordered_set>

#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include <crypto/hash.h>
#include <util/base64.h>
#include <util/text.h>

namespace blockstack::atlas {

namespace {

using nlohmann::json;
using util::ErrorCode;
using util::Fail;

constexpr std::size_t MAX_CANDIDATES = 800;  // min(10 x NUM_NEIGHBORS, 65536)
constexpr std::size_t PROBES_PER_STEP = 10;
constexpr std::size_t MAX_PEERS = 65536;      // PEER_MAX_DB
constexpr std::size_t MAX_PUSH_QUEUE = 1000;  // MAX_QUEUED_ZONEFILES
constexpr std::size_t MIN_RESPONSES_TO_JUDGE = 10;
constexpr uint32_t REORG_WINDOW = 12;  // blocks re-read from the index each time

}  // namespace

AtlasNode::AtlasNode(AtlasSettings settings, ZonefileStore& store, interfaces::ZonefileIndex& index)
    : m_settings(std::move(settings)), m_store(store), m_index(index), m_rng(std::random_device{}()) {
  for (const auto& b : m_settings.blacklist) m_blacklist.insert(b);
  for (const auto& s : m_settings.seeds) {
    if (m_blacklist.count(s) || s == m_settings.self) continue;
    Peer p;
    p.seed = true;
    m_peers.emplace(s, std::move(p));
  }
  AddRoutes();
}

AtlasNode::~AtlasNode() { Stop(); }

util::Result<std::unique_ptr<AtlasNode>> AtlasNode::Create(AtlasSettings settings, ZonefileStore& store,
                                                           interfaces::ZonefileIndex& index) {
  std::unique_ptr<AtlasNode> node(new AtlasNode(std::move(settings), store, index));
  BS_TRY(auto hashes, store.Hashes());
  std::unordered_map<std::string, bool> stored;
  stored.reserve(hashes.size());
  for (auto& h : hashes) stored.emplace(std::move(h), true);
  BS_CHECK_OK(node->Resync(&stored));
  return node;
}

void AtlasNode::Start() {
  if (m_thread.joinable()) return;
  m_stop = false;
  m_thread = std::thread([this] { Run(); });
}

void AtlasNode::Stop() {
  m_stop = true;
  {
    std::lock_guard lock(m_wake_mutex);
    m_woken = true;
  }
  m_wake.notify_all();
  if (m_thread.joinable()) m_thread.join();
}

void AtlasNode::SetSelf(const std::string& hostport) {
  std::lock_guard lock(m_mutex);
  m_settings.self = hostport;
  m_peers.erase(hostport);
}

void AtlasNode::OnBlock() {
  {
    std::lock_guard lock(m_mutex);
    m_resync_needed = true;
  }
  std::lock_guard lock(m_wake_mutex);
  m_woken = true;
  m_wake.notify_all();
}

void AtlasNode::SetOnStored(std::function<void(const std::string&)> callback) {
  std::lock_guard lock(m_mutex);
  m_on_stored = std::move(callback);
}

// ---------------------------------------------------------------------------
// Slots and local inventory

util::Status AtlasNode::Resync(const std::unordered_map<std::string, bool>* stored) {
  std::lock_guard lock(m_mutex);
  return ResyncLocked(stored);
}

util::Status AtlasNode::ResyncLocked(const std::unordered_map<std::string, bool>* stored) {
  m_resync_needed = false;
  uint32_t from = 0;
  if (!m_slots.empty()) from = m_slots.back().height > REORG_WINDOW ? m_slots.back().height - REORG_WINDOW : 0;
  BS_TRY(uint64_t below, m_index.SlotCountBelow(from));
  auto first_at =
      std::lower_bound(m_slots.begin(), m_slots.end(), from, [](const SlotRef& s, uint32_t h) { return s.height < h; });
  uint64_t mine_below = static_cast<uint64_t>(first_at - m_slots.begin());
  if (below != mine_below) {
    // A reorg deeper than the window (or a new database): start over.
    from = 0;
    mine_below = 0;
  }
  BS_TRY(auto fresh, m_index.SlotsFrom(from));
  // Take back the slots from mine_below on, then append what the index says now.
  for (uint64_t i = m_slots.size(); i-- > mine_below;) {
    auto it = m_hashes.find(m_slots[i].hash);
    if (it == m_hashes.end()) continue;
    auto& v = it->second.slots;
    v.erase(std::remove(v.begin(), v.end(), i), v.end());
    if (v.empty()) {
      if (it->second.present) --m_present;
      m_hashes.erase(it);
    }
  }
  m_slots.resize(mine_below);
  m_inventory.resize((mine_below + 7) / 8);
  if (mine_below % 8 != 0 && !m_inventory.empty()) {
    m_inventory.back() &= static_cast<uint8_t>(0xff << (8 - mine_below % 8));
  }
  for (auto& s : fresh) {
    uint64_t idx = m_slots.size();
    auto [it, inserted] = m_hashes.try_emplace(s.hash);
    if (inserted) {
      bool present = false;
      if (stored) {
        present = stored->count(s.hash) > 0;
      } else {
        auto has = m_store.Has(s.hash);
        present = has && *has;
      }
      it->second.present = present;
      if (present) ++m_present;
    }
    it->second.slots.push_back(idx);
    if (it->second.present) {
      SetBit(m_inventory, idx);
    } else {
      ClearBit(m_inventory, idx);
    }
    m_slots.push_back(SlotRef{s.hash, s.block_height, s.txid});
  }
  const bool grew = (m_slots.size() + 7) / 8 > m_inventory.size();
  m_inventory.resize((m_slots.size() + 7) / 8);
  // Peers whose inventories were cut to our old length hold bits for the new
  // slots: read them again now rather than at the next refresh (a node catching
  // up would otherwise wait a refresh interval to learn who has its new files).
  if (grew) {
    for (auto& [hp, peer] : m_peers) {
      if (peer.inventory_cut) peer.inventory_at = {};
    }
  }
  return util::Ok();
}

void AtlasNode::MarkPresentLocked(const std::string& hash) {
  auto it = m_hashes.find(hash);
  if (it == m_hashes.end() || it->second.present) return;
  it->second.present = true;
  ++m_present;
  for (uint64_t i : it->second.slots) SetBit(m_inventory, i);
  if (m_settings.push && m_push_queue.size() < MAX_PUSH_QUEUE) m_push_queue.push_back(hash);
}

util::Result<std::vector<bool>> AtlasNode::StoreMany(std::vector<std::string> files, std::vector<std::string> hashes) {
  if (hashes.size() != files.size()) {
    hashes.clear();
    for (const auto& f : files) hashes.push_back(ZonefileHash(f));
  }
  std::vector<std::string> accepted, accepted_hashes;
  std::vector<std::size_t> where;
  {
    std::lock_guard lock(m_mutex);
    // A hash we do not know may be in a block the index has but we have not read.
    bool unknown = std::any_of(hashes.begin(), hashes.end(), [&](const auto& h) { return !m_hashes.count(h); });
    if (unknown || m_resync_needed) BS_CHECK_OK(ResyncLocked(nullptr));
    for (std::size_t i = 0; i < files.size(); ++i) {
      if (files[i].size() <= MAX_ZONEFILE_BYTES && m_hashes.count(hashes[i])) {
        accepted.push_back(std::move(files[i]));
        accepted_hashes.push_back(hashes[i]);
        where.push_back(i);
      }
    }
  }
  std::vector<bool> saved(files.size(), false);
  if (accepted.empty()) return saved;
  BS_TRY(auto fresh, m_store.PutMany(accepted, &accepted_hashes));
  std::vector<std::string> newly;
  std::function<void(const std::string&)> callback;
  {
    std::lock_guard lock(m_mutex);
    for (std::size_t k = 0; k < where.size(); ++k) {
      saved[where[k]] = true;
      const std::string& h = hashes[where[k]];
      auto it = m_hashes.find(h);
      if (it != m_hashes.end() && !it->second.present) {
        MarkPresentLocked(h);
        newly.push_back(h);
      } else if (fresh[k]) {
        newly.push_back(h);
      }
    }
    callback = m_on_stored;
  }
  if (callback) {
    for (const auto& h : newly) callback(h);
  }
  if (!newly.empty()) {
    std::lock_guard lock(m_wake_mutex);
    m_woken = true;
    m_wake.notify_all();
  }
  return saved;
}

util::Result<bool> AtlasNode::Store(std::string_view zonefile) {
  if (zonefile.size() > MAX_ZONEFILE_BYTES) {
    return Fail(ErrorCode::TooLarge, "zone file is " + std::to_string(zonefile.size()) + " bytes; the limit is " +
                                         std::to_string(MAX_ZONEFILE_BYTES));
  }
  std::string hash = ZonefileHash(zonefile);
  bool was_present = false;
  {
    std::lock_guard lock(m_mutex);
    auto it = m_hashes.find(hash);
    was_present = it != m_hashes.end() && it->second.present;
  }
  BS_TRY(auto saved, StoreMany({std::string(zonefile)}));
  if (!saved[0]) return Fail(ErrorCode::NotFound, "no name operation announces zone file " + hash);
  return !was_present;
}

std::vector<std::string> AtlasNode::MissingHashes(std::size_t limit) {
  std::lock_guard lock(m_mutex);
  std::vector<std::string> out;
  for (const auto& [hash, st] : m_hashes) {
    if (out.size() >= limit) break;
    if (!st.present) out.push_back(hash);
  }
  return out;
}

std::optional<std::string> AtlasNode::FetchFromPeers(const std::string& hash, std::string* peer) {
  std::vector<std::pair<double, std::string>> ranked;
  {
    std::lock_guard lock(m_mutex);
    for (const auto& [hp, p] : m_peers) ranked.emplace_back(HealthLocked(p), hp);
  }
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::size_t i = 0; i < ranked.size() && i < 3 && !m_stop; ++i) {
    auto client = Client(ranked[i].second);
    if (!client) continue;
    // A lookup waits on this: a peer gets a few seconds, not the crawler's timeout.
    auto got = (*client)->GetZonefiles(
        {hash}, std::min<std::chrono::milliseconds>(m_settings.zonefiles_timeout, std::chrono::seconds(5)));
    Record(ranked[i].second, got.has_value());
    if (!got) continue;
    auto it = got->files.find(hash);
    if (it == got->files.end()) continue;
    if (peer) *peer = ranked[i].second;
    return std::move(it->second);
  }
  return std::nullopt;
}

AtlasStats AtlasNode::Stats() {
  std::lock_guard lock(m_mutex);
  if (m_resync_needed) {
    if (auto st = ResyncLocked(nullptr); !st) spdlog::warn("atlas: cannot read the name index: {}", st.error().message);
  }
  AtlasStats s;
  s.slots = m_slots.size();
  s.hashes = m_hashes.size();
  s.present = m_present;
  s.missing = m_hashes.size() - m_present;
  s.peers = m_peers.size();
  return s;
}

// ---------------------------------------------------------------------------
// Peers: health, admission, probing

void AtlasNode::Record(const std::string& hostport, bool responded) {
  std::lock_guard lock(m_mutex);
  auto it = m_peers.find(hostport);
  if (it == m_peers.end()) return;
  auto now = Clock::now();
  auto& w = it->second.window;
  w.emplace_back(now, responded);
  while (!w.empty() && now - w.front().first > m_settings.health_window) w.pop_front();
  while (w.size() > 1000) w.pop_front();
  if (responded) it->second.ever_ok = true;
}

double AtlasNode::HealthLocked(const Peer& p) const {
  if (p.window.empty()) return 0;
  std::size_t ok = 0;
  for (const auto& e : p.window) ok += e.second ? 1 : 0;
  return static_cast<double>(ok) / static_cast<double>(p.window.size());
}

bool AtlasNode::Admissible(const std::string& hostport) const {
  if (hostport == m_settings.self || m_blacklist.count(hostport) || !IsValidHostPort(hostport)) return false;
  auto b = m_banned.find(hostport);
  return b == m_banned.end() || b->second <= Clock::now();
}

void AtlasNode::Enqueue(const std::vector<std::string>& candidates) {
  std::lock_guard lock(m_mutex);
  for (const auto& c : candidates) {
    if (m_candidates.size() >= MAX_CANDIDATES) break;
    if (!Admissible(c) || m_peers.count(c)) continue;
    if (std::find(m_candidates.begin(), m_candidates.end(), c) != m_candidates.end()) continue;
    m_candidates.push_back(c);
  }
}

util::Status AtlasNode::CheckPeerInfo(const PeerInfo& info) {
  if (info.stale) return Fail(ErrorCode::Unavailable, "peer says it is stale");
  if (info.server_version.empty()) return Fail(ErrorCode::InvalidArgument, "peer has no server version");
  if (info.network != m_settings.network)
    return Fail(ErrorCode::InvalidArgument, "peer is on " + info.network + ", not " + m_settings.network);
  // A peer at or below our height must agree with our consensus hash there.
  BS_TRY(auto last, m_index.LastBlock());
  if (last && info.last_block <= *last) {
    BS_TRY(auto ours, m_index.ConsensusHashAt(info.last_block));
    if (ours && *ours != info.consensus)
      return Fail(ErrorCode::Conflict, "peer's consensus hash at block " + std::to_string(info.last_block) +
                                           " differs from ours (another fork)");
  }
  return util::Ok();
}

bool AtlasNode::AdmitPeer(const std::string& hostport) {
  std::string evict;
  uint32_t slot = 0;
  {
    std::lock_guard lock(m_mutex);
    if (m_peers.count(hostport) || !Admissible(hostport)) return false;
    if (m_peers.size() >= MAX_PEERS) return false;
    std::string host = hostport.substr(0, hostport.rfind(':'));
    std::string keyed = std::to_string(static_cast<uint32_t>(m_rng())) + host;
    auto digest = crypto::Sha256(util::AsBytes(keyed));
    slot = (static_cast<uint32_t>(digest[30]) << 8 | digest[31]) % MAX_PEERS;
    auto occupied = m_peer_slots.find(slot);
    if (occupied != m_peer_slots.end() && m_peers.count(occupied->second)) evict = occupied->second;
  }
  if (!evict.empty()) {
    // The slot's holder keeps it while it answers.
    auto client = Client(evict);
    if (client && (*client)->GetInfo(m_settings.probe_timeout)) return false;
  }
  std::lock_guard lock(m_mutex);
  if (!evict.empty() && !m_peers[evict].seed) m_peers.erase(evict);
  Peer p;
  p.slot = slot;
  m_peers.emplace(hostport, std::move(p));
  m_peer_slots[slot] = hostport;
  spdlog::debug("atlas: added peer {}", hostport);
  return true;
}

bool AtlasNode::ProbeCandidates() {
  std::vector<std::string> batch;
  {
    std::lock_guard lock(m_mutex);
    while (!m_candidates.empty() && batch.size() < PROBES_PER_STEP) {
      batch.push_back(m_candidates.front());
      m_candidates.pop_front();
    }
  }
  if (batch.empty()) return false;
  std::atomic<bool> added{false};
  Parallel(batch, [&](const std::string& hp) {
    auto client = Client(hp);
    if (!client) return;
    auto info = (*client)->GetInfo(m_settings.probe_timeout);
    if (!info) {
      spdlog::debug("atlas: candidate {} did not answer: {}", hp, info.error().message);
      return;
    }
    if (auto ok = CheckPeerInfo(*info); !ok) {
      spdlog::debug("atlas: candidate {} refused: {}", hp, ok.error().message);
      return;
    }
    if (AdmitPeer(hp)) {
      Record(hp, true);
      added = true;
    }
  });
  return added;
}

util::Result<std::vector<std::string>> AtlasNode::Neighbors(const std::string& hostport) {
  std::string self;
  {
    std::lock_guard lock(m_mutex);
    self = m_settings.self;
  }
  BS_TRY(auto client, Client(hostport));
  auto list = client->ExchangePeers(self, m_settings.neighbors_timeout);
  Record(hostport, list.has_value());
  if (!list) return util::Unexpected(list.error());
  Enqueue(*list);
  std::vector<std::string> out;
  std::lock_guard lock(m_mutex);
  for (auto& n : *list) {
    if (Admissible(n)) out.push_back(std::move(n));
  }
  return out;
}

// One step of MHRWDA (Lee, Xu and Eun 2012), as spec §1.6(a) step 2 describes.
void AtlasNode::WalkStep() {
  auto reset = [this] {
    std::lock_guard lock(m_mutex);
    m_walk_current.clear();
    m_walk_previous.clear();
    m_walk_neighbors.clear();
  };
  std::string current;
  std::vector<std::string> neighbors;
  {
    std::lock_guard lock(m_mutex);
    if (m_walk_current.empty() || !m_peers.count(m_walk_current)) {
      if (m_peers.empty()) return;
      auto it = m_peers.begin();
      std::advance(it, static_cast<long>(m_rng() % m_peers.size()));
      m_walk_current = it->first;
      m_walk_previous.clear();
      m_walk_neighbors.clear();
    }
    current = m_walk_current;
    neighbors = m_walk_neighbors;
  }
  if (neighbors.empty()) {
    auto got = Neighbors(current);
    if (!got || got->empty()) return reset();
    std::lock_guard lock(m_mutex);
    m_walk_neighbors = *got;
    return;
  }
  std::uniform_real_distribution<double> unit(0, 1);
  std::string previous;
  std::string next;
  double u1 = 0, u2 = 0;
  {
    std::lock_guard lock(m_mutex);
    next = neighbors[m_rng() % neighbors.size()];
    previous = m_walk_previous;
    u1 = unit(m_rng);
    u2 = unit(m_rng);
  }
  auto next_neighbors = Neighbors(next);
  if (!next_neighbors || next_neighbors->empty()) return reset();
  double deg_c = static_cast<double>(neighbors.size());
  double deg_n = static_cast<double>(next_neighbors->size());
  std::string moved_to = current;
  std::vector<std::string> moved_list = neighbors;
  if (u1 < std::min(1.0, deg_c / deg_n)) {
    moved_to = next;
    moved_list = *next_neighbors;
    if (next == previous && neighbors.size() > 1) {
      // Delayed acceptance: try not to go straight back.
      std::string alt;
      {
        std::lock_guard lock(m_mutex);
        std::vector<std::string> others;
        for (const auto& n : neighbors) {
          if (n != next) others.push_back(n);
        }
        alt = others[m_rng() % others.size()];
      }
      auto alt_neighbors = Neighbors(alt);
      if (!alt_neighbors || alt_neighbors->empty()) return reset();
      double deg_a = static_cast<double>(alt_neighbors->size());
      if (u2 < std::min(1.0, std::pow(deg_c / deg_a, 2))) {
        moved_to = alt;
        moved_list = *alt_neighbors;
      }
    }
  } else {
    auto refreshed = Neighbors(current);
    if (!refreshed || refreshed->empty()) return reset();
    moved_list = *refreshed;
  }
  std::lock_guard lock(m_mutex);
  if (moved_to != current) m_walk_previous = current;
  m_walk_current = moved_to;
  m_walk_neighbors = moved_list;
}

// ---------------------------------------------------------------------------
// Inventories, fetching and pushing

bool AtlasNode::RefreshInventories() {
  std::vector<std::string> due;
  auto now = Clock::now();
  {
    std::lock_guard lock(m_mutex);
    for (auto& [hp, p] : m_peers) {
      if (!p.inventory_known || now - p.inventory_at >= m_settings.inventory_refresh) {
        due.push_back(hp);
        p.inventory_at = now;  // a failure also waits for the next refresh
      }
    }
  }
  if (due.empty()) return false;
  Parallel(due, [&](const std::string& hp) {
    auto client = Client(hp);
    if (!client) return;
    auto inv = (*client)->GetInventory(0, MAX_INVENTORY_REQUEST, m_settings.inventory_timeout);
    Record(hp, inv.has_value());
    if (!inv) {
      spdlog::debug("atlas: inventory of {}: {}", hp, inv.error().message);
      return;
    }
    std::lock_guard lock(m_mutex);
    auto it = m_peers.find(hp);
    if (it == m_peers.end()) return;
    // Bits past our own slots name nothing we could check: keep only our length,
    // so a table of peers cannot be made to hold 512 KiB each. A peer cut short
    // is asked again as soon as we know more slots (see ResyncLocked).
    it->second.inventory_cut = inv->size() > m_inventory.size();
    inv->resize(std::min(inv->size(), m_inventory.size()));
    it->second.inventory = std::move(*inv);
    it->second.inventory_known = true;
  });
  return true;
}

util::Result<std::unique_ptr<PeerClient>> AtlasNode::Client(const std::string& hp) const {
  return PeerClient::Create(hp, m_settings.min_transfer_rate, m_settings.min_rate_grace);
}

// The work of one fetch round, shared by one thread per peer. Each peer takes
// the rarest hashes it has that nobody holds; what it fails to deliver goes back
// for the other peers that have it, within the round (a slow or failing peer
// delays its share by its cut-off, not by a round). A peer waits while hashes it
// could take are with another peer, and stops when none are left for it.
class AtlasNode::FetchRound {
 public:
  std::vector<std::string> peers;
  struct Want {
    std::string hash;
    std::vector<bool> has;    // per peer: advertises it
    std::vector<bool> tried;  // per peer: was asked for it this round
    enum { OPEN, ASKED, DONE } state = OPEN;
  };
  std::vector<Want> wants;

  // Up to n hashes for peer p (at most cap over the round); empty when nothing
  // is left for p.
  std::vector<std::size_t> Take(std::size_t p, std::size_t n, std::size_t cap, const std::atomic<bool>& stop) {
    std::unique_lock lock(m_mutex);
    if (m_taken.size() < peers.size()) m_taken.resize(peers.size(), 0);
    for (;;) {
      std::vector<std::size_t> out;
      bool waiting_for_others = false;
      for (std::size_t i = 0; i < wants.size() && out.size() < n && m_taken[p] + out.size() < cap; ++i) {
        Want& w = wants[i];
        if (!w.has[p] || w.tried[p] || w.state == Want::DONE) continue;
        if (w.state == Want::ASKED) {
          waiting_for_others = true;
          continue;
        }
        out.push_back(i);
      }
      for (auto i : out) {
        wants[i].state = Want::ASKED;
        wants[i].tried[p] = true;
      }
      m_taken[p] += out.size();
      if (!out.empty() || !waiting_for_others || m_taken[p] >= cap || stop) return out;
      m_cv.wait_for(lock, std::chrono::milliseconds(200));
    }
  }

  // The answer to ids: delivered hashes are done, the rest open again.
  void Settle(const std::vector<std::size_t>& ids, const std::unordered_set<std::string>& delivered) {
    {
      std::lock_guard lock(m_mutex);
      for (auto i : ids) wants[i].state = delivered.count(wants[i].hash) ? Want::DONE : Want::OPEN;
    }
    m_cv.notify_all();
  }

 private:
  std::mutex m_mutex;
  std::condition_variable m_cv;
  std::vector<std::size_t> m_taken;
};

std::unique_ptr<AtlasNode::FetchRound> AtlasNode::PlanRoundLocked() {
  auto round = std::make_unique<FetchRound>();
  if (m_present == m_hashes.size()) return round;
  std::vector<const Peer*> peers;
  for (const auto& [hp, peer] : m_peers) {
    if (!peer.inventory_known || peer.inventory.empty()) continue;
    // Peers below the health threshold are not asked (once there is enough to
    // judge them), seeds excepted.
    if (!peer.seed && peer.window.size() >= MIN_RESPONSES_TO_JUDGE && HealthLocked(peer) < MIN_PEER_HEALTH) continue;
    round->peers.push_back(hp);
    peers.push_back(&peer);
  }
  if (peers.empty()) return round;
  struct Rank {
    std::size_t popularity;
    uint64_t first_slot;
    const std::string* hash;
    const HashState* state;
  };
  auto has = [&](const HashState& st, std::size_t p) {
    return std::any_of(st.slots.begin(), st.slots.end(), [&](uint64_t i) { return TestBit(peers[p]->inventory, i); });
  };
  std::vector<Rank> ranks;
  for (const auto& [hash, st] : m_hashes) {
    if (st.present) continue;
    Rank r{0, st.slots.front(), &hash, &st};
    for (std::size_t p = 0; p < peers.size(); ++p) r.popularity += has(st, p) ? 1 : 0;
    if (r.popularity > 0) ranks.push_back(r);
  }
  // Only the rarest that this round can ask for are put in order: on a fresh
  // node the missing hashes are every hash, and sorting them all each round
  // cost more than the round.
  auto rarer = [](const Rank& x, const Rank& y) {
    return x.popularity != y.popularity ? x.popularity < y.popularity : x.first_slot < y.first_slot;
  };
  const std::size_t room = std::min(ranks.size(), m_settings.max_fetch_per_peer * peers.size());
  std::partial_sort(ranks.begin(), ranks.begin() + static_cast<long>(room), ranks.end(), rarer);
  round->wants.reserve(room);
  for (std::size_t k = 0; k < room; ++k) {
    FetchRound::Want w;
    w.hash = *ranks[k].hash;
    w.tried.assign(peers.size(), false);
    for (std::size_t p = 0; p < peers.size(); ++p) w.has.push_back(has(*ranks[k].state, p));
    round->wants.push_back(std::move(w));
  }
  return round;
}

bool AtlasNode::SettleFetchLocked(const std::string& hp, const std::vector<std::string>& asked,
                                  const std::unordered_set<std::string>& delivered, std::size_t bad) {
  auto it = m_peers.find(hp);
  if (it == m_peers.end()) return false;
  // Whatever it did not deliver is not asked of it again before its next
  // inventory refresh, and each such file counts against its health: a peer
  // that advertises files it does not serve falls out of use.
  auto now = Clock::now();
  for (const auto& h : asked) {
    if (delivered.count(h)) continue;
    auto hs = m_hashes.find(h);
    if (hs == m_hashes.end()) continue;
    for (uint64_t i : hs->second.slots) ClearBit(it->second.inventory, i);
    it->second.window.emplace_back(now, false);
  }
  if (bad == 0) return true;
  spdlog::warn("atlas: peer {} sent {} zone file(s) that do not match their hashes", hp, bad);
  it->second.bad_files += bad;
  for (std::size_t k = 0; k < bad; ++k) it->second.window.emplace_back(now, false);
  if (HealthLocked(it->second) >= MIN_PEER_HEALTH) return true;
  spdlog::warn("atlas: dropping peer {}: it served altered zone files", hp);
  m_banned[hp] = now + m_settings.ban_time;
  m_peer_slots.erase(it->second.slot);
  m_peers.erase(it);
  return false;
}

// Stores what the peer threads fetch on a thread of its own, so fetching the next
// batch overlaps storing the last (the store takes one writer at a time anyway).
// At most a few batches wait, so memory stays bounded.
class AtlasNode::BatchStorer {
 public:
  explicit BatchStorer(AtlasNode& node) : m_node(node), m_thread([this] { Run(); }) {}
  ~BatchStorer() { Finish(); }

  // Waits for room, then queues files (each checked against its hash already).
  void Add(std::vector<std::string> files, std::vector<std::string> hashes) {
    if (files.empty()) return;
    std::unique_lock lock(m_mutex);
    m_cv.wait(lock, [&] { return m_queue.size() < MAX_WAITING_BATCHES; });
    m_queue.push_back({std::move(files), std::move(hashes)});
    m_cv.notify_all();
  }
  // Stores what is queued and returns how many files were new.
  uint64_t Finish() {
    {
      std::lock_guard lock(m_mutex);
      m_fetching = false;
    }
    m_cv.notify_all();
    if (m_thread.joinable()) m_thread.join();
    return m_stored;
  }

 private:
  static constexpr std::size_t MAX_WAITING_BATCHES = 4;
  struct Batch {
    std::vector<std::string> files, hashes;
  };
  void Run() {
    for (;;) {
      Batch batch;
      {
        std::unique_lock lock(m_mutex);
        m_cv.wait(lock, [&] { return !m_queue.empty() || !m_fetching; });
        if (m_queue.empty()) return;
        batch = std::move(m_queue.front());
        m_queue.pop_front();
      }
      m_cv.notify_all();
      auto saved = m_node.StoreMany(std::move(batch.files), std::move(batch.hashes));
      if (saved) {
        m_stored += static_cast<uint64_t>(std::count(saved->begin(), saved->end(), true));
      } else {
        spdlog::warn("atlas: cannot store fetched zone files: {}", saved.error().message);
      }
    }
  }

  AtlasNode& m_node;
  std::mutex m_mutex;
  std::condition_variable m_cv;
  std::deque<Batch> m_queue;
  bool m_fetching = true;
  uint64_t m_stored = 0;
  std::thread m_thread;  // last: started once the rest is built
};

void AtlasNode::FetchFrom(std::size_t p, FetchRound& round, BatchStorer& storer) {
  const std::string& hp = round.peers[p];
  auto client = Client(hp);
  if (!client) return;
  while (!m_stop) {
    auto ids = round.Take(p, MAX_GET_ZONEFILES, m_settings.max_fetch_per_peer, m_stop);
    if (ids.empty()) return;
    std::vector<std::string> chunk;
    for (auto i : ids) chunk.push_back(round.wants[i].hash);
    auto got = (*client)->GetZonefiles(chunk, m_settings.zonefiles_timeout);
    Record(hp, got.has_value());
    std::vector<std::string> files, checked;
    std::unordered_set<std::string> delivered;
    if (got) {
      // Each was checked against its hash as it arrived: not hashed again.
      for (auto& [h, bytes] : got->files) {
        delivered.insert(h);
        checked.push_back(h);
        files.push_back(std::move(bytes));
      }
      spdlog::info("atlas: fetched {} of {} zone file(s) asked of {}{}", files.size(), chunk.size(), hp,
                   got->bad ? fmt::format(" ({} did not match their hash)", got->bad) : std::string());
    } else {
      spdlog::info("atlas: {} did not give {} zone file(s): {}", hp, chunk.size(), got.error().message);
    }
    storer.Add(std::move(files), std::move(checked));
    round.Settle(ids, delivered);
    std::lock_guard lock(m_mutex);
    if (!SettleFetchLocked(hp, chunk, delivered, got ? got->bad : 0) || !got) return;
  }
}

bool AtlasNode::FetchMissing() {
  std::unique_ptr<FetchRound> round;
  {
    std::lock_guard lock(m_mutex);
    round = PlanRoundLocked();
  }
  if (round->wants.empty()) return false;
  BatchStorer storer(*this);
  ParallelIndex(round->peers.size(), [&](std::size_t p) { FetchFrom(p, *round, storer); });
  return storer.Finish() > 0;
}

void AtlasNode::PushQueued() {
  std::vector<std::string> queued;
  std::vector<std::string> targets;
  {
    std::lock_guard lock(m_mutex);
    if (m_push_queue.empty()) return;
    queued.assign(m_push_queue.begin(), m_push_queue.end());
    m_push_queue.clear();
    for (const auto& [hp, p] : m_peers) {
      if (p.ever_ok && HealthLocked(p) >= MIN_PEER_HEALTH) targets.push_back(hp);
    }
  }
  Parallel(targets, [&](const std::string& hp) {
    std::vector<std::string> lacking;
    {
      std::lock_guard lock(m_mutex);
      auto it = m_peers.find(hp);
      if (it == m_peers.end()) return;
      for (const auto& h : queued) {
        auto hs = m_hashes.find(h);
        if (hs == m_hashes.end()) continue;
        bool has = std::any_of(hs->second.slots.begin(), hs->second.slots.end(),
                               [&](uint64_t i) { return TestBit(it->second.inventory, i); });
        if (!has) lacking.push_back(h);
      }
    }
    auto client = Client(hp);
    if (!client) return;
    for (std::size_t at = 0; at < lacking.size(); at += MAX_PUT_ZONEFILES) {
      std::vector<std::string> hashes, files;
      for (std::size_t k = at; k < std::min(lacking.size(), at + MAX_PUT_ZONEFILES); ++k) {
        auto bytes = m_store.Get(lacking[k]);
        if (bytes && *bytes) {
          hashes.push_back(lacking[k]);
          files.push_back(std::move(**bytes));
        }
      }
      if (files.empty()) continue;
      auto saved = (*client)->PutZonefiles(files, m_settings.push_timeout);
      Record(hp, saved.has_value());
      if (!saved) return;
      std::lock_guard lock(m_mutex);
      auto it = m_peers.find(hp);
      if (it == m_peers.end()) return;
      for (std::size_t k = 0; k < hashes.size(); ++k) {
        auto hs = m_hashes.find(hashes[k]);
        if (!(*saved)[k] || hs == m_hashes.end()) continue;
        for (uint64_t i : hs->second.slots) SetBit(it->second.inventory, i);
      }
    }
  });
}

void AtlasNode::CleanPeers() {
  std::lock_guard lock(m_mutex);
  auto now = Clock::now();
  std::size_t removed = 0;
  for (auto it = m_peers.begin(); it != m_peers.end() && removed < 10;) {
    const Peer& p = it->second;
    std::size_t ok = 0;
    for (const auto& e : p.window) ok += e.second ? 1 : 0;
    bool unhealthy = !p.seed && p.window.size() >= MIN_RESPONSES_TO_JUDGE && HealthLocked(p) < MIN_PEER_HEALTH;
    bool dead = !p.seed && !p.window.empty() && ok == 0 && p.window.size() >= 3;
    if (unhealthy || dead) {
      spdlog::debug("atlas: removing unhealthy peer {}", it->first);
      m_peer_slots.erase(p.slot);
      it = m_peers.erase(it);
      ++removed;
    } else {
      ++it;
    }
  }
  for (auto it = m_banned.begin(); it != m_banned.end();) {
    it = it->second <= now ? m_banned.erase(it) : std::next(it);
  }
}

void AtlasNode::Parallel(const std::vector<std::string>& items, const std::function<void(const std::string&)>& fn) {
  ParallelIndex(items.size(), [&](std::size_t i) { fn(items[i]); });
}

void AtlasNode::ParallelIndex(std::size_t count, const std::function<void(std::size_t)>& fn) {
  std::atomic<std::size_t> next{0};
  std::size_t n = std::min(count, std::max<std::size_t>(1, m_settings.max_parallel));
  auto worker = [&] {
    for (std::size_t i = next++; i < count; i = next++) {
      if (m_stop) return;
      fn(i);
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t t = 1; t < n; ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
}

void AtlasNode::Run() {
  while (!m_stop) {
    bool resync = false;
    {
      std::lock_guard lock(m_mutex);
      resync = m_resync_needed;
    }
    if (resync) {
      if (auto st = Resync(nullptr); !st) spdlog::warn("atlas: cannot read the name index: {}", st.error().message);
    }
    bool progress = ProbeCandidates();
    auto now = Clock::now();
    if (now >= m_next_walk) {
      WalkStep();
      m_next_walk = now + m_settings.work_interval;
    }
    RefreshInventories();
    PushQueued();
    progress = FetchMissing() || progress;
    if (now >= m_next_clean) {
      CleanPeers();
      m_next_clean = now + m_settings.peer_clean_interval;
    }
    if (progress || m_stop) continue;
    std::unique_lock lock(m_wake_mutex);
    m_wake.wait_for(lock, m_settings.work_interval, [this] { return m_woken; });
    m_woken = false;
  }
}

}  // namespace blockstack::atlas
