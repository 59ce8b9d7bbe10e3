#include "store_copy_service.h"

#include <charconv>
#include <condition_variable>
#include <filesystem>
#include <sstream>
#include <thread>
#include <vector>

#include "orgledger/ledger/store_copy.h"

namespace orgledger::cluster {
namespace {

constexpr auto kIdleCopy = std::chrono::minutes(1);
constexpr int kOpenTimeoutMs = 60'000;  // the peer flushes its memtables first
constexpr int kReadTimeoutMs = 10'000;

std::string subject_of(const Options& options, const std::string& node) { return options.stream + ".copy." + node; }

std::optional<std::uint64_t> number(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  while (!line.empty()) {
    const auto space = line.find(' ');
    if (space != 0) out.push_back(line.substr(0, space));
    if (space == std::string_view::npos) break;
    line.remove_prefix(space + 1);
  }
  return out;
}

}  // namespace

// ---- the serving side ----

struct StoreCopyServer::Door {
  std::mutex mutex;
  std::condition_variable idle;
  StoreCopyServer* server = nullptr;  // null once the server is going: requests are dropped
  int answering = 0;
  // The server and libnats' subscription each hold one; the last to let go frees it. Without the
  // subscription's close callback, libnats' reference is never let go (a few bytes kept).
  int holders = 2;
  static void let_go(Door* door) {
    bool last = false;
    {
      std::lock_guard lock(door->mutex);
      last = --door->holders == 0;
    }
    if (last) delete door;
  }
};

StoreCopyServer::StoreCopyServer(ledger::Ledger& ledger, Door* door)
    : ledger_(ledger), directory_((std::filesystem::path(ledger.directory()) / "outgoing-copy").string()), door_(door) {}

std::expected<std::unique_ptr<StoreCopyServer>, Error> StoreCopyServer::start(NatsLink& link, const Options& options,
                                                                              ledger::Ledger& ledger) {
  auto* door = new Door();
  std::unique_ptr<StoreCopyServer> server(new StoreCopyServer(ledger, door));
  door->server = server.get();
  // A copy an earlier run left (it stopped while serving one, or RocksDB's unfinished ".tmp").
  (void)ledger::remove_copy_directory(ledger.env(), server->directory_);
  (void)ledger::remove_copy_directory(ledger.env(), server->directory_ + ".tmp");
  natsSubscription* raw = nullptr;
  const auto subject = subject_of(options, options.node);
  if (auto s = natsConnection_Subscribe(&raw, link.connection(), subject.c_str(), &StoreCopyServer::on_request, door);
      s != NATS_OK) {
    delete door;
    server->door_ = nullptr;
    return std::unexpected(Error{"cannot serve store copies on " + subject + ": " + describe(s)});
  }
  server->subscription_.reset(raw);
  (void)natsSubscription_SetOnCompleteCB(raw, &StoreCopyServer::on_closed, door);
  return server;
}

StoreCopyServer::~StoreCopyServer() {
  if (door_ != nullptr) {
    {
      std::unique_lock lock(door_->mutex);
      door_->server = nullptr;
      door_->idle.wait(lock, [this] { return door_->answering == 0; });
    }
    (void)natsSubscription_Unsubscribe(subscription_.get());
    subscription_.reset();
    Door::let_go(door_);
  }
  std::lock_guard lock(mutex_);
  drop_copy();
}

void StoreCopyServer::on_closed(void* door) { Door::let_go(static_cast<Door*>(door)); }

void StoreCopyServer::on_request(natsConnection* connection, natsSubscription*, natsMsg* message, void* opaque) {
  Owned<natsMsg> owned(message);
  auto* door = static_cast<Door*>(opaque);
  StoreCopyServer* server = nullptr;
  {
    std::lock_guard lock(door->mutex);
    server = door->server;
    if (server == nullptr) return;
    ++door->answering;
  }
  const std::string_view request(natsMsg_GetData(message), static_cast<std::size_t>(natsMsg_GetDataLength(message)));
  const std::string reply = server->answer(request);
  if (const char* to = natsMsg_GetReply(message); to != nullptr) {
    (void)natsConnection_Publish(connection, to, reply.data(), static_cast<int>(reply.size()));
  }
  {
    std::lock_guard lock(door->mutex);
    --door->answering;
  }
  door->idle.notify_all();
}

void StoreCopyServer::drop_idle() {
  std::lock_guard lock(mutex_);
  if (open_ && std::chrono::steady_clock::now() - open_->used >= kIdleCopy) drop_copy();
}

std::string StoreCopyServer::answer(std::string_view request) {
  const auto parts = words(request);
  if (parts.size() == 2 && parts[0] == "open") {
    if (auto through = number(parts[1])) return open_copy(*through);
  }
  if (parts.size() == 4 && parts[0] == "read") {
    if (auto offset = number(parts[3])) return read_chunk(parts[1], parts[2], *offset);
  }
  if (parts.size() == 2 && parts[0] == "close") {
    std::lock_guard lock(mutex_);
    if (open_ && open_->id == parts[1]) drop_copy();
    return "ok\n";
  }
  return "error not a request of this protocol: '" + std::string(request.substr(0, 80)) + "'";
}

std::string StoreCopyServer::open_copy(std::uint64_t through) {
  std::lock_guard lock(mutex_);
  // Read before the copy is made: the copy holds at least this much.
  const std::uint64_t sequence = ledger_.replication_sequence();
  if (sequence < through) {
    return "error this node holds the log only through sequence " + std::to_string(sequence) + ", not " +
           std::to_string(through);
  }
  if (open_ && std::chrono::steady_clock::now() - open_->used < kIdleCopy) {
    return "error busy: another node is copying this node's store";
  }
  drop_copy();
  auto files = ledger_.copy_store_to(directory_);
  if (!files) {
    (void)ledger::remove_copy_directory(ledger_.env(), directory_);
    return "error " + files.error().message;
  }
  OpenCopy copy{.id = std::to_string(++copies_made_) + "-" + std::to_string(sequence), .files = {},
                .used = std::chrono::steady_clock::now()};
  std::string reply = "ok " + copy.id + " " + std::to_string(sequence) + "\n";
  for (const auto& file : *files) {
    copy.files.emplace(file.name, file.size);
    reply += file.name + " " + std::to_string(file.size) + "\n";
  }
  open_ = std::move(copy);
  return reply;
}

std::string StoreCopyServer::read_chunk(std::string_view id, std::string_view file, std::uint64_t offset) {
  std::lock_guard lock(mutex_);
  if (!open_ || open_->id != id) return "error no open copy " + std::string(id) + " (dropped after a minute unread)";
  const auto found = open_->files.find(file);
  if (found == open_->files.end()) return "error the copy has no file " + std::string(file);
  open_->used = std::chrono::steady_clock::now();
  auto chunk = ledger::read_copy_chunk(ledger_.env(), (std::filesystem::path(directory_) / found->first).string(), offset,
                                       kCopyChunk);
  if (!chunk) return "error " + chunk.error().message;
  return "ok\n" + *chunk;
}

void StoreCopyServer::drop_copy() {
  open_.reset();
  (void)ledger::remove_copy_directory(ledger_.env(), directory_);
}

// ---- the receiving side ----

namespace {

// One request to the peer: the answer's body after "ok " or "ok\n", or the peer's error.
std::expected<std::string, Error> ask(NatsLink& link, const std::string& subject, const std::string& request,
                                      int timeout_ms) {
  natsMsg* raw = nullptr;
  const natsStatus s = natsConnection_Request(&raw, link.connection(), subject.c_str(), request.data(),
                                              static_cast<int>(request.size()), timeout_ms);
  if (s != NATS_OK) return std::unexpected(Error{"no answer on " + subject + ": " + describe(s)});
  Owned<natsMsg> reply(raw);
  std::string bytes(natsMsg_GetData(raw), static_cast<std::size_t>(natsMsg_GetDataLength(raw)));
  if (bytes.starts_with("ok ") || bytes.starts_with("ok\n")) return bytes.substr(3);
  return std::unexpected(Error{bytes.starts_with("error ") ? bytes.substr(6) : "an answer not of this protocol"});
}

struct CopyListing {
  std::string id;
  std::uint64_t sequence = 0;
  std::vector<ledger::CopyFile> files;
};

std::optional<CopyListing> parse_listing(const std::string& body) {
  std::istringstream lines(body);
  std::string head;
  std::getline(lines, head);
  const auto first = words(head);
  const auto sequence = first.size() == 2 ? number(first[1]) : std::nullopt;
  if (!sequence) return std::nullopt;
  CopyListing listing{.id = std::string(first[0]), .sequence = *sequence, .files = {}};
  for (std::string line; std::getline(lines, line);) {
    const auto parts = words(line);
    auto size = parts.size() == 2 ? number(parts[1]) : std::nullopt;
    if (!size) return std::nullopt;
    listing.files.push_back({std::string(parts[0]), *size});
  }
  return listing;
}

std::expected<void, Error> download_file(NatsLink& link, const std::string& subject, const CopyListing& listing,
                                         const ledger::CopyFile& file, ledger::Ledger& ledger,
                                         const std::atomic<bool>& stopping) {
  auto out = ledger::IncomingCopyFile::create(ledger.env(), ledger.directory(), file.name);
  if (!out) return std::unexpected(Error{out.error().message});
  std::uint64_t offset = 0;
  while (offset < file.size) {
    if (stopping) return std::unexpected(Error{"stopped"});
    auto chunk = ask(link, subject, "read " + listing.id + " " + file.name + " " + std::to_string(offset), kReadTimeoutMs);
    if (!chunk) return std::unexpected(chunk.error());
    if (chunk->empty()) return std::unexpected(Error{file.name + " ends at " + std::to_string(offset) + " of its " +
                                                         std::to_string(file.size) + " bytes"});
    if (auto written = out->append(*chunk); !written) return std::unexpected(Error{written.error().message});
    offset += chunk->size();
  }
  if (offset != file.size) {
    return std::unexpected(Error{file.name + " came " + std::to_string(offset) + " bytes long, not " + std::to_string(file.size)});
  }
  if (auto synced = out->finish(); !synced) return std::unexpected(Error{synced.error().message});
  return {};
}

}  // namespace

std::expected<std::uint64_t, Error> download_store_copy(NatsLink& link, const Options& options, const std::string& peer,
                                                        ledger::Ledger& ledger, std::uint64_t through,
                                                        const std::atomic<bool>& stopping) {
  if (stopping) return std::unexpected(Error{"stopped"});
  const auto subject = subject_of(options, peer);
  auto opened = ask(link, subject, "open " + std::to_string(through), kOpenTimeoutMs);
  if (!opened) return std::unexpected(opened.error());
  auto listing = parse_listing(*opened);
  if (!listing) return std::unexpected(Error{"node " + peer + " listed its copy in a form not of this protocol"});
  auto result = [&]() -> std::expected<std::uint64_t, Error> {
    if (listing->sequence < through) {
      return std::unexpected(Error{"node " + peer + " holds the log only through sequence " +
                                   std::to_string(listing->sequence) + ", not " + std::to_string(through)});
    }
    if (auto begun = ledger::begin_incoming_copy(ledger.env(), ledger.directory()); !begun) {
      return std::unexpected(Error{begun.error().message});
    }
    std::vector<std::string> names;
    for (const auto& file : listing->files) {
      if (auto copied = download_file(link, subject, *listing, file, ledger, stopping); !copied) return std::unexpected(copied.error());
      names.push_back(file.name);
    }
    if (auto complete = ledger::complete_incoming_copy(ledger.env(), ledger.directory(), names); !complete) {
      return std::unexpected(Error{complete.error().message});
    }
    return listing->sequence;
  }();
  if (!stopping) (void)ask(link, subject, "close " + listing->id, kReadTimeoutMs);  // else it ages out there
  if (!result) (void)ledger::remove_copy_directory(ledger.env(), ledger::incoming_copy_directory(ledger.directory()));
  return result;
}

}  // namespace orgledger::cluster
