#include <gaia/drivers/disk_driver.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
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
#include <vector>

#include <crypto/hash.h>
#include <util/lru_cache.h>

namespace blockstack::gaia {

namespace fs = std::filesystem;
using util::ErrorCode;
using util::Fail;

namespace {

constexpr std::size_t MAX_ABSOLUTE_PATH = 4096;
constexpr std::size_t MAX_COMPONENTS = 100;
const std::string METADATA_DIR = ".gaia-metadata";
const char* const TEMP_DIR = ".gaia-tmp";
const char* const ETAG_ATTR = "user.gaia.etag";
const char* const TYPE_ATTR = "user.gaia.content-type";

constexpr std::size_t MAX_NAME = 255;  // bytes in one path component (NAME_MAX on Linux file systems)
constexpr std::size_t COPY_CHUNK = 64 * 1024;

util::Error Errno(const std::string& what) {
  int err = errno;
  if (err == ENOSPC || err == EDQUOT) return {ErrorCode::NoSpace, what + ": no space left on the storage device"};
  if (err == ENAMETOOLONG) return {ErrorCode::InvalidArgument, "Invalid file path: a name in it is too long"};
  return {ErrorCode::IoError, what + ": " + std::strerror(err)};
}

// Makes a directory's entries (a rename or unlink in it) durable.
bool SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

std::string Parent(const std::string& path) { return path.substr(0, path.rfind('/')); }

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
  struct Target {
    std::string data;  // plain strings: building std::filesystem::path splits components
    std::string meta;
  };

 public:
  DiskDriver(fs::path root, DiskOptions options)
      : m_root(std::move(root)),
        m_root_slash(m_root.native() + "/"),
        m_options(options),
        m_cache(options.read_cache_entries),
        m_salt(std::random_device{}()) {
    for (const auto& part : m_root) {
      if (!part.empty() && part != "/") ++m_root_components;
    }
  }

  std::string ReadUrlPrefix() const override { return ""; }

  util::Result<std::string> Write(std::string_view top, std::string_view path, std::string_view data,
                                  std::string_view content_type) override {
    BS_TRY(auto target, Resolve(top, path));
    std::string etag = util::ToHex(crypto::Md5(util::AsBytes(data)));
    nlohmann::json meta = {{"content-type", content_type}, {"etag", etag}};
    // The ETag and content type travel with the data file as extended attributes,
    // so they change with it in one rename. Only where the file system has no
    // extended attributes is the original layout's metadata file written; one
    // left by the original hub is removed so it cannot go stale.
    BS_TRY(bool attrs, AtomicWrite(target.data, data, {{ETAG_ATTR, etag}, {TYPE_ATTR, std::string(content_type)}}));
    BS_CHECK_OK(WriteLegacyMetadata(target, attrs, meta));
    return etag;
  }

  std::string SpoolDirectory() const override { return (m_root / TEMP_DIR).string(); }

