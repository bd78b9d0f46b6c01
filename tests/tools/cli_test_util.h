// Helpers shared by the tests that run the real quiver binary (QUIVER_CLI).
#pragma once

#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <string>

namespace quiver::testing {

struct ShellRun {
  int code;         // exit code, or -1 when killed by a signal
  std::string out;  // what the command wrote to stdout
};

// Runs `cmd` with /bin/sh and collects its stdout.
inline ShellRun RunShell(const std::string& cmd) {
  FILE* p = popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int st = pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

// Runs `quiver ARGS` (a shell-quoted string); stdout and stderr together.
inline ShellRun Quiver(const std::string& args) {
  return RunShell(std::string(QUIVER_CLI) + " " + args + " 2>&1");
}

}  // namespace quiver::testing
