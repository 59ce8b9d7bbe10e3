// `verify` over a store directory, for tests that only want its report.
#pragma once

#include <string>

#include <catch2/catch.hpp>

#include "orgledger/ledger/verify.h"

namespace orgledger::testing {

// The report of verify_ledger(directory, options); a store that cannot be read fails the test.
inline ledger::VerifyReport verify(const std::string& directory, ledger::VerifyOptions options = {}) {
  auto report = ledger::verify_ledger(directory, options);
  REQUIRE(report);
  return *report;
}

}  // namespace orgledger::testing
