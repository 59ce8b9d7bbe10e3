#include "cli_args.h"

#include <charconv>

namespace orgledger::tools {

CliArgs::CliArgs(const std::vector<std::string>& args, const OptionSpec& spec) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!arg.starts_with("--") || arg == "--") {
      positional_.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> inline_value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name.resize(eq);
    }
    if (spec.flags.contains(name)) {
      if (inline_value) throw UsageError("--" + name + " takes no value");
      flags_.insert(name);
    } else if (spec.valued.contains(name)) {
      if (!inline_value && i + 1 >= args.size()) throw UsageError("--" + name + " needs a value");
      if (values_.contains(name)) throw UsageError("--" + name + " given twice");
      values_[name] = inline_value ? *inline_value : args[++i];
    } else {
      throw UsageError("unknown option --" + name);
    }
  }
}

std::optional<std::string> CliArgs::value(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::uint64_t> CliArgs::number(const std::string& name) const {
  auto text = value(name);
  if (!text) return std::nullopt;
  std::uint64_t parsed = 0;
  const auto* end = text->data() + text->size();
  auto [ptr, error] = std::from_chars(text->data(), end, parsed);
  if (text->empty() || error != std::errc() || ptr != end) {
    throw UsageError("--" + name + " must be a non-negative integer, not '" + *text + "'");
  }
  return parsed;
}

}  // namespace orgledger::tools
