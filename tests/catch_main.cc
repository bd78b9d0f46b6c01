#define CATCH_CONFIG_RUNNER
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "test_util.h"

namespace quiver::testing {
namespace {
std::map<std::string, ChildMain>& Roles() {
  static std::map<std::string, ChildMain> roles;
  return roles;
}
}  // namespace

TempDir::TempDir() {
  const char* base = std::getenv("QUIVER_TEST_TMP");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/quiver-test-XXXXXX";
  std::filesystem::create_directories(std::filesystem::path(tmpl).parent_path());
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + tmpl);
  path_ = buf.data();
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

bool RegisterChildRole(const std::string& name, ChildMain fn) {
  Roles()[name] = std::move(fn);
  return true;
}

int MaybeRunChild(int argc, char** argv) {
  if (argc < 3 || std::string(argv[1]) != "--quiver-child") return -1;
  auto it = Roles().find(argv[2]);
  if (it == Roles().end()) return 99;
  std::vector<std::string> args(argv + 3, argv + argc);
  return it->second(args);
}

pid_t SpawnProgram(const std::string& path, const std::vector<std::string>& args, int* out_fd,
                   int* in_fd, const std::string& stderr_file) {
  int fds[2] = {-1, -1};
  int ins[2] = {-1, -1};
  if (out_fd != nullptr && pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  if (in_fd != nullptr && pipe2(ins, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    if (out_fd != nullptr) dup2(fds[1], STDOUT_FILENO);
    if (in_fd != nullptr) dup2(ins[0], STDIN_FILENO);
    if (!stderr_file.empty()) {
      const int err = open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (err < 0) _exit(126);
      dup2(err, STDERR_FILENO);
    }
    std::vector<std::string> all = {path};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> cargv;
    for (auto& a : all) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    execv(path.c_str(), cargv.data());
    _exit(127);
  }
  if (out_fd != nullptr) {
    close(fds[1]);
    *out_fd = fds[0];
  }
  if (in_fd != nullptr) {
    close(ins[0]);
    *in_fd = ins[1];
  }
  return pid;
}

pid_t SpawnChild(const std::string& role, const std::vector<std::string>& args, int* out_fd,
                 int* in_fd) {
  std::vector<std::string> all = {"--quiver-child", role};
  all.insert(all.end(), args.begin(), args.end());
  return SpawnProgram("/proc/self/exe", all, out_fd, in_fd);
}

bool ReadLine(int fd, std::string* line) {
  line->clear();
  char c;
  for (;;) {
    ssize_t r = read(fd, &c, 1);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return !line->empty();
    if (c == '\n') return true;
    line->push_back(c);
  }
}

int WaitChild(pid_t pid) {
  int st = 0;
  while (waitpid(pid, &st, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  if (WIFEXITED(st)) return WEXITSTATUS(st);
  if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
  return -1;
}

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

std::string ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFileBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), std::streamsize(bytes.size()));
}

}  // namespace quiver::testing

int main(int argc, char** argv) {
  int rc = quiver::testing::MaybeRunChild(argc, argv);
  if (rc >= 0) return rc;
  return Catch::Session().run(argc, argv);
}
