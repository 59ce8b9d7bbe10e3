// check_proof_json (api/tree_json.h), what `orgledger proof --server` runs on a server's answer:
// the answers of a real ledger's tree pass; any altered, missing or extra field fails.
#include <catch2/catch.hpp>

#include <cctype>
#include <functional>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "orgledger/api/tree_json.h"
#include "orgledger/ledger/ledger.h"
#include "temp_dir.h"

using namespace orgledger;
using testing::TempDir;

TEST_CASE("Proof answers check as an outsider checks them: true ones pass, any altered, missing or extra field fails") {
  TempDir dir;
  auto log = ledger::Ledger::open(dir.path()).value();
  for (int i = 0; i < 11; ++i) REQUIRE(log->append(testing::member_added("c" + std::to_string(i), "org:acme", "u" + std::to_string(i))));
  for (std::uint64_t position = 1; position <= 11; ++position) {
    INFO("position " << position);
    CHECK(api::check_proof_json(api::inclusion_proof_json(*log, position, std::nullopt, 0).value()));
  }
  for (std::uint64_t from = 1; from <= 11; ++from) {
    INFO("from " << from);
    CHECK(api::check_proof_json(api::consistency_proof_json(*log, from, 11).value()));
  }
  const auto inclusion = api::inclusion_proof_json(*log, 6, 11, 0).value();
  const auto consistency = api::consistency_proof_json(*log, 3, 11).value();
  auto refused = [](nlohmann::json proof, const std::function<void(nlohmann::json&)>& alter) {
    alter(proof);
    return !api::check_proof_json(proof).has_value();
  };
  CHECK(refused(inclusion, [](auto& p) { p["leaf_index"] = 6; }));                  // not position - 1
  CHECK(refused(inclusion, [](auto& p) { p["position"] = 7; p["leaf_index"] = 6; }));  // another leaf's place
  CHECK(refused(inclusion, [](auto& p) { p["tree_size"] = 5; }));
  CHECK(refused(inclusion, [](auto& p) { p["root_hash"] = std::string(64, '0'); }));
  CHECK(refused(inclusion, [](auto& p) { p["path"][0] = std::string(64, 'a'); }));
  CHECK(refused(inclusion, [](auto& p) { p["path"].erase(0); }));
  CHECK(refused(inclusion, [](auto& p) {  // uppercase: not the server's spelling
    auto text = p["leaf_hash"].template get<std::string>();
    for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    p["leaf_hash"] = text;
  }));
  CHECK(refused(inclusion, [](auto& p) { p.erase("path"); }));
  CHECK(refused(inclusion, [](auto& p) { p["extra"] = 1; }));
  CHECK(refused(inclusion, [](auto& p) { p["tree_size"] = "11"; }));
  CHECK(refused(consistency, [](auto& p) { p["from"] = 4; }));
  CHECK(refused(consistency, [](auto& p) { p["from_root"] = p["to_root"]; }));
  CHECK(refused(consistency, [](auto& p) { p["path"] = nlohmann::json::array(); }));
  CHECK(refused(consistency, [](auto& p) { p["path"] = nlohmann::json::array({1, 2}); }));
  CHECK_FALSE(api::check_proof_json(nlohmann::json::array()));
}
