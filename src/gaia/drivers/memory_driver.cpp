#include <ctime>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>

#include <crypto/hash.h>
#include <gaia/driver.h>

namespace blockstack::gaia {

using util::ErrorCode;
using util::Fail;

util::Status CheckPath(std::string_view path) {
  if (path.empty()) return Fail(ErrorCode::InvalidArgument, "Invalid file path: empty");
  if (path.find("..") != std::string_view::npos) {
    return Fail(ErrorCode::InvalidArgument, "Invalid file path: contains '..'");
  }
  if (path.find('\0') != std::string_view::npos) {
    return Fail(ErrorCode::InvalidArgument, "Invalid file path: contains a NUL byte");
  }
  return util::Ok();
}

util::Result<std::string> Driver::WriteFile(std::string_view top, std::string_view path, const std::string& file,
                                            std::string_view content_type) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Fail(ErrorCode::IoError, "cannot open the uploaded body");
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Fail(ErrorCode::IoError, "cannot read the uploaded body");
  return Write(top, path, data, content_type);
}

util::Result<std::string> Driver::WriteIf(std::string_view top, std::string_view path, std::string_view data,
                                          std::string_view content_type, const WriteCondition&) {
  return Write(top, path, data, content_type);
}

util::Result<std::string> Driver::WriteFileIf(std::string_view top, std::string_view path, const std::string& file,
                                              std::string_view content_type, const WriteCondition&) {
  return WriteFile(top, path, file, content_type);
}

util::Result<ObjectStream> Driver::OpenRead(std::string_view top, std::string_view path) {
  BS_TRY(ObjectData whole, Read(top, path));
  auto data = std::make_shared<const std::string>(std::move(whole.data));
  ObjectStream out{whole.stat, nullptr};
  out.stat.content_length = data->size();
  out.read = [data](uint64_t offset, std::size_t length) -> util::Result<std::string> {
    if (offset > data->size()) return Fail(ErrorCode::InvalidArgument, "read past the end");
    return data->substr(offset, length);
  };
  return out;
}

util::Result<std::variant<ObjectData, ObjectStream>> Driver::ReadOrStream(std::string_view top, std::string_view path,
                                                                          uint64_t whole_below) {
  BS_TRY(ObjectStream stream, OpenRead(top, path));
  if (stream.stat.content_length > whole_below) return stream;
  BS_TRY(std::string data, stream.read(0, stream.stat.content_length));
  return ObjectData{stream.stat, std::move(data)};
}

namespace {

class MemoryDriver final : public Driver {
 public:
  std::string ReadUrlPrefix() const override { return ""; }

  util::Result<std::string> Write(std::string_view top, std::string_view path, std::string_view data,
                                  std::string_view content_type) override {
    BS_CHECK_OK(CheckPath(path));
    Object obj;
    obj.data = std::string(data);
    obj.stat.exists = true;
    obj.stat.etag = util::ToHex(crypto::Md5(util::AsBytes(data)));
    obj.stat.content_length = data.size();
    obj.stat.content_type = std::string(content_type);
    obj.stat.last_modified = static_cast<int64_t>(std::time(nullptr));
    std::lock_guard lock(m_mutex);
    auto etag = obj.stat.etag;
    m_objects[Key(top, path)] = std::move(obj);
    return etag;
  }

  util::Status Delete(std::string_view top, std::string_view path) override {
    BS_CHECK_OK(CheckPath(path));
    std::lock_guard lock(m_mutex);
    if (m_objects.erase(Key(top, path)) == 0) return Fail(ErrorCode::NotFound, "File does not exist");
    return util::Ok();
  }

  util::Status Rename(std::string_view top, std::string_view path, std::string_view new_path) override {
    BS_CHECK_OK(CheckPath(path));
    BS_CHECK_OK(CheckPath(new_path));
    std::lock_guard lock(m_mutex);
    auto it = m_objects.find(Key(top, path));
    if (it == m_objects.end()) return Fail(ErrorCode::NotFound, "File does not exist");
    Object obj = std::move(it->second);
    m_objects.erase(it);
    m_objects[Key(top, new_path)] = std::move(obj);
    return util::Ok();
  }

  util::Result<ObjectStat> Stat(std::string_view top, std::string_view path) override {
    BS_CHECK_OK(CheckPath(path));
    std::lock_guard lock(m_mutex);
    auto it = m_objects.find(Key(top, path));
    if (it == m_objects.end()) return ObjectStat{};
    return it->second.stat;
  }

  util::Result<ObjectData> Read(std::string_view top, std::string_view path) override {
    BS_CHECK_OK(CheckPath(path));
    std::lock_guard lock(m_mutex);
    auto it = m_objects.find(Key(top, path));
    if (it == m_objects.end()) return Fail(ErrorCode::NotFound, "File does not exist");
    return ObjectData{it->second.stat, it->second.data};
  }

  util::Result<ListPage> List(std::string_view top, const std::optional<std::string>& page, std::size_t page_size,
                              bool with_stat, std::string_view path_prefix) override {
    // The token is the last name of the previous page: names sort, so a listing
    // is stable while objects are added.
    std::string prefix = std::string(top) + "/";
    const std::string wanted = prefix + std::string(path_prefix);
    std::lock_guard lock(m_mutex);
    auto it = page ? m_objects.upper_bound(prefix + *page) : m_objects.lower_bound(wanted);
    ListPage out;
    for (; it != m_objects.end() && it->first.starts_with(wanted); ++it) {
      if (out.entries.size() == page_size) {
        out.page = out.entries.back().name;
        break;
      }
      ListEntry e;
      e.name = it->first.substr(prefix.size());
      if (with_stat) e.stat = it->second.stat;
      out.entries.push_back(std::move(e));
    }
    return out;
  }

 private:
  struct Object {
    ObjectStat stat;
    std::string data;
  };
  static std::string Key(std::string_view top, std::string_view path) {
    return std::string(top) + "/" + std::string(path);
  }
  std::mutex m_mutex;
  std::map<std::string, Object> m_objects;
};

}  // namespace

std::unique_ptr<Driver> MakeMemoryDriver() { return std::make_unique<MemoryDriver>(); }

}  // namespace blockstack::gaia
