// The steps of a master-key rotation (rotate_master.cc), and a hook after each: tests stop a
// rotation at any step, as a crash would, and check that running it again finishes the job.
#pragma once

#include <expected>
#include <functional>
#include <optional>
#include <string>

#include "orgledger/vault/vault.h"

namespace orgledger::vault {

enum class RotationStep {
  new_master_written,  // a generated key is durable in <default>.next
  rotation_recorded,   // m/rotation names the new key
  batch_rewrapped,     // one synced batch of records re-wrapped (records now under either key)
  master_switched,     // every record under the new key, m/master switched, m/rotation gone
  files_rewritten,     // no file of the store holds a record under the old key
  master_renamed,      // <default>.next renamed over the default path
};
const char* to_string(RotationStep step);

// After each step; false stops the rotation right there (returns io_error) as a crash would.
using RotationHook = std::function<bool(RotationStep)>;

// Records re-wrapped per synced batch.
inline constexpr std::size_t kRewrapBatch = 1000;

std::expected<Rotation, Error> rotate_master(const Options& options, const std::optional<std::string>& new_master_file,
                                             const RotationHook& hook);

}  // namespace orgledger::vault
