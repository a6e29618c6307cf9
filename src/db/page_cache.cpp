#include <db/page_cache.h>

#include <sqlite3.h>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <new>
#include <vector>

namespace blockstack::db {

namespace {

sqlite3_pcache_methods2 g_inner{};
bool g_installed = false;
std::atomic<unsigned long long> g_passed{0};
std::atomic<unsigned long long> g_skipped{0};
// Page numbers tracked (a 4 MiB bitmap at most, 128 GiB of 4 KiB pages). A larger
// one, which only a damaged file would ask for, stops the tracking for its cache.
constexpr unsigned MAX_TRACKED_PAGE = 1u << 25;

// One cache: SQLite's, and a bit per page number that may be in it. A set bit is
// an upper bound (pages SQLite evicts on its own keep theirs); a page that is in
// the cache always has its bit set. The vector is trimmed so that its last word is
// never zero: its size then bounds the largest cached page number.
struct Cache {
  sqlite3_pcache* inner = nullptr;
  std::vector<uint64_t> bits;
  bool untracked = false;  // a page number too large or a failed allocation: pass every truncation on

  void Set(unsigned key) {
    if (key > MAX_TRACKED_PAGE) {
      untracked = true;
      return;
    }
    const std::size_t word = key / 64;
    if (word >= bits.size()) {
      try {
        bits.resize(word + 1, 0);
      } catch (const std::bad_alloc&) {
        untracked = true;
        return;
      }
    }
    bits[word] |= uint64_t{1} << (key % 64);
  }

  void Clear(unsigned key) {
    const std::size_t word = key / 64;
    if (word >= bits.size()) return;
    bits[word] &= ~(uint64_t{1} << (key % 64));
    Trim();
  }

  void Trim() {
    while (!bits.empty() && bits.back() == 0) bits.pop_back();
  }

  // Whether a page numbered limit or above may be cached.
  bool MayHoldFrom(unsigned limit) const {
    if (untracked) return true;
    const std::size_t word = limit / 64;
    if (word + 1 < bits.size()) return true;  // the last word is above limit's and not zero
    if (word >= bits.size()) return false;
    return (bits[word] >> (limit % 64)) != 0;
  }

  void ClearFrom(unsigned limit) {
    const std::size_t word = limit / 64;
    if (word >= bits.size()) return;
    bits.resize(word + 1);
    bits[word] &= (uint64_t{1} << (limit % 64)) - 1;
    Trim();
  }
};

Cache* Of(sqlite3_pcache* p) { return reinterpret_cast<Cache*>(p); }

int Init(void*) { return g_inner.xInit != nullptr ? g_inner.xInit(g_inner.pArg) : SQLITE_OK; }

void Shutdown(void*) {
  if (g_inner.xShutdown != nullptr) g_inner.xShutdown(g_inner.pArg);
}

sqlite3_pcache* Create(int page_size, int extra_size, int purgeable) {
  auto* c = new (std::nothrow) Cache();
  if (c == nullptr) return nullptr;
  c->inner = g_inner.xCreate(page_size, extra_size, purgeable);
  if (c->inner == nullptr) {
    delete c;
    return nullptr;
  }
  return reinterpret_cast<sqlite3_pcache*>(c);
}

void Cachesize(sqlite3_pcache* p, int pages) { g_inner.xCachesize(Of(p)->inner, pages); }

int Pagecount(sqlite3_pcache* p) { return g_inner.xPagecount(Of(p)->inner); }

sqlite3_pcache_page* Fetch(sqlite3_pcache* p, unsigned key, int create) {
  Cache* c = Of(p);
  sqlite3_pcache_page* page = g_inner.xFetch(c->inner, key, create);
  if (page != nullptr) c->Set(key);
  return page;
}

void Unpin(sqlite3_pcache* p, sqlite3_pcache_page* page, int discard) {
  Cache* c = Of(p);
  g_inner.xUnpin(c->inner, page, discard);
  // The key is not passed in; a discarded page's bit stays set (an upper bound).
}

void Rekey(sqlite3_pcache* p, sqlite3_pcache_page* page, unsigned old_key, unsigned new_key) {
  Cache* c = Of(p);
  g_inner.xRekey(c->inner, page, old_key, new_key);
  c->Set(new_key);
  if (old_key != new_key) c->Clear(old_key);
}

void Truncate(sqlite3_pcache* p, unsigned limit) {
  Cache* c = Of(p);
  if (!c->MayHoldFrom(limit)) {
    g_skipped.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  g_passed.fetch_add(1, std::memory_order_relaxed);
  g_inner.xTruncate(c->inner, limit);
  c->ClearFrom(limit);
}

void Destroy(sqlite3_pcache* p) {
  Cache* c = Of(p);
  g_inner.xDestroy(c->inner);
  delete c;
}

void Shrink(sqlite3_pcache* p) {
  if (g_inner.xShrink != nullptr) g_inner.xShrink(Of(p)->inner);
}

}  // namespace

bool InstallPageCache() {
  static std::once_flag once;
  std::call_once(once, [] {
    sqlite3_pcache_methods2 inner{};
    if (sqlite3_config(SQLITE_CONFIG_GETPCACHE2, &inner) != SQLITE_OK || inner.xCreate == nullptr) return;
    g_inner = inner;
    // Fields in declaration order: iVersion, pArg, then the methods.
    sqlite3_pcache_methods2 outer{1,     nullptr, Init,  Shutdown, Create,  Cachesize, Pagecount,
                                  Fetch, Unpin,   Rekey, Truncate, Destroy, Shrink};
    g_installed = sqlite3_config(SQLITE_CONFIG_PCACHE2, &outer) == SQLITE_OK;
  });
  return g_installed;
}

bool PageCacheInstalled() { return g_installed; }

PageCacheCounters PageCacheStats() {
  return {g_passed.load(std::memory_order_relaxed), g_skipped.load(std::memory_order_relaxed)};
}

}  // namespace blockstack::db
