// What the drivers for remote object stores (S3, Azure Blob) share: their XML
// answers read, their dates parsed, a pool of kept-alive connections.
#pragma once

#include <cstdint>
#include <istream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <gaia/driver.h>
#include <net/http_client.h>
#include <util/result.h>

namespace blockstack::gaia {

// Unix seconds of text in strptime's format (UTC); 0 when it does not parse.
int64_t ParseTime(const std::string& text, const char* format);
// XML text with its entities (named and numeric) decoded.
std::string XmlUnescape(std::string_view s);
// The text of every <tag>...</tag> inside xml, in order (not decoded).
std::vector<std::string_view> XmlElements(std::string_view xml, std::string_view tag);
// The first <tag>'s text, decoded; "" when there is none.
std::string XmlText(std::string_view xml, std::string_view tag);

// Kept-alive connections to one origin, for any thread. A connection that failed
// is dropped, not reused.
class ClientPool {
 public:
  ClientPool(std::string origin, std::string peer_name) : m_origin(std::move(origin)), m_peer(std::move(peer_name)) {}
  util::Result<net::HttpResponse> Send(std::string_view method, std::string_view target, const net::HeaderList& headers,
                                       std::string_view body);
  // A signed request: path (already encoded) and query (encoded here), Host and
  // Authorization first, then headers.
  util::Result<net::HttpResponse> Send(std::string_view method, const std::string& path,
                                       const std::map<std::string, std::string>& query, const std::string& host,
                                       const std::string& authorization,
                                       const std::map<std::string, std::string>& headers, std::string_view body);

 private:
  util::Result<std::unique_ptr<net::HttpClient>> Acquire();
  void Release(std::unique_ptr<net::HttpClient> client);

  std::string m_origin;
  std::string m_peer;
  std::mutex m_mutex;
  std::vector<std::unique_ptr<net::HttpClient>> m_idle;
};

// An ETag as the hub hands it out and compares it: quoted (listings give some bare).
std::string QuotedEtag(std::string etag);

// What the S3 and Azure drivers do alike: an object "{top}/{path}" read and
// stat'ed by one request each.
class RemoteDriver : public Driver {
 public:
  // Uploads go up in pieces of this size (a part, a block) when larger.
  static constexpr std::size_t PIECE_SIZE = 8 * 1024 * 1024;

  util::Result<std::string> Write(std::string_view top, std::string_view path, std::string_view data,
                                  std::string_view content_type) override {
    return WriteIf(top, path, data, content_type, {});
  }
  util::Result<std::string> WriteFile(std::string_view top, std::string_view path, const std::string& file,
                                      std::string_view content_type) override {
    return WriteFileIf(top, path, file, content_type, {});
  }
  // A spooled upload: one request when it fits a piece, else WritePieces.
  util::Result<std::string> WriteFileIf(std::string_view top, std::string_view path, const std::string& file,
                                        std::string_view content_type, const WriteCondition& condition) override;
  util::Result<ObjectStat> Stat(std::string_view top, std::string_view path) override;
  util::Result<ObjectData> Read(std::string_view top, std::string_view path) override;
  // Ranged GETs, each conditional on the ETag of the stat (a changed object
  // fails the piece with Conflict).
  util::Result<ObjectStream> OpenRead(std::string_view top, std::string_view path) override;

 protected:
  static std::string Key(std::string_view top, std::string_view path) {
    return std::string(top) + "/" + std::string(path);
  }
  // One signed request; key "" addresses the bucket (container) itself.
  virtual util::Result<net::HttpResponse> Send(const std::string& method, const std::string& key,
                                               const std::map<std::string, std::string>& query,
                                               std::map<std::string, std::string> headers, std::string_view body) = 0;
  // Uploads size bytes from in (more than a piece) as the object at key, a piece
  // in memory at a time; piece is scratch space. Nothing of a failed upload is
  // ever readable.
  virtual util::Result<std::string> WritePieces(const std::string& key, std::istream& in, std::size_t size,
                                                std::string& piece, std::string_view content_type,
                                                const WriteCondition& condition) = 0;
  // "S3", "Azure": how messages name the service.
  virtual const char* ServiceName() const = 0;
  // The service's error code in an answer ("" when none).
  virtual std::string ServiceError(const net::HttpResponse& res) const { return XmlText(res.body, "Code"); }
  // "<service> <what> failed with HTTP <status> <code>: <message's first line>".
  std::string Describe(const char* what, const net::HttpResponse& res) const;
  static ObjectStat StatFromHeaders(const net::HttpResponse& res);
};

}  // namespace blockstack::gaia
