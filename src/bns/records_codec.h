// The stored forms of the records: what the name database keeps in its rows and
// undo entries, and each block's op log.
//
// Name and preorder records are kept in a compact binary form: a kind byte, then
// every field in a fixed order, numbers as LEB128 and strings of lowercase hex as
// their bytes. It is about a third of the size of their JSON. Namespace records,
// which are few, are kept as JSON. Rows written before the binary form existed
// hold JSON text (which starts with '{') and are read as well. The layout is in
// doc/bns.md ("Stored records").
//
// Decoding fails with Corruption on anything that is not a whole, well-formed
// record of the asked kind.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <bns/records.h>
#include <util/result.h>

namespace blockstack::bns {

std::string EncodeNameRecord(const NameRecord& r);
std::string EncodePreorderRecord(const PreorderRecord& r);
std::string EncodeNamespaceRecord(const NamespaceRecord& r);

util::Result<NameRecord> DecodeNameRecord(std::string_view stored);
util::Result<PreorderRecord> DecodePreorderRecord(std::string_view stored);
util::Result<NamespaceRecord> DecodeNamespaceRecord(std::string_view stored);

// A block's op log: its operations, in transaction order, in one blob (a kind
// byte, then the count and each operation's fields; doc/bns.md). Decoding gives
// every row `block_id`, and fails with Corruption as well when the transaction
// indexes do not rise.
std::string EncodeOpLog(const std::vector<OpRow>& ops);
util::Result<std::vector<OpRow>> DecodeOpLog(std::string_view stored, uint32_t block_id);

// The JSON text of a stored record of any kind: byte for byte what the record's
// JSON writer produces (NameRecordJsonText, ...), whichever form it is stored in.
util::Result<std::string> StoredRecordJson(std::string_view stored);

}  // namespace blockstack::bns
