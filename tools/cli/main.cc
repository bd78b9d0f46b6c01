#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <iostream>

#include "config/allocator.h"
#include "tools/cli/cli.h"

namespace quiver::cli {

std::vector<Command>& Commands() {
  static std::vector<Command> commands;
  return commands;
}

bool Register(Command c) {
  Commands().push_back(std::move(c));
  return true;
}

Result<Args> Args::Parse(const std::vector<std::string>& argv,
                         const std::vector<std::string>& flags,
                         const std::vector<std::string>& options) {
  Args a;
  auto known = [](const std::vector<std::string>& v, const std::string& n) {
    return std::find(v.begin(), v.end(), n) != v.end();
  };
  bool only_positional = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& s = argv[i];
    if (only_positional || s.size() < 2 || s[0] != '-' || s == "-") {
      a.positional_.push_back(s);
      continue;
    }
    if (s == "--") {
      only_positional = true;
      continue;
    }
    std::string name = s.substr(s[1] == '-' ? 2 : 1);
    std::string value;
    bool has_value = false;
    auto eq = name.find('=');
    if (eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    if (known(flags, name)) {
      if (has_value) return Status::Invalid("option --" + name + " takes no value");
      a.values_[name] = "1";
    } else if (known(options, name)) {
      if (!has_value) {
        if (i + 1 >= argv.size()) return Status::Invalid("option --" + name + " needs a value");
        value = argv[++i];
      }
      a.values_[name] = value;
    } else {
      return Status::Invalid("unknown option " + s);
    }
  }
  return a;
}

int ExitCodeFor(const Status& s, ErrorSource source) {
  if (s.ok()) return kExitOk;
  if (s.code() == StatusCode::kCancelled) return kExitInterrupted;
  switch (source) {
    case ErrorSource::kUsage:
      return kExitUsage;
    case ErrorSource::kPool:
      return kExitPool;
    case ErrorSource::kInput:
      return kExitData;
    case ErrorSource::kStore:
      break;
  }
  switch (s.code()) {
    case StatusCode::kCorruption:
    case StatusCode::kDataLoss:
    case StatusCode::kLocked:
    case StatusCode::kOutOfSpace:
    case StatusCode::kIOError:
    case StatusCode::kPermissionDenied:
      return kExitPool;
    default:
      return kExitData;
  }
}

int Fail(const std::string& cmd, const Status& s, ErrorSource source) {
  std::cerr << "quiver " << cmd << ": " << s.message() << "\n";
  return ExitCodeFor(s, source);
}

int UsageError(const std::string& cmd, const std::string& message) {
  std::cerr << "quiver " << cmd << ": " << message << "\n(see: quiver " << cmd << " --help)\n";
  return kExitUsage;
}

std::string FormatTime(uint64_t ns) {
  time_t t = time_t(ns / 1000000000ull);
  tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

bool StderrIsTerminal() { return isatty(STDERR_FILENO) == 1; }

namespace {
void PrintOverview() {
  std::cout << "quiver: the admin tool of Quiver, a persistent-memory columnar store\n\n"
               "Usage: quiver <command> [arguments] [--help]\n\nCommands:\n";
  for (const Command& c : Commands()) {
    std::printf("  %-16s %s\n", c.name.c_str(), c.summary.c_str());
  }
  std::cout << "\nExit codes: 0 ok, 1 usage error, 2 data error, 3 pool error, 130 interrupted.\n";
}
}  // namespace

}  // namespace quiver::cli

int main(int argc, char** argv) {
  quiver::TuneAllocator();
  using namespace quiver::cli;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    PrintOverview();
    return args.empty() ? kExitUsage : kExitOk;
  }
  if (args[0] == "--version") {
    std::cout << "quiver 0.1.0 (pool format 1)\n";
    return kExitOk;
  }
  // Longest matching command name ("pool create" before "pool").
  const Command* best = nullptr;
  size_t best_words = 0;
  for (const Command& c : Commands()) {
    std::vector<std::string> words;
    size_t start = 0;
    while (start <= c.name.size()) {
      size_t sp = c.name.find(' ', start);
      if (sp == std::string::npos) sp = c.name.size();
      words.push_back(c.name.substr(start, sp - start));
      start = sp + 1;
    }
    if (words.size() > args.size()) continue;
    if (!std::equal(words.begin(), words.end(), args.begin())) continue;
    if (words.size() > best_words) {
      best = &c;
      best_words = words.size();
    }
  }
  if (best == nullptr) {
    std::cerr << "quiver: unknown command \"" << args[0] << "\"\n\n";
    PrintOverview();
    return kExitUsage;
  }
  std::vector<std::string> rest(args.begin() + long(best_words), args.end());
  for (const std::string& a : rest) {
    if (a == "--help" || a == "-h") {
      std::cout << best->usage;
      return kExitOk;
    }
  }
  return best->run(rest);
}
