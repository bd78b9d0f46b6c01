// Pieces shared by the quiver subcommands that work on a pool's tables
// (read_commands.cc, admin_commands.cc): opening the store. Its errors are
// ErrorSource::kPool (exit 3, see ExitCodeFor in cli.h).
#pragma once

#include <memory>
#include <string>

#include "config/status.h"
#include "store/store.h"
#include "tools/cli/cli.h"

namespace quiver::cli {

// Opens the pool at `path` as a store. A failure to open is a pool error:
// the file is missing, not a pool, or damaged.
inline Result<std::unique_ptr<store::Store>> OpenStore(const std::string& path, bool read_only) {
  store::StoreOptions options;
  options.read_only = read_only;
  return store::Store::Open(path, options);
}

}  // namespace quiver::cli
