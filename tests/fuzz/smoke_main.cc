// fuzz_smoke TARGET PATH… [--mutations N]: runs a fuzz target (targets.h) on every file of the
// PATHs (files, or folders of them: a corpus, or crashes found by AFL++), then on N mutations of
// them drawn from a seed: bit flips, interesting bytes, inserted, deleted and repeated ranges,
// splices and truncations. Not coverage-guided (bench/run_fuzz.sh is): a quick pass over what the
// long runs found, for every test run and under the sanitizers. ORGLEDGER_SEED replays a run.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "seed.h"
#include "targets.h"

namespace {

using Bytes = std::vector<std::uint8_t>;
using Random = std::mt19937_64;

std::vector<Bytes> read_inputs(const std::vector<std::filesystem::path>& paths) {
  std::vector<std::filesystem::path> files;
  for (const auto& path : paths) {
    if (std::filesystem::is_directory(path)) {
      for (const auto& entry : std::filesystem::directory_iterator(path)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
    } else {
      files.push_back(path);
    }
  }
  std::sort(files.begin(), files.end());  // the same order on every machine: a seed replays
  std::vector<Bytes> inputs;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    inputs.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return inputs;
}

std::size_t below(Random& random, std::size_t n) { return n == 0 ? 0 : std::uniform_int_distribution<std::size_t>(0, n - 1)(random); }

void mutate_once(Bytes& bytes, const std::vector<Bytes>& corpus, Random& random) {
  static constexpr std::uint8_t kInteresting[] = {0, 1, 0x7f, 0x80, 0xff, '"', '{', '}', '[', ']', '\\', '%',
                                                  '?', '&', '=', '\r', '\n', ':', ',', '0', '9', '-', 0xc3};
  const std::size_t at = below(random, bytes.size() + 1);
  switch (below(random, 7)) {
    case 0:
      if (!bytes.empty()) bytes[below(random, bytes.size())] ^= static_cast<std::uint8_t>(1u << below(random, 8));
      break;
    case 1:
      if (!bytes.empty()) bytes[below(random, bytes.size())] = kInteresting[below(random, std::size(kInteresting))];
      break;
    case 2: {  // insert random bytes
      Bytes inserted(1 + below(random, 16));
      for (auto& byte : inserted) byte = static_cast<std::uint8_t>(random());
      bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(at), inserted.begin(), inserted.end());
      break;
    }
    case 3:  // delete a range
      bytes.erase(bytes.begin() + static_cast<std::ptrdiff_t>(at),
                  bytes.begin() + static_cast<std::ptrdiff_t>(std::min(bytes.size(), at + 1 + below(random, 32))));
      break;
    case 4: {  // repeat a range
      const std::size_t length = std::min(bytes.size() - std::min(at, bytes.size()), 1 + below(random, 64));
      Bytes range(bytes.begin() + static_cast<std::ptrdiff_t>(at), bytes.begin() + static_cast<std::ptrdiff_t>(at + length));
      bytes.insert(bytes.begin() + static_cast<std::ptrdiff_t>(at), range.begin(), range.end());
      break;
    }
    case 5: {  // splice: this one's head, another's tail
      const auto& other = corpus[below(random, corpus.size())];
      bytes.resize(at);
      const std::size_t from = below(random, other.size() + 1);
      bytes.insert(bytes.end(), other.begin() + static_cast<std::ptrdiff_t>(from), other.end());
      break;
    }
    default:
      bytes.resize(at);
  }
}

int usage() {
  std::fprintf(stderr, "usage: fuzz_smoke TARGET PATH... [--mutations N]   (targets:");
  for (const auto& target : orgledger::fuzz::kTargets) std::fprintf(stderr, " %.*s", int(target.name.size()), target.name.data());
  std::fprintf(stderr, ")\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) return usage();
  const std::string_view name = argv[1];
  const auto* target = std::find_if(std::begin(orgledger::fuzz::kTargets), std::end(orgledger::fuzz::kTargets),
                                    [&](const auto& t) { return t.name == name; });
  if (target == std::end(orgledger::fuzz::kTargets)) return usage();
  std::vector<std::filesystem::path> paths;
  long mutations = 0;
  for (int i = 2; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--mutations" && i + 1 < argc) {
      mutations = std::atol(argv[++i]);
    } else {
      paths.emplace_back(arg);
    }
  }
  const auto corpus = read_inputs(paths);
  if (corpus.empty()) {
    std::fprintf(stderr, "fuzz_smoke: no input in the paths given\n");
    return 2;
  }
  const auto started = std::chrono::steady_clock::now();
  for (const auto& input : corpus) target->run(input);

  const auto seed = orgledger::testing::test_seed("fuzz_smoke");
  Random random(seed);
  for (long i = 0; i < mutations; ++i) {
    Bytes input = corpus[below(random, corpus.size())];
    for (std::size_t steps = 1 + below(random, 4); steps > 0; --steps) mutate_once(input, corpus, random);
    target->run(input);
  }
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("fuzz_smoke %s: %zu corpus inputs and %ld mutations (seed %llu, ORGLEDGER_SEED replays) in %.1f s\n",
              target->name.data(), corpus.size(), mutations, static_cast<unsigned long long>(seed), seconds);
  return 0;
}
