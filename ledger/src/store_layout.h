// The persisted layout of one ledger: a single RocksDB with these column families.
//
//   family    key                                          value
//   events    position                                     hash envelope   (events.fbs)
//   streams   stream 0x00 stream_version                   position
//   commands  command id                                   CommandAnswer   (answer.fbs)
//   meta      "head"                                       position hash
//             "format_version"                             "1"
//             "log_id"                                     16 lowercase hex digits, drawn when the store is
//                                                          created (or first opened for writing after issue 14)
//             "replication_sequence"                       u64 big-endian: the replicated log's sequence of
//                                                          the last group (issue 18); absent outside a cluster
//   tokens    SHA-256 of an API token (32 bytes)           token record (opaque here: api/token_store.cc)
//   snapshots name 0x00 position chunk_number              chunk (opaque here: projections/src/snapshot.cc)
//   checkpoints size                                       a signed checkpoint (C2SP note text, checkpoint_log.h)
//   tree      level index                                  hash: the root of leaves [index·2^level, (index+1)·2^level)
//                                                          of the RFC 6962 tree (merkle.h), leaf i = position i + 1;
//                                                          level ≥ 1 only: a leaf's hash is derived from its event
//                                                          (the first build with a tree also stored level 0)
//             0xFF                                         size: the leaves the stored nodes cover
//
//   size  := 8 bytes, unsigned big-endian (the tree size the checkpoint signs)
//   level := 1 byte; index := 8 bytes, unsigned big-endian
//
//   chunk_number := 4 bytes, unsigned big-endian; a snapshot's chunks are written in one batch
//
//   position       := 8 bytes, unsigned big-endian (so keys sort in log order)
//   stream_version := 8 bytes, unsigned big-endian
//   hash           := 32 bytes, SHA-256 (hash.h)
//   stream         := 1 or more bytes, none of them 0x00
//
// Every group commit writes its events, their stream index entries, the tree nodes they complete,
// the commands' answers and the new head in one WriteBatch, so the families never disagree after a
// crash.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "orgledger/ledger/ledger.h"
#include "orgledger/ledger/types.h"

namespace orgledger::ledger::layout {

inline constexpr const char* kEventsFamily = "events";
inline constexpr const char* kStreamsFamily = "streams";
inline constexpr const char* kCommandsFamily = "commands";
inline constexpr const char* kMetaFamily = "meta";
inline constexpr const char* kTokensFamily = "tokens";
inline constexpr const char* kSnapshotsFamily = "snapshots";
inline constexpr const char* kTreeFamily = "tree";
inline constexpr const char* kCheckpointsFamily = "checkpoints";

inline constexpr std::string_view kHeadKey = "head";
inline constexpr std::string_view kFormatVersionKey = "format_version";
inline constexpr std::string_view kFormatVersion = "1";
inline constexpr std::string_view kLogIdKey = "log_id";
inline constexpr std::string_view kReplicationSequenceKey = "replication_sequence";
inline constexpr std::string_view kTreeSizeKey = "\xff";  // in the tree family, after every node key

inline constexpr std::size_t kHashSize = 32;

std::string position_key(Position position);
// nullopt unless `key` is exactly 8 bytes.
std::optional<Position> parse_position_key(std::string_view key);

std::string stream_key(std::string_view stream, StreamVersion version);
// The first key after every version of `stream` (its prefix followed by 0x01).
std::string stream_end_key(std::string_view stream);
// The key of the highest version `stream` could have: SeekForPrev from it finds the stream's last
// entry, and, unlike stream_end_key, it has the stream's prefix (the Bloom filters' domain).
std::string stream_last_key(std::string_view stream);
// The version encoded in a key of `stream`; nullopt when the key belongs to another stream.
std::optional<StreamVersion> parse_stream_key(std::string_view key, std::string_view stream);

// A key of the streams family taken apart: its stream id and version; nullopt when malformed.
struct StreamKey {
  std::string_view stream;
  StreamVersion version = 0;
};
std::optional<StreamKey> split_stream_key(std::string_view key);
// The first key after every key that begins with `prefix`; "" when there is none (all 0xff).
std::string prefix_end_key(std::string_view prefix);

std::string snapshot_key(std::string_view name, Position position, std::uint32_t chunk);
// The prefix of every key of `name`'s snapshots (name 0x00).
std::string snapshot_prefix(std::string_view name);

std::string encode_head(const Head& head);
std::optional<Head> decode_head(std::string_view value);

// The key of tree node (level, index).
std::string tree_key(unsigned level, std::uint64_t index);

}  // namespace orgledger::ledger::layout
