// The figures a bench reports: a human table, then one `metric NAME VALUE UNIT` line per figure
// for scripts (run_*_bench.sh read those lines, never the table).
#pragma once

#include <string>
#include <vector>

namespace orgledger::bench {

struct Metric {
  std::string name;         // machine name, stable across versions for the scripts
  std::string description;  // for the human table
  double value = 0;
  std::string unit;
  std::vector<double> runs;  // every run's figure, when the value is their median
};

// The table on stdout, then the metric lines.
void print_table(const std::vector<Metric>& metrics);

// Appends one metric and logs it on stderr (progress).
void add_metric(std::vector<Metric>& metrics, std::string name, std::string description, double value,
                std::string unit);

// Appends the median of `runs` as a metric and logs it on stderr (progress).
void add_median(std::vector<Metric>& metrics, std::string name, std::string description, std::vector<double> runs,
                std::string unit);

}  // namespace orgledger::bench
