// Pieces shared by the quiver subcommands that work on a pool's tables
// (read_commands.cc, admin_commands.cc): opening the store and mapping a
// Status to the tool's exit codes.
#pragma once

#include <iostream>
#include <memory>
#include <string>

#include "config/status.h"
#include "store/store.h"
#include "tools/cli/cli.h"

namespace quiver::cli {

// Exit code for an error returned by the store or the executor: 3 when the
// pool itself is the problem (damaged, locked, full, unreadable), 2 for
// everything about the data asked for (unknown table or column, bad query,
// a name that exists already). Usage errors (1) are found before this.
inline int StoreExitCode(const Status& s) {
  switch (s.code()) {
    case StatusCode::kCorruption:
    case StatusCode::kDataLoss:
    case StatusCode::kLocked:
    case StatusCode::kOutOfSpace:
    case StatusCode::kIOError:
    case StatusCode::kPermissionDenied: return kExitPool;
    default: return kExitData;
  }
}

// Prints "quiver <cmd>: <message>" on stderr; returns StoreExitCode(s).
inline int StoreFail(const std::string& cmd, const Status& s) {
  std::cerr << "quiver " << cmd << ": " << s.message() << "\n";
  return StoreExitCode(s);
}

// Opens the pool at `path` as a store. A failure to open is a pool error
// (exit 3) whatever its code: the file is missing, not a pool, or damaged.
inline Result<std::unique_ptr<store::Store>> OpenStore(const std::string& path, bool read_only) {
  store::StoreOptions options;
  options.read_only = read_only;
  return store::Store::Open(path, options);
}

inline int OpenFail(const std::string& cmd, const Status& s) {
  std::cerr << "quiver " << cmd << ": " << s.message() << "\n";
  return kExitPool;
}

}  // namespace quiver::cli
