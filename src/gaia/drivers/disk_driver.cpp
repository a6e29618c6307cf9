#include <gaia/drivers/disk_driver.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include <nlohmann/json.hpp>

#include <crypto/hash.h>

namespace blockstack::gaia {

namespace fs = std::filesystem;
using util::ErrorCode;
using util::Fail;

namespace {

constexpr std::size_t MAX_ABSOLUTE_PATH = 4096;
constexpr std::size_t MAX_COMPONENTS = 100;
const char* const METADATA_DIR = ".gaia-metadata";
const char* const TEMP_DIR = ".gaia-tmp";

util::Error Errno(const std::string& what) {
  int err = errno;
  if (err == ENOSPC || err == EDQUOT) return {ErrorCode::IoError, what + ": no space left on the storage device"};
  return {ErrorCode::IoError, what + ": " + std::strerror(err)};
}

// Writes all of data to fd, retrying short writes and EINTR.
bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

util::Result<std::string> ReadFile(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return Fail(ErrorCode::NotFound, "File does not exist");
    return Fail(Errno("cannot open " + path.string()));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Fail(ErrorCode::NotFound, "File does not exist");
  }
  std::string out;
  out.resize(static_cast<std::size_t>(st.st_size));
  std::size_t got = 0;
  while (got < out.size()) {
    ssize_t n = ::read(fd, out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  out.resize(got);
  return out;
}

class DiskDriver final : public Driver {
 public:
  explicit DiskDriver(fs::path root) : m_root(std::move(root)), m_salt(std::random_device{}()) {}

  std::string ReadUrlPrefix() const override { return ""; }

  util::Result<std::string> Write(std::string_view top, std::string_view path, std::string_view data,
                                  std::string_view content_type) override {
    BS_TRY(auto target, Resolve(top, path));
    std::string etag = util::ToHex(crypto::Md5(util::AsBytes(data)));
    nlohmann::json meta = {{"content-type", content_type}, {"etag", etag}};
    BS_CHECK_OK(AtomicWrite(target.data, data));
    BS_CHECK_OK(AtomicWrite(target.meta, meta.dump()));
    return etag;
  }

  util::Status Delete(std::string_view top, std::string_view path) override {
    BS_TRY(auto target, Resolve(top, path));
    struct stat st {};
    if (::lstat(target.data.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      return Fail(ErrorCode::NotFound, "File does not exist");
    }
    if (::unlink(target.data.c_str()) != 0) return Fail(Errno("cannot delete " + std::string(path)));
    ::unlink(target.meta.c_str());
    return util::Ok();
  }

  util::Status Rename(std::string_view top, std::string_view path, std::string_view new_path) override {
    BS_TRY(auto from, Resolve(top, path));
    BS_TRY(auto to, Resolve(top, new_path));
    struct stat st {};
    if (::lstat(from.data.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      return Fail(ErrorCode::NotFound, "File does not exist");
    }
    BS_CHECK_OK(MakeParents(to.data));
    BS_CHECK_OK(MakeParents(to.meta));
    if (::rename(from.data.c_str(), to.data.c_str()) != 0) return Fail(Errno("cannot rename " + std::string(path)));
    ::rename(from.meta.c_str(), to.meta.c_str());
    return util::Ok();
  }

  util::Result<ObjectStat> Stat(std::string_view top, std::string_view path) override {
    BS_TRY(auto target, Resolve(top, path));
    return StatResolved(target, nullptr);
  }

  util::Result<ObjectData> Read(std::string_view top, std::string_view path) override {
    BS_TRY(auto target, Resolve(top, path));
    ObjectData out;
    BS_TRY(out.data, ReadFile(target.data));
    // The ETag is computed from the bytes returned, so it always matches them even
    // while a writer replaces the file.
    BS_TRY(out.stat, StatResolved(target, &out.data));
    out.stat.content_length = out.data.size();
    return out;
  }

  util::Result<ListPage> List(std::string_view top, const std::optional<std::string>& page, std::size_t page_size,
                              bool with_stat) override {
    std::size_t page_number = 0;
    if (page && !page->empty()) {
      auto [end, ec] = std::from_chars(page->data(), page->data() + page->size(), page_number);
      if (ec != std::errc{} || end != page->data() + page->size()) {
        return Fail(ErrorCode::InvalidArgument, "Invalid page token: " + *page);
      }
    }
    fs::path base = m_root / std::string(top);
    std::vector<std::string> names;
    std::error_code ec;
    fs::recursive_directory_iterator it(base, fs::directory_options::skip_permission_denied, ec);
    if (!ec) {
      for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) break;
        if (it->is_regular_file(ec)) names.push_back(it->path().lexically_relative(base).generic_string());
      }
    }
    std::sort(names.begin(), names.end());
    ListPage out;
    if (page_size == 0 || page_number > names.size() / page_size) return out;
    std::size_t begin = page_number * page_size;
    std::size_t end = std::min(names.size(), begin + page_size);
    for (std::size_t i = begin; i < end; ++i) {
      ListEntry e;
      e.name = names[i];
      if (with_stat) {
        auto target = Resolve(top, names[i]);
        if (target) {
          auto st = StatResolved(*target, nullptr);
          if (st) e.stat = *st;
        }
      }
      out.entries.push_back(std::move(e));
    }
    if (end < names.size()) out.page = std::to_string(page_number + 1);
    return out;
  }

  util::Status Init() {
    std::error_code ec;
    // Temporaries left by a process that died mid-write are never renamed: drop them.
    fs::remove_all(m_root / TEMP_DIR, ec);
    fs::create_directories(m_root / TEMP_DIR, ec);
    if (ec) return Fail(ErrorCode::IoError, "cannot create storage directory " + m_root.string() + ": " + ec.message());
    if (::access((m_root / TEMP_DIR).c_str(), W_OK) != 0) {
      return Fail(ErrorCode::IoError, "storage directory " + m_root.string() + " is not writable");
    }
    return util::Ok();
  }

 private:
  struct Target {
    fs::path data;
    fs::path meta;
  };

  // §1.7 and §3.1: the data and metadata paths of (top, path), normalised the
  // way the original joins them ("/a//b" and "a/b" are one file).
  util::Result<Target> Resolve(std::string_view top, std::string_view path) const {
    BS_CHECK_OK(CheckPath(path));
    if (top.empty() || top.find('/') != std::string_view::npos || top.front() == '.') {
      return Fail(ErrorCode::InvalidArgument, "Invalid top-level directory");
    }
    if (path.back() == '/') return Fail(ErrorCode::InvalidArgument, "Invalid file path: ends with '/'");
    fs::path rel = fs::path(std::string(path)).relative_path().lexically_normal();
    std::string rel_text = rel.generic_string();
    if (rel_text.empty() || rel_text == "." || rel_text.back() == '/') {
      return Fail(ErrorCode::InvalidArgument, "Invalid file path: names a directory");
    }
    Target t{m_root / std::string(top) / rel, m_root / METADATA_DIR / std::string(top) / rel};
    if (t.data.native().size() > MAX_ABSOLUTE_PATH) return Fail(ErrorCode::InvalidArgument, "Invalid file path: too long");
    std::size_t components = 0;
    for (const auto& part : t.data) {
      if (!part.empty() && part != "/") ++components;
    }
    if (components > MAX_COMPONENTS) return Fail(ErrorCode::InvalidArgument, "Invalid file path: too deep");
    return t;
  }

  util::Result<ObjectStat> StatResolved(const Target& t, const std::string* data) const {
    struct stat st {};
    ObjectStat out;
    if (::lstat(t.data.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return out;
    out.exists = true;
    out.content_length = static_cast<uint64_t>(st.st_size);
    out.last_modified = static_cast<int64_t>(st.st_mtim.tv_sec);
    out.content_type = "application/octet-stream";
    auto meta_text = ReadFile(t.meta);
    if (meta_text) {
      auto meta = nlohmann::json::parse(*meta_text, nullptr, false);
      if (meta.is_object()) {
        if (meta.contains("content-type") && meta["content-type"].is_string()) out.content_type = meta["content-type"];
        if (meta.contains("etag") && meta["etag"].is_string()) out.etag = meta["etag"];
      }
    }
    if (data) {
      out.etag = util::ToHex(crypto::Md5(util::AsBytes(*data)));
    } else if (out.etag.empty()) {
      BS_TRY(std::string content, ReadFile(t.data));
      out.etag = util::ToHex(crypto::Md5(util::AsBytes(content)));
    }
    return out;
  }

  util::Status MakeParents(const fs::path& file) const {
    std::error_code ec;
    fs::create_directories(file.parent_path(), ec);
    if (ec) {
      if (ec == std::errc::not_a_directory || ec == std::errc::file_exists) {
        return Fail(ErrorCode::InvalidArgument, "Invalid file path: a parent is a file");
      }
      return Fail(ErrorCode::IoError, "cannot create directory: " + ec.message());
    }
    return util::Ok();
  }

  util::Status AtomicWrite(const fs::path& target, std::string_view data) {
    BS_CHECK_OK(MakeParents(target));
    struct stat st {};
    if (::lstat(target.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
      return Fail(ErrorCode::InvalidArgument, "Invalid file path: names a directory");
    }
    fs::path temp = m_root / TEMP_DIR / (std::to_string(::getpid()) + "-" + std::to_string(m_counter++) + "-" + std::to_string(m_salt));
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return Fail(Errno("cannot create a temporary file"));
    bool ok = WriteAll(fd, data) && ::fsync(fd) == 0;
    util::Error error = ok ? util::Error{} : Errno("cannot write " + target.filename().string());
    ::close(fd);
    if (ok && ::rename(temp.c_str(), target.c_str()) != 0) {
      ok = false;
      error = Errno("cannot move the new file into place");
    }
    if (!ok) {
      ::unlink(temp.c_str());
      return Fail(error);
    }
    return util::Ok();
  }

  fs::path m_root;
  std::atomic<uint64_t> m_counter{0};
  uint32_t m_salt;
};

}  // namespace

util::Result<std::unique_ptr<Driver>> MakeDiskDriver(const std::string& root) {
  std::error_code ec;
  fs::path absolute = fs::absolute(root, ec);
  if (ec || root.empty()) return Fail(ErrorCode::InvalidArgument, "invalid storage root '" + root + "'");
  auto driver = std::make_unique<DiskDriver>(absolute.lexically_normal());
  BS_CHECK_OK(driver->Init());
  return std::unique_ptr<Driver>(std::move(driver));
}

}  // namespace blockstack::gaia
