// The quiver admin tool: shared pieces of its subcommands.
//
// Conventions (a well-made Unix tool): data on stdout, messages on stderr,
// `--help` on every subcommand, exit codes 0 ok, 1 usage, 2 data error,
// 3 pool error.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "config/status.h"

namespace quiver::cli {

enum ExitCode { kExitOk = 0, kExitUsage = 1, kExitData = 2, kExitPool = 3 };

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

// Prints "quiver <cmd>: <message>" on stderr and returns the exit code that
// fits the status: usage for invalid arguments, pool for pool errors, data
// otherwise.
int Fail(const std::string& cmd, const Status& s);
int UsageError(const std::string& cmd, const std::string& message);
// Time for people: "2026-11-23 09:12:01 UTC".
std::string FormatTime(uint64_t ns);
// True when stderr is a terminal (progress output goes there).
bool StderrIsTerminal();

}  // namespace quiver::cli
