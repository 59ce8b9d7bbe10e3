// A small, strict parser for `orgledger SUBCOMMAND [--name value | --name=value | --flag]... [ARG]...`.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace orgledger::tools {

// Bad command-line usage: printed with the subcommand's help, exit code 2 (API.md).
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct OptionSpec {
  std::set<std::string> valued;  // options that take a value, e.g. "from"
  std::set<std::string> flags;   // options without one, e.g. "json"
};

class CliArgs {
 public:
  // Throws UsageError for an unknown option, a missing value or a repeated option.
  CliArgs(const std::vector<std::string>& args, const OptionSpec& spec);

  bool flag(const std::string& name) const { return flags_.contains(name); }
  std::optional<std::string> value(const std::string& name) const;
  // The value as a non-negative integer; throws UsageError when it is not one.
  std::optional<std::uint64_t> number(const std::string& name) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::string> values_;
  std::set<std::string> flags_;
  std::vector<std::string> positional_;
};

}  // namespace orgledger::tools
