// The DuckDB side of the Parquet interop tests: tools/node/duckdb_sql.js run
// through npm @duckdb/node-api, skipped (with a warning) when it is missing.
#pragma once

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <string>

#include "test_util.h"

namespace quiver::testing {

inline std::string RepoRoot() {
  std::string f = __FILE__;  // <root>/tests/parquet/duckdb_test_util.h
  for (int i = 0; i < 3; ++i) f = f.substr(0, f.find_last_of('/'));
  return f;
}

inline std::string NodeModules() { return RepoRoot() + "/.deps/node/node_modules"; }

inline bool DuckDbAvailable() {
  struct stat st;
  if (::stat((NodeModules() + "/@duckdb/node-api/package.json").c_str(), &st) == 0 &&
      std::system("node --version > /dev/null 2>&1") == 0) {
    return true;
  }
  WARN("SKIPPED: @duckdb/node-api is not installed in " + NodeModules() +
       "; run tools/node/install.sh to enable the DuckDB Parquet interop tests");
  return false;
}

// Runs tools/node/duckdb_sql.js on `spec`; returns its JSON output.
inline nlohmann::json RunDuckDb(const TempDir& dir, const nlohmann::json& spec) {
  const std::string in = dir.file("spec.json"), out = dir.file("out.json");
  WriteFileBytes(in, spec.dump());
  std::string cmd = "NODE_PATH='" + NodeModules() + "' node '" + RepoRoot() + "/tools/node/duckdb_sql.js' '" + in +
                    "' > '" + out + "' 2> '" + out + ".err'";
  int rc = std::system(cmd.c_str());
  INFO("command: " << cmd << "\nstderr: " << ReadFileBytes(out + ".err"));
  REQUIRE(rc == 0);
  return nlohmann::json::parse(ReadFileBytes(out));
}

}  // namespace quiver::testing
