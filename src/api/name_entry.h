// The fields GET /v1/names/{name} answers with, as an entry of the in-memory name
// table (bns/db/name_table.h): about 120 bytes a name, hex strings packed to bytes.
#pragma once

#include <cstddef>
#include <string>

#include <bns/db/name_db.h>
#include <bns/records.h>

namespace blockstack::api {

std::string EncodeNameEntry(const bns::NameRecord& rec);
// `entry` must point at what EncodeNameEntry wrote.
bns::db::NameLookup DecodeNameEntry(const char* entry);
std::size_t NameEntrySize(const char* entry);

}  // namespace blockstack::api
