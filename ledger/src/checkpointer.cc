#include "orgledger/ledger/checkpointer.h"

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "orgledger/ledger/checkpoint_log.h"
#include "orgledger/ledger/hash.h"
#include "orgledger/ledger/signed_note.h"
#include "orgledger/ledger/small_files.h"

namespace orgledger::ledger {
namespace {

using Steady = std::chrono::steady_clock;
// How often the signer looks at the head while the log is quiet.
constexpr auto kPoll = std::chrono::milliseconds(20);

Error refused(const std::string& why) {
  return Error{ErrorCode::corrupt,
               why + ". Refusing to sign a checkpoint that would contradict one already published: restore the "
                     "store's later events, or start a new log in another data directory"};
}

// A stored note, parsed; nullopt for none. A note that does not parse is corrupt: the signer wrote it.
std::expected<std::optional<SignedCheckpoint>, Error> parsed(const std::optional<std::string>& note, const std::string& where) {
  if (!note) return std::nullopt;
  auto checkpoint = parse_checkpoint(*note);
  if (!checkpoint) return std::unexpected(Error{ErrorCode::corrupt, where + ": " + checkpoint.error().message});
  return std::move(*checkpoint);
}

}  // namespace

struct Checkpointer::State {
  mutable std::mutex mutex;
  std::condition_variable wake;
  bool stopping = false;
  std::optional<std::string> latest;
  std::uint64_t latest_size = 0;
  Steady::time_point signed_at{};
  std::thread thread;
};

std::string default_origin(const std::string& log_id) { return "orgledger.local/" + log_id; }

std::expected<std::unique_ptr<Checkpointer>, Error> Checkpointer::start(Ledger& ledger, CheckpointerOptions options) {
  if (options.key_file.empty()) options.key_file = default_checkpoint_key_path(ledger.directory());
  // Beside the key: the record belongs to the signing identity, so a store restored alone from an
  // older copy is refused by the signer that signed past it.
  if (options.latest_file.empty()) options.latest_file = options.key_file + ".latest";
  const bool default_key = options.key_file == default_checkpoint_key_path(ledger.directory());
  auto key = CheckpointKey::load(ledger.env(), options.key_file, default_key);
  if (!key) return std::unexpected(key.error());
  std::string origin = options.origin;
  if (origin.empty()) {
    auto id = ledger.log_id();
    if (!id) return std::unexpected(id.error());
    origin = default_origin(*id);
  }
  if (!valid_key_name(origin)) {
    return std::unexpected(Error{ErrorCode::invalid_argument, "the origin '" + origin + "' is empty or holds '+', a space or a control character"});
  }
  std::unique_ptr<Checkpointer> signer(new Checkpointer(ledger, std::move(*key), std::move(origin), std::move(options)));
  if (auto checked = signer->check_against_latest(); !checked) return std::unexpected(checked.error());
  signer->state_->thread = std::thread([raw = signer.get()] { raw->run(); });
  return signer;
}

Checkpointer::Checkpointer(Ledger& ledger, CheckpointKey key, std::string origin, CheckpointerOptions options)
    : ledger_(ledger), key_(std::move(key)), origin_(std::move(origin)), options_(std::move(options)),
      state_(std::make_unique<State>()) {}

// The latest checkpoint is the larger of the store's and the signer's own record (which survives
// a store restored from a copy). The log must still hold its tree; the other record is brought up
// to it; the head, if ahead, is signed at once.
std::expected<void, Error> Checkpointer::check_against_latest() {
  CheckpointLog stored_log(ledger_);
  auto in_store = stored_log.latest();
  if (!in_store) return std::unexpected(in_store.error());
  auto in_file = read_small_file(ledger_.env(), options_.latest_file);
  if (!in_file) return std::unexpected(in_file.error());
  auto from_store = parsed(*in_store ? std::optional((*in_store)->note) : std::nullopt, "the store's latest checkpoint");
  auto from_file = parsed(*in_file, options_.latest_file);
  if (!from_store) return std::unexpected(from_store.error());
  if (!from_file) return std::unexpected(from_file.error());
  const auto size_of = [](const auto& note) { return note ? note->checkpoint.size : 0; };
  const bool file_is_latest = size_of(*from_file) > size_of(*from_store);
  const auto& latest = file_is_latest ? *from_file : *from_store;
  const auto head = ledger_.head().position;
  if (latest) {
    const auto size = latest->checkpoint.size;
    if (size > head) {
      return std::unexpected(refused("the log holds " + std::to_string(head) + " events, but a checkpoint of size " +
                                     std::to_string(size) + " was signed for it: it was cut back or restored from an older copy"));
    }
    auto root = ledger_.tree_root(size);
    if (!root) return std::unexpected(root.error());
    if (*root != latest->checkpoint.root) {
      return std::unexpected(refused("the log's tree of size " + std::to_string(size) + " has root " + to_hex(*root) +
                                     ", not the signed " + to_hex(latest->checkpoint.root) + ": the log was rewritten"));
    }
    const std::string note = file_is_latest ? **in_file : (*in_store)->note;
    if (file_is_latest) {
      if (auto put = stored_log.put(size, note); !put) return std::unexpected(put.error());
    } else if (size_of(*from_file) < size) {
      if (auto kept = replace_small_file(ledger_.env(), options_.latest_file, note); !kept) return std::unexpected(kept.error());
    }
    state_->latest = note;
    state_->latest_size = size;
  }
  if (head > size_of(latest)) return sign(head, Steady::now());
  // A new key over the same tree cosigns the latest checkpoint (one more signature line), so that
  // what is served verifies with the key served, and no note signed before is lost. A new origin
  // (another body) waits for the log to grow.
  const VerifierKey own{origin_, note_key_id(origin_, key_.public_key()), key_.public_key()};
  if (latest && !verify_checkpoint(*latest, own) && latest->body == checkpoint_body({origin_, latest->checkpoint.size, latest->checkpoint.root})) {
    auto signature = key_.sign(latest->body);
    if (!signature) return std::unexpected(signature.error());
    const std::string cosigned = *state_->latest + signature_line({origin_, own.key_id, std::move(*signature)});
    return record(latest->checkpoint.size, cosigned, Steady::now());
  }
  return {};
}

std::expected<void, Error> Checkpointer::sign(std::uint64_t size, Steady::time_point started) {
  auto root = ledger_.tree_root(size);
  if (!root) return std::unexpected(root.error());
  const std::string body = checkpoint_body({origin_, size, *root});
  auto signature = key_.sign(body);
  if (!signature) return std::unexpected(signature.error());
  return record(size, signed_note(body, {origin_, note_key_id(origin_, key_.public_key()), std::move(*signature)}), started);
}

std::expected<void, Error> Checkpointer::record(std::uint64_t size, const std::string& note, Steady::time_point started) {
  // The signer's own record first: once it is durable, no smaller size is ever signed again.
  if (auto kept = replace_small_file(ledger_.env(), options_.latest_file, note); !kept) return std::unexpected(kept.error());
  if (auto put = CheckpointLog(ledger_).put(size, note); !put) return std::unexpected(put.error());
  std::lock_guard lock(state_->mutex);
  state_->latest = note;
  state_->latest_size = size;
  state_->signed_at = started;
  return {};
}

void Checkpointer::run() {
  std::unique_lock lock(state_->mutex);
  while (!state_->stopping) {
    // The interval runs from one signature's start (its read of the head) to the next's, so an
    // append just after a read waits one interval plus the signing, not two signings.
    const auto now = Steady::now();
    const auto head = ledger_.head().position;
    const auto due = state_->signed_at + options_.interval;
    const bool grown = head > state_->latest_size;
    if (grown && now >= due) {
      lock.unlock();
      auto signed_now = sign(head, now);
      if (!signed_now && options_.note) options_.note("cannot sign a checkpoint: " + signed_now.error().message);
      lock.lock();
      if (!signed_now) state_->signed_at = now;  // retried after an interval
      continue;
    }
    state_->wake.wait_until(lock, grown ? due : now + kPoll);
  }
}

Checkpointer::~Checkpointer() {
  {
    std::lock_guard lock(state_->mutex);
    state_->stopping = true;
  }
  state_->wake.notify_all();
  if (state_->thread.joinable()) state_->thread.join();
  // The last commands' tree is signed at once: a stop is not worth waiting out the interval for
  // (this one signature may come less than an interval after the one before).
  if (ledger_.head().position > latest_size()) {
    if (auto last = sign(ledger_.head().position, Steady::now()); !last && options_.note) {
      options_.note("no checkpoint at shutdown: " + last.error().message);
    }
  }
}

std::optional<std::string> Checkpointer::latest() const {
  std::lock_guard lock(state_->mutex);
  return state_->latest;
}

std::uint64_t Checkpointer::latest_size() const {
  std::lock_guard lock(state_->mutex);
  return state_->latest_size;
}

std::string Checkpointer::verifier_key() const { return verifier_key_text(origin_, key_.public_key()); }

}  // namespace orgledger::ledger
