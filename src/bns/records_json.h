// JSON forms of the records: what history rows hold, what the database stores,
// and what undo records restore. FromJson fails with Corruption on a missing or
// mistyped field.
#pragma once

#include <nlohmann/json.hpp>

#include <bns/records.h>
#include <util/result.h>

namespace blockstack::bns {

nlohmann::json ToJson(const NameRecord& r);
// The same as ToJson(r).dump(), byte for byte, written directly: the indexer
// stores every record it writes as this text.
std::string NameRecordJsonText(const NameRecord& r);
nlohmann::json ToJson(const NamespaceRecord& r);
nlohmann::json ToJson(const PreorderRecord& r);
// ToJson(r).dump() likewise, written directly.
std::string PreorderRecordJsonText(const PreorderRecord& r);
util::Result<NameRecord> NameRecordFromJson(const nlohmann::json& j);
util::Result<NamespaceRecord> NamespaceRecordFromJson(const nlohmann::json& j);
util::Result<PreorderRecord> PreorderRecordFromJson(const nlohmann::json& j);

}  // namespace blockstack::bns
