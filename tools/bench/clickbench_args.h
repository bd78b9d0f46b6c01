// What the two ClickBench runners (clickbench_inproc, clickbench_http) share:
// their options and the numbered queries of a .sql file.
#pragma once

#include <algorithm>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace quiver::bench {

struct ClickBenchArgs {
  int runs = 3;
  int threads = 2;
  std::set<int> only;  // query numbers to run; empty: all
};

// [--runs N] [--threads N] [--queries 1,2,...] from argv[first] on.
inline ClickBenchArgs ParseClickBenchArgs(int argc, char** argv, int first) {
  ClickBenchArgs a;
  for (int i = first; i + 1 < argc; i += 2) {
    const std::string o = argv[i];
    if (o == "--runs") a.runs = std::max(1, std::stoi(argv[i + 1]));
    if (o == "--threads") a.threads = std::stoi(argv[i + 1]);
    if (o == "--queries") {
      std::istringstream list(argv[i + 1]);
      for (std::string n; std::getline(list, n, ',');) a.only.insert(std::stoi(n));
    }
  }
  return a;
}

// The queries of `path`, one per line, numbered from 1 by line, trailing
// ';' and blanks dropped, empty lines and those not in `only` (when set)
// left out; nullopt when the file cannot be read.
inline std::optional<std::vector<std::pair<int, std::string>>> ReadClickBenchQueries(
    const std::string& path, const std::set<int>& only) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::vector<std::pair<int, std::string>> out;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    while (!line.empty() && (line.back() == ';' || line.back() == ' ')) line.pop_back();
    if (line.empty() || (!only.empty() && !only.count(n))) continue;
    out.push_back({n, line});
  }
  return out;
}

}  // namespace quiver::bench
