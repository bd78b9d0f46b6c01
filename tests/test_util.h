// Helpers shared by Quiver's test suites: scratch directories, and child
// processes that run a role compiled into the same test binary.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

namespace quiver::testing {

// A fresh directory under $QUIVER_TEST_TMP (or /tmp), removed with its
// contents when the object goes out of scope.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A child role: a function the test binary runs instead of Catch2 when
// started as `<binary> --quiver-child NAME ARGS...`. Its return value is the
// exit code.
using ChildMain = std::function<int(const std::vector<std::string>& args)>;
bool RegisterChildRole(const std::string& name, ChildMain fn);
// Runs the role named argv[2] if argv[1] is --quiver-child; returns -1 if
// this process is not a child.
int MaybeRunChild(int argc, char** argv);

// Starts this test binary as a child running `role`. stdout of the child is
// connected to *out_fd (a pipe the caller reads) when out_fd is non-null, and
// its stdin to *in_fd (a pipe the caller writes) when in_fd is non-null.
pid_t SpawnChild(const std::string& role, const std::vector<std::string>& args,
                 int* out_fd = nullptr, int* in_fd = nullptr);
// Starts the program `path` with `args` (argv[0] is path). Its stdout goes
// to *out_fd (a pipe the caller reads) when out_fd is non-null, its stdin
// comes from *in_fd when in_fd is non-null, and its stderr goes to the file
// `stderr_file` (created) when that is not empty.
pid_t SpawnProgram(const std::string& path, const std::vector<std::string>& args,
                   int* out_fd = nullptr, int* in_fd = nullptr,
                   const std::string& stderr_file = "");
// Reads one '\n'-terminated line from fd (without the newline); false at EOF.
bool ReadLine(int fd, std::string* line);
// Waits for pid; returns the exit code, or 128+signal if it was killed.
int WaitChild(pid_t pid);

// An integer from the environment (test sizes, seeds), or `fallback`.
int EnvInt(const char* name, int fallback);

// Reads all of a file into a string (test assertions on bytes on disk).
std::string ReadFileBytes(const std::string& path);
void WriteFileBytes(const std::string& path, const std::string& bytes);

}  // namespace quiver::testing

#define QUIVER_CHILD_ROLE(name, fn)                                \
  static const bool QUIVER_CONCAT(_quiver_child_role_, __LINE__) = \
      ::quiver::testing::RegisterChildRole(name, fn)
#ifndef QUIVER_CONCAT
#define QUIVER_CONCAT_IMPL(a, b) a##b
#define QUIVER_CONCAT(a, b) QUIVER_CONCAT_IMPL(a, b)
#endif
