// The registrar's durable state (SQLite): requests and the batches that anchor
// them. A request is "received" (queued), "submitted" (in a batch), "anchored"
// (its batch's NAME_UPDATE accepted by the node and the zone file given to it), or
// "error" (refused at batching, with the reason). A batch goes built -> signed ->
// sent -> published, or "dropped" (its requests go back to the queue); a
// reorganisation takes a published batch back to "sent".
//
// Every change is one SQLite transaction, so a kill at any moment leaves either
// the state before or after it. Thread safety: none; the Registrar serialises.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <db/sqlite.h>
#include <util/bytes.h>

namespace blockstack::registrar {

struct QueuedRequest {
  int64_t ix = 0;  // arrival order
  std::string label, owner, zonefile, ip, status, status_more;
  int64_t received = 0;  // unix seconds
  std::optional<int64_t> batch;
};

struct Batch {
  int64_t id = 0;
  std::string zonefile, zonefile_hash, status, txid;
  util::Bytes raw_tx;
  int64_t created = 0, sent_at = 0;
  std::optional<int64_t> block;
};

class RegistrarDb {
 public:
  static util::Result<RegistrarDb> Open(const std::string& path);

  // Queues a request. Fails with Conflict when the label is already queued or done.
  util::Status Add(const std::string& label, const std::string& owner, const std::string& zonefile,
                   const std::string& ip, int64_t now);
  util::Result<std::optional<QueuedRequest>> Get(const std::string& label);
  // Requests of an owner or from an IP address not refused, counted up to limit
  // (the cost stays that of the limit, however many there are).
  util::Result<int64_t> CountOwner(const std::string& owner, int64_t limit);
  util::Result<int64_t> CountIp(const std::string& ip, int64_t limit);
  // Queued ("received") requests, oldest first.
  util::Result<std::vector<QueuedRequest>> Queued(std::size_t limit);
  // Every request after ix, in order (the original's /list/{iterator}).
  util::Result<std::vector<QueuedRequest>> After(int64_t ix, std::size_t limit);
  // Marks a queued request refused at batching.
  util::Status Refuse(const std::string& label, const std::string& reason);

  // A new batch holding the labels (which become "submitted"), status "built".
  util::Result<int64_t> CreateBatch(const std::string& zonefile, const std::string& zonefile_hash,
                                    const std::vector<std::string>& labels, int64_t now);
  // The signed transaction of a batch: status "signed".
  util::Status SetSigned(int64_t id, const std::string& txid, util::ByteView raw_tx);
  util::Status SetSent(int64_t id, int64_t now);
  // Accepted by the node in block and its zone file given out: "published", its
  // requests "anchored".
  util::Status Publish(int64_t id, int64_t block);
  // The batch will not be anchored: "dropped", its requests queued again.
  util::Status Drop(int64_t id, const std::string& reason);
  // A published batch whose transaction a reorganisation took out of the chain:
  // "sent" again (to be sent at once), its requests "submitted" again.
  util::Status Reopen(int64_t id);
  // Batches not yet published or dropped, oldest first.
  util::Result<std::vector<Batch>> Open();
  // Published batches in a block at min_block or above, oldest first.
  util::Result<std::vector<Batch>> PublishedSince(int64_t min_block);

 private:
  explicit RegistrarDb(db::Sqlite db) : m_db(std::move(db)) {}
  util::Result<std::vector<QueuedRequest>> Requests(const std::string& where, int64_t arg, std::size_t limit);
  util::Result<std::vector<Batch>> Batches(const std::string& where, int64_t arg);
  db::Sqlite m_db;
};

}  // namespace blockstack::registrar