  // A spooled body in the temporary directory becomes the file itself: hashed
  // in pieces, then renamed into place (no copy, no memory for its content).
  util::Result<std::string> WriteFile(std::string_view top, std::string_view path, const std::string& file,
                                      std::string_view content_type) override {
    if (Parent(file) != SpoolDirectory()) return Driver::WriteFile(top, path, file, content_type);
    BS_TRY(auto target, Resolve(top, path));
    BS_CHECK_OK(PrepareTarget(target.data));
    int fd = ::open(file.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return Fail(Errno("cannot open the uploaded body"));
    crypto::Md5Hasher md5;
    std::vector<uint8_t> chunk(COPY_CHUNK);
    bool ok = true;
    for (;;) {
      ssize_t n = ::read(fd, chunk.data(), chunk.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) ok = false;
      if (n <= 0) break;
      md5.Update(util::ByteView(chunk.data(), static_cast<std::size_t>(n)));
    }
    std::string etag = util::ToHex(md5.Finish());
    nlohmann::json meta = {{"content-type", content_type}, {"etag", etag}};
    BS_TRY(bool attrs, Commit(fd, file, target.data, ok, {{ETAG_ATTR, etag}, {TYPE_ATTR, std::string(content_type)}}));
    BS_CHECK_OK(WriteLegacyMetadata(target, attrs, meta));
    return etag;
  }

  // Only where the file system has no extended attributes is the original
  // layout's metadata file written; one left by the original hub is removed so
  // it cannot go stale.
  util::Status WriteLegacyMetadata(const Target& target, bool attrs, const nlohmann::json& meta) {
    if (!attrs) {
      BS_CHECK_OK(AtomicWrite(target.meta, meta.dump(), {}));
    } else if (m_legacy_metadata) {
      ::unlink(target.meta.c_str());
    }
    return util::Ok();
  }

  util::Status Delete(std::string_view top, std::string_view path) override {
    BS_TRY(auto target, Resolve(top, path));
    struct stat st {};
    if (::lstat(target.data.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      return Fail(ErrorCode::NotFound, "File does not exist");
    }
    if (::unlink(target.data.c_str()) != 0) return Fail(Errno("cannot delete " + std::string(path)));
    ::unlink(target.meta.c_str());
    if (m_options.fsync && !SyncDirectory(Parent(target.data))) return Fail(Errno("cannot sync the deletion"));
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
    if (m_options.fsync) {
      bool synced = SyncDirectory(Parent(to.data));
      if (Parent(from.data) != Parent(to.data)) synced = SyncDirectory(Parent(from.data)) && synced;
      if (!synced) return Fail(Errno("cannot sync the rename"));
    }
    return util::Ok();
  }

  util::Result<ObjectStat> Stat(std::string_view top, std::string_view path) override {
    BS_TRY(auto target, Resolve(top, path));
    return StatResolved(target, nullptr);
  }

  util::Result<ObjectData> Read(std::string_view top, std::string_view path) override {
    BS_TRY(auto target, Resolve(top, path));
    const std::string& key = target.data;
    struct stat st {};
    if (m_options.read_cache_entries > 0 && ::stat(key.c_str(), &st) == 0) {
      if (auto cached = m_cache.Get(key); cached && (*cached)->Matches(st)) return ObjectData{(*cached)->data};
    }
    ObjectData out;
    BS_TRY(out.stat, StatResolved(target, &out.data, &st));
    if (!out.stat.exists) return Fail(ErrorCode::NotFound, "File does not exist");
    if (m_options.read_cache_entries > 0 && out.data.size() <= m_options.read_cache_max_file) {
      m_cache.Put(key, std::make_shared<const CacheEntry>(CacheEntry{st.st_dev, st.st_ino, st.st_size,
                                                                     st.st_mtim.tv_sec, st.st_mtim.tv_nsec, out}));
    }
    return out;
  }

  // A small file through Read (and its cache), a large one opened for pieces.
  util::Result<std::variant<ObjectData, ObjectStream>> ReadOrStream(std::string_view top, std::string_view path,
                                                                    uint64_t whole_below) override {
    BS_TRY(auto target, Resolve(top, path));
    struct stat st {};
    if (::stat(target.data.c_str(), &st) == 0 && static_cast<uint64_t>(st.st_size) > whole_below) {
      BS_TRY(ObjectStream stream, OpenRead(top, path));
      // Replaced by a small file since: read that one whole.
      if (stream.stat.content_length > whole_below) return stream;
    }
    BS_TRY(ObjectData data, Read(top, path));
    return data;
  }

  // The file opened once: every piece comes from that version, whatever renames
  // replace the path meanwhile.
  util::Result<ObjectStream> OpenRead(std::string_view top, std::string_view path) override {
    BS_TRY(auto target, Resolve(top, path));
    std::shared_ptr<int> fd;
    BS_TRY(ObjectStat stat, StatResolved(target, nullptr, nullptr, &fd));
    if (!stat.exists) return Fail(ErrorCode::NotFound, "File does not exist");
    ObjectStream out{stat, nullptr};
    out.read = [fd](uint64_t offset, std::size_t length) -> util::Result<std::string> {
      std::string piece(length, '\0');
      std::size_t got = 0;
      while (got < length) {
        ssize_t n = ::pread(*fd, piece.data() + got, length - got, static_cast<off_t>(offset + got));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return Fail(ErrorCode::IoError, std::string("cannot read: ") + std::strerror(errno));
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
      }
      piece.resize(got);
      return piece;
    };
    return out;
  }

  util::Result<ListPage> List(std::string_view top, const std::optional<std::string>& page, std::size_t page_size,
                              bool with_stat, std::string_view prefix) override {
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
        if (!it->is_regular_file(ec)) continue;
        std::string name = it->path().lexically_relative(base).generic_string();
        if (name.starts_with(prefix)) names.push_back(std::move(name));
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
    m_legacy_metadata = fs::exists(m_root / METADATA_DIR, ec);
    if (::access((m_root / TEMP_DIR).c_str(), W_OK) != 0) {
      return Fail(ErrorCode::IoError, "storage directory " + m_root.string() + " is not writable");
    }
    return util::Ok();
  }

 private:
  std::string ObjectKey(std::string_view top, std::string_view path) const override {
    auto t = Resolve(top, path);
    return t ? t->data : Driver::ObjectKey(top, path);
  }

  // §1.7 and §3.1: the data and metadata paths of (top, path), normalised the
  // way the original joins them ("/a//b" and "a/b" are one file).
  util::Result<Target> Resolve(std::string_view top, std::string_view path) const {
    BS_CHECK_OK(CheckPath(path));
    if (top.empty() || top.find('/') != std::string_view::npos || top.front() == '.') {
      return Fail(ErrorCode::InvalidArgument, "Invalid top-level directory");
    }
    if (path.back() == '/') return Fail(ErrorCode::InvalidArgument, "Invalid file path: ends with '/'");
    // Empty and "." components drop out ("/a//./b" is "a/b"); ".." was refused above.
    std::string rel;
    std::size_t components = m_root_components + 1;
    std::size_t pos = 0;
    while (pos <= path.size()) {
      auto slash = path.find('/', pos);
      if (slash == std::string_view::npos) slash = path.size();
      std::string_view part = path.substr(pos, slash - pos);
      if (!part.empty() && part != ".") {
        if (part.size() > MAX_NAME) {
          return Fail(ErrorCode::InvalidArgument, "Invalid file path: a name in it is longer than 255 bytes");
        }
        if (!rel.empty()) rel += '/';
        rel.append(part);
        ++components;
      }
      pos = slash + 1;
    }
    if (rel.empty()) return Fail(ErrorCode::InvalidArgument, "Invalid file path: names a directory");
    if (components > MAX_COMPONENTS) return Fail(ErrorCode::InvalidArgument, "Invalid file path: too deep");
    std::string top_rel = std::string(top) + "/" + rel;
    Target t{m_root_slash + top_rel, m_root_slash + METADATA_DIR + "/" + top_rel};
    if (t.data.size() > MAX_ABSOLUTE_PATH) return Fail(ErrorCode::InvalidArgument, "Invalid file path: too long");
    return t;
  }

  // Stats the data file through one descriptor, taking its ETag and content type
  // from its extended attributes (or, for files written elsewhere, from the
  // metadata file, the ETag then computed from the content). With data non-null
  // the content is read through the same descriptor, so it and the ETag always
  // belong together even while a writer replaces the file.
  // keep_fd: also hands out the open file (a duplicate), for reading in pieces.
  util::Result<ObjectStat> StatResolved(const Target& t, std::string* data, struct stat* stat_out = nullptr,
                                        std::shared_ptr<int>* keep_fd = nullptr) const {
    ObjectStat out;
    int fd = ::open(t.data.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
      if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP) return out;
      return Fail(Errno("cannot open " + t.data.substr(m_root_slash.size())));
    }
    struct Closer {
      int fd;
      ~Closer() { ::close(fd); }
    } closer{fd};
    if (keep_fd) {
      int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
      if (copy < 0) return Fail(Errno("cannot open " + t.data.substr(m_root_slash.size())));
      *keep_fd = std::shared_ptr<int>(new int(copy), [](int* p) {
        ::close(*p);
        delete p;
      });
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return out;
    if (stat_out) *stat_out = st;
    out.exists = true;
    out.content_length = static_cast<uint64_t>(st.st_size);
    out.last_modified = static_cast<int64_t>(st.st_mtim.tv_sec);
    // The ETag attribute records the file's size and modification time when it
    // was written; a file changed since (outside the hub) gets a fresh ETag.
    std::string attr = GetAttr(fd, ETAG_ATTR);
    if (!attr.empty() && attr.substr(attr.find(' ') + 1) == Fingerprint(st)) out.etag = attr.substr(0, attr.find(' '));
    if (!attr.empty()) out.content_type = GetAttr(fd, TYPE_ATTR);
    bool from_attrs = !out.etag.empty();
    if (out.content_type.empty()) {
      auto meta_text = ReadFile(t.meta);
      if (meta_text) {
        auto meta = nlohmann::json::parse(*meta_text, nullptr, false);
        if (meta.is_object() && meta.contains("content-type") && meta["content-type"].is_string()) {
          out.content_type = meta["content-type"];
        }
      }
    }
    if (out.content_type.empty()) out.content_type = "application/octet-stream";
    std::string local;
    std::string* content = data ? data : (from_attrs ? nullptr : &local);
    if (content) {
      content->resize(out.content_length);
      std::size_t got = 0;
      while (got < content->size()) {
        ssize_t n = ::read(fd, content->data() + got, content->size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return Fail(Errno("cannot read " + t.data.substr(m_root_slash.size())));
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
      }
      content->resize(got);
      out.content_length = got;
      if (!from_attrs) out.etag = util::ToHex(crypto::Md5(util::AsBytes(*content)));
    }
    return out;
  }

  static std::string Fingerprint(const struct stat& st) {
    return std::to_string(st.st_size) + " " + std::to_string(st.st_mtim.tv_sec) + "." +
           std::to_string(st.st_mtim.tv_nsec);
  }

  static std::string GetAttr(int fd, const char* name) {
    char buf[1100];
    ssize_t n = ::fgetxattr(fd, name, buf, sizeof buf);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
  }

  // Creates the directories above file. New ones are made durable too (their
  // own entries synced up to the first that existed) when writes are fsynced.
  util::Status MakeParents(const fs::path& file) const {
    std::error_code ec;
    fs::path existing = file.parent_path();
    while (!existing.empty() && existing != existing.root_path() && !fs::exists(existing, ec)) {
      existing = existing.parent_path();
    }
    bool created = fs::create_directories(file.parent_path(), ec);
    if (ec) {
      if (ec == std::errc::not_a_directory || ec == std::errc::file_exists) {
        return Fail(ErrorCode::InvalidArgument, "Invalid file path: a parent is a file");
      }
      if (ec == std::errc::filename_too_long) {
        return Fail(ErrorCode::InvalidArgument, "Invalid file path: a name in it is too long");
      }
      if (ec == std::errc::no_space_on_device) {
        return Fail(ErrorCode::NoSpace, "cannot create a directory: no space left on the storage device");
      }
      return Fail(ErrorCode::IoError, "cannot create directory: " + ec.message());
    }
    if (created && m_options.fsync) {
      for (fs::path dir = file.parent_path(); !dir.empty(); dir = dir.parent_path()) {
        if (!SyncDirectory(dir.parent_path().string())) return Fail(Errno("cannot sync a new directory"));
        if (dir.parent_path() == existing || dir == dir.parent_path()) break;
      }
    }
    return util::Ok();
  }

  // The target's directories exist, and it is not itself a directory.
  util::Status PrepareTarget(const fs::path& target) const {
    BS_CHECK_OK(MakeParents(target));
    struct stat st {};
    if (::lstat(target.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
      return Fail(ErrorCode::InvalidArgument, "Invalid file path: names a directory");
    }
    return util::Ok();
  }

  // Writes data to a temporary file with the given extended attributes, then
  // Commit.
  util::Result<bool> AtomicWrite(const fs::path& target, std::string_view data,
                                 const std::vector<std::pair<const char*, std::string>>& attrs, bool sync = true) {
    BS_CHECK_OK(PrepareTarget(target));
    std::string temp = (m_root / TEMP_DIR /
                        (std::to_string(::getpid()) + "-" + std::to_string(m_counter++) + "-" + std::to_string(m_salt)))
                           .string();
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return Fail(Errno("cannot create a temporary file"));
    bool ok = WriteAll(fd, data);
    return Commit(fd, temp, target, ok, attrs, sync);
  }

  // Takes the open temporary file fd (at temp, already filled; ok says whether
  // filling it worked): sets the attributes, fsyncs it (when sync), renames it
  // over target, and fsyncs target's directory so the rename survives a power
  // cut. Closes fd; removes temp on failure. Returns whether the attributes were
  // stored (false on file systems without user extended attributes).
  util::Result<bool> Commit(int fd, const std::string& temp, const fs::path& target, bool ok,
                            const std::vector<std::pair<const char*, std::string>>& attrs, bool sync = true) {
    bool attrs_stored = !attrs.empty() && m_xattrs;
    struct stat written {};
    if (ok && attrs_stored && ::fstat(fd, &written) != 0) attrs_stored = false;
    for (const auto& [name, plain] : attrs) {
      if (!ok || !attrs_stored) break;
      std::string value = name == ETAG_ATTR ? plain + " " + Fingerprint(written) : plain;
      if (::fsetxattr(fd, name, value.data(), value.size(), 0) != 0) {
        attrs_stored = false;
        if (errno == ENOTSUP || errno == EPERM) {
          m_xattrs = false;  // remembered: this file system keeps no user attributes
        } else if (errno == ENOSPC || errno == EDQUOT) {
          ok = false;
        }
      }
    }
    bool durable = sync && m_options.fsync;
    if (ok && durable) ok = ::fsync(fd) == 0;
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
    if (durable && !SyncDirectory(target.parent_path().string())) {
      return Fail(Errno("cannot sync the directory of " + target.filename().string()));
    }
    return attrs_stored;
  }

  // A small file as last read, valid while the file keeps its identity.
  struct CacheEntry {
    dev_t dev;
    ino_t ino;
    off_t size;
    time_t mtime_sec;
    long mtime_nsec;
    ObjectData data;
    bool Matches(const struct stat& st) const {
      return S_ISREG(st.st_mode) && st.st_dev == dev && st.st_ino == ino && st.st_size == size &&
             st.st_mtim.tv_sec == mtime_sec && st.st_mtim.tv_nsec == mtime_nsec;
    }
  };

  fs::path m_root;
  std::string m_root_slash;
  DiskOptions m_options;
  util::LruCache<std::string, std::shared_ptr<const CacheEntry>> m_cache;
  std::size_t m_root_components = 0;
  std::atomic<uint64_t> m_counter{0};
  std::atomic<bool> m_xattrs{true};
  bool m_legacy_metadata = false;  // the root holds a metadata tree (the original hub's, or ours without xattrs)
  uint32_t m_salt;
};

}  // namespace

util::Result<std::unique_ptr<Driver>> MakeDiskDriver(const std::string& root, DiskOptions options) {
  std::error_code ec;
  fs::path absolute = fs::absolute(root, ec);
  if (ec || root.empty()) return Fail(ErrorCode::InvalidArgument, "invalid storage root '" + root + "'");
  auto driver = std::make_unique<DiskDriver>(absolute.lexically_normal(), options);
  BS_CHECK_OK(driver->Init());
  return std::unique_ptr<Driver>(std::move(driver));
}

}  // namespace blockstack::gaia
