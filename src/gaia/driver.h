// The storage driver model (spec gaia.md §3). A driver stores objects under
// (top level, path): the top level is a bucket address, or "{address}-auth" for
// the revocation timestamp. The hub guarantees that a driver never sees two
// concurrent modifications of one path; drivers must still be safe for concurrent
// calls on different paths and for reads beside writes.
//
// Errors: InvalidArgument for a path the driver refuses (the hub answers 403
// BadPathError), NotFound for a missing object, TooLarge, NoSpace for a full
// device (507), IoError/Unavailable for storage failures (500).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <util/result.h>

namespace blockstack::gaia {

struct ObjectStat {
  bool exists = false;
  std::string etag;          // disk: MD5 hex; S3: as S3 reports it (quoted)
  uint64_t content_length = 0;
  std::string content_type;  // may be empty when the backend does not keep it
  int64_t last_modified = 0; // Unix seconds
};

struct ObjectData {
  ObjectStat stat;
  std::string data;
};

// An object read a piece at a time (large reads): its stat, and its bytes
// [offset, offset + length). Every piece is of the version stat describes; a
// piece read after the object changed fails (Conflict) rather than mix versions.
struct ObjectStream {
  ObjectStat stat;
  std::function<util::Result<std::string>(uint64_t offset, std::size_t length)> read;
};

struct ListEntry {
  std::string name;  // path relative to the top level
  ObjectStat stat;   // filled when listing with stat
};

struct ListPage {
  std::vector<ListEntry> entries;
  std::optional<std::string> page;  // token for the next page; nullopt at the end
};

// A write's precondition, from the client's If-Match / If-None-Match: *.
struct WriteCondition {
  std::optional<std::string> if_match;  // the object must exist with this ETag
  bool if_absent = false;               // the object must not exist
  bool Any() const { return if_match.has_value() || if_absent; }
};

class Driver {
 public:
  virtual ~Driver() = default;

  // The driver's public read prefix (ends with "/"), or "" when it has none of its
  // own and reads go through the hub.
  virtual std::string ReadUrlPrefix() const = 0;

  // Stores data atomically (a reader sees the old or the new object, never part of
  // one). Returns the new ETag.
  virtual util::Result<std::string> Write(std::string_view top, std::string_view path, std::string_view data,
                                          std::string_view content_type) = 0;
  // Write with the data in a file (a spooled upload body). The driver may move
  // the file away. The default reads it into memory and calls Write.
  virtual util::Result<std::string> WriteFile(std::string_view top, std::string_view path, const std::string& file,
                                              std::string_view content_type);
  // Whether WriteIf/WriteFileIf check their condition at the storage service,
  // atomically with the write (conditional PUTs), so hub processes sharing the
  // storage cannot both pass it. False: the hub checks conditions itself, under
  // its per-path lock (one process).
  virtual bool ChecksConditions() const { return false; }
  // Write/WriteFile with a condition; one that does not hold fails with Conflict
  // ("precondition failed: ..."). The defaults ignore it (the hub checked it); a
  // driver may send it to its service even when ChecksConditions is false.
  virtual util::Result<std::string> WriteIf(std::string_view top, std::string_view path, std::string_view data,
                                            std::string_view content_type, const WriteCondition& condition);
  virtual util::Result<std::string> WriteFileIf(std::string_view top, std::string_view path, const std::string& file,
                                                std::string_view content_type, const WriteCondition& condition);
  // Where the server should spool large upload bodies so WriteFile can take them
  // without a copy; "" keeps bodies in memory.
  virtual std::string SpoolDirectory() const { return ""; }
  virtual util::Status Delete(std::string_view top, std::string_view path) = 0;
  virtual util::Status Rename(std::string_view top, std::string_view path, std::string_view new_path) = 0;
  // {exists=false} for a missing object.
  virtual util::Result<ObjectStat> Stat(std::string_view top, std::string_view path) = 0;
  virtual util::Result<ObjectData> Read(std::string_view top, std::string_view path) = 0;
  // The object for reading in pieces; NotFound when missing. The default reads
  // it whole once (for drivers that keep objects in memory).
  virtual util::Result<ObjectStream> OpenRead(std::string_view top, std::string_view path);
  // An object of at most whole_below bytes whole, a larger one as a stream.
  // The default opens it for reading and reads a small one at once.
  virtual util::Result<std::variant<ObjectData, ObjectStream>> ReadOrStream(std::string_view top, std::string_view path,
                                                                            uint64_t whole_below);
  // One page of the objects under top whose paths start with prefix ("" for all),
  // in path order. page is a token from an earlier page of the same listing (or
  // nullopt for the first); a malformed token fails with InvalidArgument.
  virtual util::Result<ListPage> List(std::string_view top, const std::optional<std::string>& page,
                                      std::size_t page_size, bool with_stat, std::string_view prefix) = 0;
  // What names the object (top, path) stores to: two paths with one key are one
  // object, so the hub serialises their writes. The default is "top/path" (a
  // backend that keeps every path as given); a driver that folds paths together
  // returns the folded form. Never fails: a path the driver would refuse keeps
  // its own key.
  virtual std::string ObjectKey(std::string_view top, std::string_view path) const {
    return std::string(top) + "/" + std::string(path);
  }
};

// §1.7: paths containing ".." anywhere, empty paths and NUL bytes are refused by
// every driver (InvalidArgument).
util::Status CheckPath(std::string_view path);

// A driver keeping everything in memory, for tests.
std::unique_ptr<Driver> MakeMemoryDriver();

}  // namespace blockstack::gaia
