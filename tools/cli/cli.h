// The quiver admin tool: shared pieces of its subcommands.
//
// Conventions (a well-made Unix tool): data on stdout, messages on stderr,
// `--help` on every subcommand, exit codes 0 ok, 1 usage, 2 data error,
// 3 pool error, 130 interrupted (ExitCodeFor is the one table).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "config/status.h"

namespace quiver::cli {

enum ExitCode {
  kExitOk = 0,
  kExitUsage = 1,
  kExitData = 2,
  kExitPool = 3,
  kExitInterrupted = 130,  // 128 + SIGINT, as shells report it
};

// Where a failed operation sits; with the status code it decides the exit
// code (ExitCodeFor).
enum class ErrorSource {
  kUsage,  // the command line (an option, an argument)
  kPool,   // creating, opening, growing or committing to the pool file
  kStore,  // reading or changing tables in an open pool
  kInput,  // the data given to the command (an ingest file, stdin)
};

// Parsed command line of one subcommand: positionals and --options.
class Args {
 public:
  // `flags` are options that take no value; every other --name takes one
  // (as --name=value or --name value).
  static Result<Args> Parse(const std::vector<std::string>& argv,
                            const std::vector<std::string>& flags,
                            const std::vector<std::string>& options);
  const std::vector<std::string>& positional() const { return positional_; }
  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  std::string Get(const std::string& name, const std::string& fallback = "") const {
    auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
  }

 private:
  std::vector<std::string> positional_;
  std::map<std::string, std::string> values_;
};

struct Command {
  std::string name;     // e.g. "pool create"
  std::string summary;  // one line for the command list
  std::string usage;    // full --help text
  std::function<int(const std::vector<std::string>& args)> run;
};

// Registry filled by each *_commands.cc file.
std::vector<Command>& Commands();
bool Register(Command c);

// The one table from an error to the exit code:
//   Cancelled (a signal)                               130 whatever the source
//   kUsage                                             1
//   kPool                                              3 (missing, not a
//          pool, damaged, locked, exists, a capacity it refuses)
//   kStore: IOError, Corruption, Locked, OutOfSpace, PermissionDenied 3;
//          anything else (unknown table or column, bad query, name taken) 2
//   kInput: 2 (bad, damaged or unreadable input)
int ExitCodeFor(const Status& s, ErrorSource source);
// Prints "quiver <cmd>: <message>" on stderr and returns ExitCodeFor.
int Fail(const std::string& cmd, const Status& s, ErrorSource source);
int UsageError(const std::string& cmd, const std::string& message);
// Time for people: "2026-11-23 09:12:01 UTC".
std::string FormatTime(uint64_t ns);
// True when stderr is a terminal (progress output goes there).
bool StderrIsTerminal();

}  // namespace quiver::cli
