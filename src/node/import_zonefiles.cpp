#include <node/import_zonefiles.h>

#include <node/data_dir_lock.h>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <unordered_set>
#include <vector>

#include <atlas/frames.h>
#include <node/command.h>
#include <node/zonefile_index.h>
#include <util/bytes.h>
#include <zonefile/zonefile.h>

namespace blockstack::node {

namespace fs = std::filesystem;
using util::ErrorCode;
using util::Fail;

namespace {

constexpr std::size_t BATCH = 100;
constexpr uint64_t PROGRESS_EVERY = 10000;
// The legacy layout is 20 directories deep; nothing deeper is looked at.
constexpr int MAX_DEPTH = 24;
constexpr std::size_t LEGACY_DEPTH = 20;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

nlohmann::json ToJson(const ImportSummary& s) {
  return {{"files", s.files},
          {"stored", s.stored},
          {"already_stored", s.already},
          {"unannounced", s.unannounced},
          {"mismatched", s.mismatched},
          {"too_large", s.too_large},
          {"ignored", s.ignored}};
}

}  // namespace

std::optional<std::string> HashFromStoragePath(std::string_view relative_path) {
  std::vector<std::string_view> parts;
  std::size_t pos = 0;
  while (pos <= relative_path.size()) {
    std::size_t slash = relative_path.find('/', pos);
    if (slash == std::string_view::npos) slash = relative_path.size();
    if (slash > pos) parts.push_back(relative_path.substr(pos, slash - pos));
    pos = slash + 1;
  }
  if (parts.empty()) return std::nullopt;
  const std::string_view file = parts.back();
  constexpr std::string_view SUFFIX = ".txt";
  if (file.size() == 40 + SUFFIX.size() && file.substr(40) == SUFFIX && util::IsHex(file.substr(0, 40))) {
    return Lower(file.substr(0, 40));
  }
  if (file != "zonefile.txt" || parts.size() < LEGACY_DEPTH + 1) return std::nullopt;
  std::string hash;
  for (std::size_t i = parts.size() - 1 - LEGACY_DEPTH; i + 1 < parts.size(); ++i) {
    if (parts[i].size() != 2 || !util::IsHex(parts[i])) return std::nullopt;
    hash += parts[i];
  }
  return Lower(hash);
}

util::Result<ImportSummary> ImportZonefiles(const std::string& dir, interfaces::ZonefileIndex& index,
                                            atlas::ZonefileStore& store,
                                            const std::function<void(const ImportSummary&)>& progress) {
  BS_TRY(auto slots, index.SlotsFrom(0));
  std::unordered_set<std::string> announced;
  announced.reserve(slots.size());
  for (auto& s : slots) announced.insert(std::move(s.hash));
  slots.clear();

  ImportSummary sum;
  std::vector<std::string> batch, hashes;
  auto flush = [&]() -> util::Status {
    if (batch.empty()) return {};
    BS_TRY(auto fresh, store.PutMany(batch, &hashes));
    for (bool f : fresh) ++(f ? sum.stored : sum.already);
    batch.clear();
    hashes.clear();
    return {};
  };

  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  if (ec) return Fail(ErrorCode::IoError, "cannot read " + dir + ": " + ec.message());
  const fs::path root = fs::path(dir);
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) return Fail(ErrorCode::IoError, "cannot read " + dir + ": " + ec.message());
    const fs::directory_entry& entry = *it;
    const fs::file_status st = entry.symlink_status(ec);
    if (ec) {
      ++sum.ignored;
      continue;
    }
    if (fs::is_directory(st)) {
      if (it.depth() >= MAX_DEPTH) it.disable_recursion_pending();
      continue;
    }
    if (!fs::is_regular_file(st)) {
      if (fs::is_symlink(st)) ++sum.ignored;
      continue;
    }
    ++sum.files;
    if (progress && sum.files % PROGRESS_EVERY == 0) progress(sum);
    auto hash = HashFromStoragePath(entry.path().lexically_relative(root).generic_string());
    if (!hash) {
      ++sum.ignored;
      continue;
    }
    // At most one byte past the limit is read: a huge file is never read whole.
    std::ifstream in(entry.path(), std::ios::binary);
    std::string bytes(zonefile::MAX_ZONEFILE_BYTES + 1, '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!in.is_open() || in.bad()) {
      ++sum.ignored;
      continue;
    }
    bytes.resize(static_cast<std::size_t>(in.gcount()));
    if (bytes.size() > zonefile::MAX_ZONEFILE_BYTES) {
      ++sum.too_large;
      continue;
    }
    std::string actual = atlas::ZonefileHash(bytes);
    if (actual != *hash) {
      ++sum.mismatched;
      spdlog::warn("import: {} does not hash to its name (it hashes to {})", entry.path().string(), actual);
      continue;
    }
    if (!announced.count(actual)) {
      ++sum.unannounced;
      continue;
    }
    batch.push_back(std::move(bytes));
    hashes.push_back(std::move(actual));
    if (batch.size() >= BATCH) BS_CHECK_OK(flush());
  }
  BS_CHECK_OK(flush());
  return sum;
}

int RunImportZonefiles(int argc, char** argv) {
  CLI::App app{
      "blockstackd import-zonefiles: stores the zone files another node keeps in a directory "
      "(<h[0:2]>/<h[2:4]>/<h>.txt, or the legacy .../zonefile.txt), each checked against its hash "
      "and the chain. Run it with the node stopped, or restart the node after it."};
  app.name("blockstackd import-zonefiles");
  std::string from, log_level = "info";
  DataDirOption data_dir_option(app);
  app.add_option("--from", from, "The directory of zone files to import")->required();
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error (default info)");
  if (auto stop = ParseCommand(app, argc, argv, log_level)) return *stop;
  auto data_dir_given = data_dir_option.Resolve("blockstackd import-zonefiles");
  if (!data_dir_given) return 2;
  const std::string& data_dir = *data_dir_given;
  std::error_code ec;
  if (!fs::is_directory(from, ec)) {
    std::cerr << "blockstackd import-zonefiles: " << from << " is not a directory\n";
    return 2;
  }
  const std::string names_db = data_dir + "/blockstack.db";
  if (!fs::exists(names_db, ec)) {
    std::cerr << "blockstackd import-zonefiles: no name database in " << data_dir
              << " (index the chain first: only zone files announced on chain are kept)\n";
    return 2;
  }
  // One writer at a time: a running node holds the directory.
  auto lock = DataDirLock::Acquire(data_dir);
  if (!lock) {
    std::cerr << "blockstackd import-zonefiles: " << lock.error().message << " (stop it first)\n";
    return 2;
  }
  auto index = NameDbZonefileIndex::Open(names_db);
  if (!index) {
    std::cerr << "blockstackd import-zonefiles: " << index.error().message << "\n";
    return 3;
  }
  auto store = atlas::ZonefileStore::Open(data_dir + "/zonefiles.db");
  if (!store) {
    std::cerr << "blockstackd import-zonefiles: " << store.error().message << "\n";
    return 3;
  }
  auto summary = ImportZonefiles(from, **index, **store, [](const ImportSummary& s) {
    spdlog::info("import: {} files looked at, {} stored", s.files, s.stored);
  });
  if (!summary) {
    std::cerr << "blockstackd import-zonefiles: " << summary.error().message << "\n";
    return summary.error().code == ErrorCode::IoError ? 3 : 4;
  }
  std::cout << ToJson(*summary).dump() << "\n";
  return 0;
}

}  // namespace blockstack::node
