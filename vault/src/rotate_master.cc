// `keys rotate-master` (G1): every key record is re-wrapped under a new master key.
//
// The steps, each durable before the next, so that running again after a crash at any point
// finishes the job (D = the default master key path, N = D + ".next"):
//   1. generated key only: the new key is written to N (0600, fsynced)
//   2. m/rotation := new id                      (synced)
//   3. records still under the old id re-wrapped  (synced batches of kRewrapBatch)
//   4. m/master := new id, m/rotation deleted    (one synced batch)
//   5. flush + forced bottommost compaction: no file holds a record under the old key
//   6. generated key only: N renamed over D       (directory fsynced)
// A second run tells where the first stopped from m/master, m/rotation and the key files: before
// step 4 the old key still matches m/master and the run resumes re-wrapping; after it, m/master
// names the new key (in N, or already in D) and m/previous-master the old one, and only steps
// 5–6 remain. A completed rotation run
// again with the default path simply rotates once more.
#include <filesystem>

#include "errors.h"
#include "hex.h"
#include "key_record.h"
#include "key_store.h"
#include "master_key.h"
#include "random.h"
#include "rotation_steps.h"

namespace orgledger::vault {

const char* to_string(RotationStep step) {
  switch (step) {
    case RotationStep::new_master_written: return "new_master_written";
    case RotationStep::rotation_recorded: return "rotation_recorded";
    case RotationStep::batch_rewrapped: return "batch_rewrapped";
    case RotationStep::master_switched: return "master_switched";
    case RotationStep::files_rewritten: return "files_rewritten";
    case RotationStep::master_renamed: return "master_renamed";
  }
  return "unknown";
}

namespace {

rocksdb::Slice slice(std::string_view text) { return {text.data(), text.size()}; }

class Rotator {
 public:
  Rotator(KeyStore& store, ledger::Env& os, const RotationHook& hook)
      : store_(store), os_(os), random_(os.random()), hook_(hook) {}

  std::expected<void, Error> step(RotationStep done) {
    if (hook_ && !hook_(done)) return fail(ErrorCode::io_error, std::string("rotation stopped after ") + to_string(done));
    return {};
  }

  // Steps 2–4.
  std::expected<std::size_t, Error> rewrap(const MasterKey& old_master, const MasterKey& new_master, bool recorded) {
    if (!recorded) {
      rocksdb::WriteBatch batch;
      batch.Put(slice(layout::kRotationKey), new_master.id);
      if (auto written = store_.write(batch, Durability::synced); !written) return std::unexpected(written.error());
      if (auto stepped = step(RotationStep::rotation_recorded); !stepped) return std::unexpected(stepped.error());
    }
    std::size_t rewrapped = 0;
    std::size_t pending = 0;
    rocksdb::WriteBatch batch;
    const auto commit = [&]() -> std::expected<void, Error> {
      if (auto written = store_.write(batch, Durability::synced); !written) return written;
      batch.Clear();
      rewrapped += pending;
      pending = 0;
      return step(RotationStep::batch_rewrapped);
    };
    auto scanned = store_.scan(layout::kKeyPrefix, [&](std::string_view key, std::string_view record) -> std::expected<void, Error> {
      const auto key_id = key.substr(layout::kKeyPrefix.size());
      const auto wrapped_by = record_master_id(record);
      if (!wrapped_by) return fail(ErrorCode::corrupt, "the record of key " + std::string(key_id) + " is malformed");
      if (*wrapped_by == new_master.id) return {};  // re-wrapped by an interrupted run
      auto data_key = unwrap_key(old_master, key_id, record);
      if (!data_key) return std::unexpected(data_key.error());
      auto nonce = draw_string(random_, kNonceBytes, "a nonce");
      if (!nonce) return std::unexpected(nonce.error());
      auto rewrapped_record = wrap_key(new_master, key_id, data_key->view(), *nonce);
      if (!rewrapped_record) return std::unexpected(rewrapped_record.error());
      batch.Put(slice(key), *rewrapped_record);
      if (++pending == kRewrapBatch) return commit();
      return {};
    });
    if (!scanned) return std::unexpected(scanned.error());
    if (pending > 0) {
      if (auto committed = commit(); !committed) return std::unexpected(committed.error());
    }
    rocksdb::WriteBatch switched;
    switched.Put(slice(layout::kMasterKey), new_master.id);
    switched.Put(slice(layout::kPreviousMasterKey), old_master.id);
    switched.Delete(slice(layout::kRotationKey));
    if (auto written = store_.write(switched, Durability::synced); !written) return std::unexpected(written.error());
    if (auto stepped = step(RotationStep::master_switched); !stepped) return std::unexpected(stepped.error());
    return rewrapped;
  }

  // Steps 5–6.
  std::expected<void, Error> finish(const std::optional<std::string>& rename_from, const std::string& rename_to) {
    if (auto rewritten = store_.rewrite_files(); !rewritten) return rewritten;
    if (auto stepped = step(RotationStep::files_rewritten); !stepped) return stepped;
    if (!rename_from) return {};
    if (auto renamed = rename_durably(os_, *rename_from, rename_to); !renamed) return renamed;
    return step(RotationStep::master_renamed);
  }

