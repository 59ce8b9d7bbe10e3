#include "metrics.h"

#include <cmath>
#include <cstdio>

#include "bench_support.h"

namespace orgledger::bench {
namespace {

// Small figures (sub-microsecond latencies, seconds) keep three decimals, large ones one.
int decimals(double value) { return std::fabs(value) < 100 ? 3 : 1; }

}  // namespace

void print_table(const std::vector<Metric>& metrics) {
  std::printf("\n%-52s %14s  %-9s %s\n", "measurement", "value", "unit", "runs: min .. max");
  for (const auto& metric : metrics) {
    std::printf("%-52s %14.*f  %-9s", metric.description.c_str(), decimals(metric.value), metric.value,
                metric.unit.c_str());
    if (!metric.runs.empty()) {
      std::printf(" %zu: %.1f .. %.1f", metric.runs.size(), quantile(metric.runs, 0), quantile(metric.runs, 1));
    }
    std::printf("\n");
  }
  std::printf("\n");
  for (const auto& metric : metrics) {
    std::printf("metric %s %.3f %s\n", metric.name.c_str(), metric.value, metric.unit.c_str());
  }
  std::fflush(stdout);
}

void add_metric(std::vector<Metric>& metrics, std::string name, std::string description, double value,
                std::string unit) {
  std::fprintf(stderr, "  %s = %.3f %s\n", name.c_str(), value, unit.c_str());
  metrics.push_back({std::move(name), std::move(description), value, std::move(unit), {}});
}

void add_median(std::vector<Metric>& metrics, std::string name, std::string description, std::vector<double> runs,
                std::string unit) {
  const double value = median(runs);
  std::fprintf(stderr, "  %s = %.1f %s\n", name.c_str(), value, unit.c_str());
  metrics.push_back({std::move(name), std::move(description), value, std::move(unit), std::move(runs)});
}

}  // namespace orgledger::bench
