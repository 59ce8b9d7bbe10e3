#include "orgledger/ledger/verify.h"

#include <rocksdb/iterator.h>

#include <algorithm>

#include "chain_checker.h"
#include "orgledger/ledger/hash.h"
#include "orgledger/ledger/iterator_bytes.h"
#include "store.h"
#include "store_layout.h"
#include "tree_checker.h"
#include "tree_store.h"

namespace orgledger::ledger {

std::expected<VerifyReport, Error> verify_ledger(const std::string& directory, const VerifyOptions& verify_options) {
  auto store = Store::open(directory, OpenMode::read_only,
                           verify_options.env != nullptr ? *verify_options.env : Env::system());
  if (!store) return std::unexpected(store.error());
  auto head = (*store)->recorded_head();
  VerifyReport report;
  if (!head) {
    report.first_bad_position = 0;
    report.problem = head.error().message;
    return report;
  }
  report.head = *head;

  ChainChecker checker(1, kZeroHash);
  rocksdb::ReadOptions options;
  options.verify_checksums = true;
  options.fill_cache = false;  // one pass over everything: keep the block cache for others
  options.readahead_size = 2 << 20;
  std::unique_ptr<rocksdb::Iterator> it((*store)->db().NewIterator(options, (*store)->events()));
  auto tree_size = stored_tree_size(**store, head->position);
  if (!tree_size) return std::unexpected(tree_size.error());
  TreeChecker tree(**store, *tree_size);
  std::optional<ChainProblem> problem;
  std::string key, value;
  for (it->SeekToFirst(); it->Valid() && !problem; it->Next()) {
    problem = checker.check(copy_key(*it, key), copy_value(*it, value));
    if (problem) break;
    // The leaf is the stored envelope: the value after its hash (store_layout.h).
    auto tree_problem = tree.add({reinterpret_cast<const std::uint8_t*>(value.data()) + layout::kHashSize,
                                  value.size() - layout::kHashSize});
    if (tree_problem && !report.first_bad_leaf) {
      report.first_bad_leaf = tree_problem->first_leaf;
      report.tree_problem = tree_problem->problem;
    }
    if (verify_options.root_at == tree.leaves()) report.root_at = tree.root_now();
  }
  if (!it->status().ok()) {
    // RocksDB's own block checksums caught damage below the values: name where the walk stopped.
    problem = ChainProblem{checker.next_position(), "unreadable: " + it->status().ToString()};
  }
  if (!problem) problem = checker.finish(*head);
  report.checked = checker.next_position() - 1;
  // An event found behind the recorded head passed the walk but is itself the problem.
  if (problem) report.checked = std::min<std::uint64_t>(report.checked, problem->position - 1);
  report.tree_leaves_checked = std::min(*tree_size, report.checked);
  report.ok = !problem.has_value() && !report.first_bad_leaf;
  if (problem) {
    report.first_bad_position = problem->position;
    report.problem = problem->problem;
  }
  return report;
}

}  // namespace orgledger::ledger