 private:
  KeyStore& store_;
  ledger::Env& os_;
  Random& random_;
  const RotationHook& hook_;
};

// The key in `path` when it is there and has id `id`.
std::optional<MasterKey> key_with_id(ledger::Env& os, const std::string& path, std::string_view id) {
  if (!file_exists(os, path).value_or(false)) return std::nullopt;
  auto key = read_master_key_file(os, path);
  if (!key || key->id != id) return std::nullopt;
  return std::move(*key);
}

std::expected<std::optional<std::string>, Error> read_id(const KeyStore& store, std::string_view name) {
  auto value = store.get(name);
  if (!value) return value;
  if (*value && (*value)->size() != kMasterIdBytes) {
    return fail(ErrorCode::corrupt, "the key store's " + std::string(name) + " is malformed");
  }
  return value;
}

}  // namespace

std::expected<Rotation, Error> rotate_master(const Options& options, const std::optional<std::string>& new_master_file,
                                             const RotationHook& hook) {
  if (options.mode == Mode::read_only) return fail(ErrorCode::read_only, "a rotation writes the key store");
  ledger::Env& os = options.env != nullptr ? *options.env : ledger::Env::system();
  if (options.directory.empty() || !file_exists(os, options.directory + "/CURRENT").value_or(false)) {
    return fail(ErrorCode::invalid_argument, "no key store in '" + options.directory + "': nothing to rotate");
  }
  auto opened = KeyStore::open(options.directory, Mode::read_write, os);
  if (!opened) return std::unexpected(opened.error());
  KeyStore& store = **opened;
  auto recorded = read_id(store, layout::kMasterKey);
  if (!recorded) return std::unexpected(recorded.error());
  if (!*recorded) return fail(ErrorCode::invalid_argument, "the key store in '" + options.directory + "' has no master key yet");
  const std::string& current_id = **recorded;
  auto rotation = read_id(store, layout::kRotationKey);
  if (!rotation) return std::unexpected(rotation.error());

  const auto default_path = default_master_key_path(options.directory);
  const auto next_path = default_path + ".next";
  const auto old_path = options.master_key_file.value_or(default_path);
  auto old_master = read_master_key_file(os, old_path);
  if (!old_master) return std::unexpected(old_master.error());
  Rotator rotator(store, os, hook);

  if (old_master->id != current_id) {
    // Past step 4 of an earlier run: m/master names the new key, m/previous-master the old one
    // given again. Find the new key, and finish.
    auto previous = read_id(store, layout::kPreviousMasterKey);
    if (!previous) return std::unexpected(previous.error());
    const bool rerun = *previous && **previous == old_master->id;
    std::optional<std::string> rename_from;
    std::string found_in;
    if (rerun && new_master_file) {
      if (key_with_id(os, *new_master_file, current_id)) found_in = *new_master_file;
    } else if (rerun && key_with_id(os, next_path, current_id)) {
      found_in = default_path;
      rename_from = next_path;
    } else if (rerun && key_with_id(os, default_path, current_id)) {
      found_in = default_path;  // renamed already
    }
    if (found_in.empty()) {
      return fail(ErrorCode::bad_master_key, "the key store's keys are wrapped by master key " + to_hex(current_id) +
                                                 ", not by " + to_hex(old_master->id) + " from " + old_path);
    }
    if (auto finished = rotator.finish(rename_from, default_path); !finished) return std::unexpected(finished.error());
    return Rotation{0, found_in, to_hex(current_id)};
  }

  MasterKey new_master;
  std::string new_path;
  std::optional<std::string> rename_from;
  if (new_master_file) {
    auto key = read_master_key_file(os, *new_master_file);
    if (!key) return std::unexpected(key.error());
    if (key->id == old_master->id) return fail(ErrorCode::invalid_argument, "the new master key is the one in use");
    if (*rotation && **rotation != key->id) {
      return fail(ErrorCode::invalid_argument, "a rotation to master key " + to_hex(**rotation) +
                                                   " is unfinished: finish it with that key first");
    }
    new_master = std::move(*key);
    new_path = *new_master_file;
  } else if (*rotation) {
    auto key = key_with_id(os, next_path, **rotation);
    if (!key) {
      return fail(ErrorCode::invalid_argument, "a rotation to master key " + to_hex(**rotation) + " is unfinished but " +
                                                   next_path + " does not hold it: name that key's file");
    }
    new_master = std::move(*key);
    new_path = default_path;
    rename_from = next_path;
  } else {
    // A fresh rotation; a `.next` without m/rotation was abandoned before step 2 (maybe torn).
    if (auto removed = remove_file(os, next_path); !removed) return std::unexpected(removed.error());
    auto key = generate_master_key(os.random());
    if (!key) return std::unexpected(key.error());
    if (auto written = write_master_key_file(os, next_path, *key); !written) return std::unexpected(written.error());
    if (auto stepped = rotator.step(RotationStep::new_master_written); !stepped) return std::unexpected(stepped.error());
    new_master = std::move(*key);
    new_path = default_path;
    rename_from = next_path;
  }

  auto rewrapped = rotator.rewrap(*old_master, new_master, rotation->has_value());
  if (!rewrapped) return std::unexpected(rewrapped.error());
  if (auto finished = rotator.finish(rename_from, default_path); !finished) return std::unexpected(finished.error());
  return Rotation{*rewrapped, new_path, to_hex(new_master.id)};
}

std::expected<Rotation, Error> rotate_master(const Options& options, const std::optional<std::string>& new_master_file) {
  return rotate_master(options, new_master_file, RotationHook());
}

}  // namespace orgledger::vault
