// write_fuzz_corpus OUT [COMMANDS_DIR]: writes the fuzz targets' seed corpora (tests/fuzz/corpus,
// checked in) from what the tests use: the golden events, the remote CLI's story submitted through
// a real processor (its events, its state as a snapshot, its tree's proofs and signed
// checkpoints), and the commands the OpenAPI conformance test had accepted (COMMANDS_DIR, from its
// --save-commands). tests/fuzz/write_corpus.sh runs it all.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz_key.h"
#include "golden_file.h"
#include "manual_clock.h"
#include "orgledger/api/command_json.h"
#include "orgledger/api/routes.h"
#include "orgledger/api/tree_json.h"
#include "orgledger/commands/processor.h"
#include "orgledger/ledger/checkpoint_key.h"
#include "orgledger/ledger/ledger.h"
#include "orgledger/ledger/merkle.h"
#include "orgledger/projections/evolve.h"
#include "orgledger/projections/snapshot.h"
#include "temp_dir.h"

using namespace orgledger;
namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class Corpus {
 public:
  Corpus(fs::path root, std::string_view target) : folder_(std::move(root) / target) { fs::create_directories(folder_); }
  void add(std::string_view bytes) {
    char name[32];
    std::snprintf(name, sizeof name, "seed-%03zu", count_++);
    std::ofstream(folder_ / name, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  std::size_t count() const { return count_; }

 private:
  fs::path folder_;
  std::size_t count_ = 0;
};

std::string little_endian(std::uint64_t value, std::size_t bytes) {
  std::string out(bytes, '\0');
  std::memcpy(out.data(), &value, bytes);
  return out;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t at = 0;
  while (at < text.size()) {
    auto end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    if (end > at) lines.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return lines;
}

std::string post_command(const std::string& body) {
  return "POST /v1/commands HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAuthorization: Bearer olt_" + std::string(64, 'a') +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// Each route's pattern with sample parameters, and the query parameters it takes.
void add_route_requests(Corpus& corpus) {
  for (const auto& route : api::route_table()) {
    std::string path(route.pattern);
    for (auto open = path.find('{'); open != std::string::npos; open = path.find('{')) {
      path.replace(open, path.find('}', open) - open + 1, "acme%20sa");
    }
    std::string query;
    for (const auto& param : route.params) {
      query += (query.empty() ? "?" : "&") + std::string(param) + "=" +
               (param == "as_of" ? "2026-11-21T10:00:00Z" : param == "status" ? "open" : "3");
    }
    corpus.add(std::string(route.method) + " " + path + query + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer olt_" +
               std::string(64, 'b') + "\r\nLast-Event-ID: 12\r\nIf-None-Match: \"e1\"\r\n\r\n");
  }
  corpus.add("POST /v1/commands HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
             "10\r\n{\"type\":\"Regist\r\n1b\r\nerUser\",\"user\":\"u\",\"login\":\r\n6\r\n\"u@x\"}\r\n0\r\n\r\n");
  corpus.add("GET / HTTP/1.0\r\n\r\n");
  corpus.add("GET /console/app.js HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: write_fuzz_corpus OUT [COMMANDS_DIR]\n");
    return 2;
  }
  const fs::path out = argv[1];
  Corpus envelopes(out, "envelope"), commands_corpus(out, "command_json"), requests(out, "http_request"),
      snapshots(out, "snapshot"), checkpoints(out, "checkpoint_proof");

  // Envelopes of the first schema (the golden file), then of today's (the story's events).
  testing::TempDir golden_dir;
  const auto golden = testing::parse_golden_file(testing::make_golden_file(golden_dir.path())).value();
  for (std::size_t i = 0; i < golden.size(); ++i) envelopes.add(little_endian(i + 1, 8) + golden[i]);

  // Commands: the story's and the conformance test's.
  std::vector<std::string> bodies = lines_of(read_file(fs::path(ORGLEDGER_FIXTURES) / "remote_cli_story.jsonl"));
  if (argc > 2) {
    std::vector<fs::path> saved{fs::directory_iterator(argv[2]), fs::directory_iterator()};
    std::sort(saved.begin(), saved.end());
    for (const auto& file : saved) bodies.push_back(read_file(file));
  }
  for (const auto& body : bodies) {
    commands_corpus.add(body);
    requests.add(post_command(body));
  }
  add_route_requests(requests);

  // The story through a real processor: its events, its state, its tree.
  testing::TempDir dir;
  testing::ManualClock clock(testing::kSampleInstant);
  auto log = ledger::Ledger::open(dir.path(), {.clock = &clock}).value();
  {
    auto processor = commands::CommandProcessor::start(*log, clock).value();
    for (const auto& body : bodies) {
      if (auto command = api::parse_command(std::string_view(body))) (void)processor->submit(std::move(*command));
      clock.advance(60'000'000);
    }
  }
  const auto head = log->head();
  const auto events = log->read(1, head.position).value();
  projections::State state;
  for (const auto& event : events) {
    projections::evolve(state, event);
    if (event.position() % 7 == 0) envelopes.add(little_endian(event.position(), 8) + event.stored());
  }
  for (std::size_t per_chunk : {4, 1000}) {
    std::string framed;
    for (const auto& chunk : projections::encode_snapshot(state, head.hash, per_chunk)) {
      framed += little_endian(chunk.size(), 4) + chunk;
    }
    snapshots.add(framed);
  }

  // Signed checkpoints by the corpus's key, its verifier key, and proofs of the story's tree.
  fuzz::FuzzSeedRandom seed;
  ledger::EnvWith seeded({.random = &seed});
  const auto key = ledger::CheckpointKey::load(seeded, dir.path() + "/fuzz.key", true).value();
  const auto verifier = fuzz::fuzz_verifier_key();
  if (key.public_key() != verifier.key) return 3;  // the target would check against another key
  for (std::uint64_t size : {std::uint64_t{1}, head.position / 2, head.position}) {
    const ledger::Checkpoint checkpoint{std::string(fuzz::kFuzzKeyName), size, log->tree_root(size).value()};
    const auto body = ledger::checkpoint_body(checkpoint);
    const ledger::NoteSignature signature{std::string(fuzz::kFuzzKeyName), verifier.key_id, key.sign(body).value()};
    checkpoints.add(std::string(1, '\0') + ledger::signed_note(body, signature));
  }
  checkpoints.add(std::string(1, '\0') + ledger::verifier_key_text(fuzz::kFuzzKeyName, verifier.key));
  for (std::uint64_t position : {std::uint64_t{1}, std::uint64_t{5}, head.position}) {
    checkpoints.add("\x01" + api::inclusion_proof_json(*log, position, head.position, 0).value().dump());
  }
  for (std::uint64_t from : {std::uint64_t{1}, std::uint64_t{4}, std::uint64_t{7}}) {
    checkpoints.add("\x01" + api::consistency_proof_json(*log, from, head.position).value().dump());
  }
  std::printf("write_fuzz_corpus: %zu envelopes, %zu commands, %zu requests, %zu snapshots, %zu notes and proofs\n",
              envelopes.count(), commands_corpus.count(), requests.count(), snapshots.count(), checkpoints.count());
  return 0;
}
