// quiver drop | rename | truncate | compact: table maintenance. Each command
// is one pool transaction (all or nothing) and needs the pool's writer lock.
#include <functional>
#include <iostream>

#include "config/units.h"
#include "pmem/pool.h"
#include "store/store.h"
#include "tools/cli/cli.h"
#include "tools/cli/store_util.h"

namespace quiver::cli {
namespace {

using quiver::FormatBytes;

// Rows, chunks and bytes of `table` as last committed (for messages).
std::string Describe(store::Store& s, const std::string& table) {
  auto snap = s.GetSnapshot();
  if (!snap.ok()) return "";
  auto t = (*snap)->table(table);
  if (!t.ok()) return "";
  const store::TableView& v = **t;
  return " (" + std::to_string(v.num_rows()) + " rows, " + std::to_string(v.num_chunks()) +
         " chunks, " + FormatBytes(v.bytes()) + ")";
}

// The preamble of drop, rename and truncate: parse POOL and `nargs` table
// names (no options), open the pool as writer, run `change`, which returns
// the line to print on success.
int RunTableChange(
    const std::string& cmd, const std::vector<std::string>& argv, size_t nargs,
    const std::string& expected,
    const std::function<Result<std::string>(store::Store&, const std::vector<std::string>&)>&
        change) {
  auto args = Args::Parse(argv, {}, {});
  if (!args.ok()) return UsageError(cmd, args.status().message());
  if (args->positional().size() != nargs + 1) return UsageError(cmd, "expected " + expected);
  auto store = OpenStore(args->positional()[0], false);
  if (!store.ok()) return Fail(cmd, store.status(), ErrorSource::kPool);
  std::vector<std::string> names(args->positional().begin() + 1, args->positional().end());
  auto line = change(**store, names);
  if (!line.ok()) return Fail(cmd, line.status(), ErrorSource::kStore);
  std::cerr << *line << "\n";
  return kExitOk;
}

int Drop(const std::vector<std::string>& argv) {
  return RunTableChange("drop", argv, 1, "POOL TABLE",
                        [](store::Store& s, const auto& names) -> Result<std::string> {
                          std::string what = Describe(s, names[0]);
                          QUIVER_RETURN_NOT_OK(s.DropTable(names[0]));
                          return "dropped table " + names[0] + what;
                        });
}

int Rename(const std::vector<std::string>& argv) {
  return RunTableChange("rename", argv, 2, "POOL FROM TO",
                        [](store::Store& s, const auto& names) -> Result<std::string> {
                          QUIVER_RETURN_NOT_OK(s.RenameTable(names[0], names[1]));
                          return "renamed table " + names[0] + " to " + names[1];
                        });
}

int Truncate(const std::vector<std::string>& argv) {
  return RunTableChange("truncate", argv, 1, "POOL TABLE",
                        [](store::Store& s, const auto& names) -> Result<std::string> {
                          std::string what = Describe(s, names[0]);
                          QUIVER_RETURN_NOT_OK(s.TruncateTable(names[0]));
                          return "truncated table " + names[0] + ", removed" + what;
                        });
}

int Compact(const std::vector<std::string>& argv) {
  const std::string cmd = "compact";
  auto args = Args::Parse(argv, {}, {"target-rows"});
  if (!args.ok()) return UsageError(cmd, args.status().message());
  const auto& pos = args->positional();
  if (pos.empty() || pos.size() > 2) return UsageError(cmd, "expected POOL [TABLE]");
  int64_t target = 0;
  if (args->Has("target-rows")) {
    const std::string v = args->Get("target-rows");
    char* end = nullptr;
    long long n = std::strtoll(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || n <= 0) {
      return UsageError(cmd, "--target-rows needs a positive integer, not \"" + v + "\"");
    }
    target = n;
  }
  auto store = OpenStore(pos[0], false);
  if (!store.ok()) return Fail(cmd, store.status(), ErrorSource::kPool);
  const std::string table = pos.size() == 2 ? pos[1] : "";
  if (!table.empty()) {
    // Name an unknown table the same way every other command does.
    auto snap = (*store)->GetSnapshot();
    if (!snap.ok()) return Fail(cmd, snap.status(), ErrorSource::kStore);
    auto t = (*snap)->table(table);
    if (!t.ok()) return Fail(cmd, t.status(), ErrorSource::kStore);
  }
  auto r = (*store)->Compact(table, target);
  if (!r.ok()) return Fail(cmd, r.status(), ErrorSource::kStore);
  if (r->txn == 0) {
    std::cerr << "nothing to compact" << (table.empty() ? "" : " in table " + table) << "\n";
  } else {
    std::cerr << "compacted " << r->tables << (r->tables == 1 ? " table" : " tables") << ": "
              << r->chunks_before << " chunks -> " << r->chunks_after << " (txn " << r->txn
              << ")\n";
  }
  return kExitOk;
}

const bool kRegistered = [] {
  Register({"drop", "drop a table",
            "Usage: quiver drop POOL TABLE\n\n"
            "Removes TABLE and its data in one transaction. Readers that hold a snapshot\n"
            "keep seeing it; its space is reused once they let go. Needs the writer lock.\n"
            "Exit 2 if there is no such table.\n",
            Drop});
  Register({"rename", "rename a table",
            "Usage: quiver rename POOL FROM TO\n\n"
            "Renames table FROM to TO (letters, digits and underscores, not starting with\n"
            "a digit, at most 128 characters). Exit 2 if FROM does not exist or TO does.\n",
            Rename});
  Register({"truncate", "remove every row of a table, keeping its schema",
            "Usage: quiver truncate POOL TABLE\n\n"
            "Empties TABLE in one transaction; the schema stays. Exit 2 if there is no\n"
            "such table.\n",
            Truncate});
  Register({"compact", "merge a table's small chunks",
            "Usage: quiver compact POOL [TABLE] [--target-rows N]\n\n"
            "Merges runs of adjacent chunks smaller than N rows (default: the store's chunk\n"
            "size) into chunks of about N rows, in every table or only in TABLE, in one\n"
            "transaction. Values, order and statistics are unchanged; the old chunks' space\n"
            "is reused once no reader pins them.\n",
            Compact});
  return true;
}();

}  // namespace
}  // namespace quiver::cli
