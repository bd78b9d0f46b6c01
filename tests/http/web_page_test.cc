// The web console at / in a real browser: the real quiverd serves a pool
// with a read token, and tools/node/web_page_check.js drives Debian's
// headless Chromium through puppeteer-core: browse a table, run a query,
// page through 5,000 rows, chart a GROUP BY, open a plan, an error at its
// line and column, cancel a slow query (the server's metrics count it), a
// narrow window. Each step is asserted on the DOM and leaves a screenshot in
// <build>/web_console/.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>

#include "columnar/builder.h"
#include "store/store.h"
#include "test_util.h"

using namespace quiver;
using quiver::testing::TempDir;

#ifdef QUIVERD_BIN
namespace {

// The repository root, from this file's path (<root>/tests/http/...).
std::string RepoRoot() {
  std::string root = __FILE__;
  for (int i = 0; i < 3; ++i) root = root.substr(0, root.find_last_of('/'));
  return root;
}

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char ch : s) {
    if (ch == '\'') out += "'\\''";
    else out += ch;
  }
  return out + "'";
}

// Table `trips`: id 0..4, fare (null for id 2), city (dictionary), note
// with a comma and a quote (and '' for id 4), and uint64 `big` = 2^63 + id,
// which a browser's JSON.parse would round. Table `big`: 5,000 rows of id,
// ts (a timestamp), city (six values) and fare. Table `texts`: 6,000 strings
// of 1,000 'a's, which a LIKE with a '_' after 499 'a's takes seconds over.
void MakePool(const std::string& path) {
  auto schema = std::make_shared<Schema>(std::vector<Field>{
      {"id", DataType(TypeId::kInt64), false, {}},
      {"fare", DataType(TypeId::kFloat64), true, {}},
      {"city", DataType::Dictionary(TypeId::kInt32), true, {}},
      {"note", DataType(TypeId::kUtf8), true, {}},
      {"big", DataType(TypeId::kUInt64), true, {}},
  });
  auto w = store::Store::Create(path, 64 << 20);
  REQUIRE(w.ok());
  REQUIRE((*w)->CreateTable("trips", *schema).ok());
  RecordBatchBuilder b(schema);
  for (int64_t i = 0; i < 5; ++i) {
    b.column(0).AppendInt(i);
    if (i == 2) b.column(1).AppendNull();
    else b.column(1).AppendDouble(double(i) + 0.25);
    b.column(2).AppendString(i % 2 ? "Oslo" : "Lyon");
    b.column(3).AppendString(i == 3 ? "a, \"quoted\" note" : i == 4 ? "" : "n" + std::to_string(i));
    b.column(4).AppendUInt((uint64_t(1) << 63) + uint64_t(i));
  }
  auto batch = b.Finish();
  REQUIRE(batch.ok());
  REQUIRE((*w)->Write("trips", {std::move(*batch)}).ok());

  auto big_schema = std::make_shared<Schema>(std::vector<Field>{
      {"id", DataType(TypeId::kInt64), false, {}},
      {"ts", DataType::Timestamp(TimeUnit::kMicro), false, {}},
      {"city", DataType::Dictionary(TypeId::kInt32), false, {}},
      {"fare", DataType(TypeId::kFloat64), false, {}},
  });
  REQUIRE((*w)->CreateTable("big", *big_schema).ok());
  RecordBatchBuilder bb(big_schema);
  const char* cities[] = {"Bergen", "Lyon", "Oslo", "Porto", "Riga", "Turku"};
  for (int64_t i = 0; i < 5000; ++i) {
    bb.column(0).AppendInt(i);
    bb.column(1).AppendInt(int64_t(1'700'000'000'000'000) + i * 60'000'000);
    bb.column(2).AppendString(cities[(i * 7) % 6]);
    bb.column(3).AppendDouble(double(i % 97) + 0.5);
  }
  auto big = bb.Finish();
  REQUIRE(big.ok());
  REQUIRE((*w)->Write("big", {std::move(*big)}).ok());

  auto text_schema =
      std::make_shared<Schema>(std::vector<Field>{{"s", DataType(TypeId::kUtf8), true, {}}});
  REQUIRE((*w)->CreateTable("texts", *text_schema).ok());
  RecordBatchBuilder tb(text_schema);
  for (int i = 0; i < 6000; ++i) tb.column(0).AppendString(std::string(1000, 'a'));
  auto texts = tb.Finish();
  REQUIRE(texts.ok());
  REQUIRE((*w)->Write("texts", {std::move(*texts)}).ok());
}

}  // namespace

TEST_CASE("The web console in headless Chromium: browse, query, page, chart, plan, error, cancel",
          "[http]") {
  const std::string root = RepoRoot();
  const std::string modules = root + "/.deps/node/node_modules";
  const char* env_chromium = std::getenv("QUIVER_CHROMIUM");
  const std::string chromium = env_chromium ? env_chromium : "/usr/bin/chromium";
  // CI installs both; a missing one is a failure, not a skip.
  if (access(chromium.c_str(), X_OK) != 0) {
    FAIL("Chromium is not installed at " << chromium << ": run tools/setup.sh (as root)");
  }
  if (access((modules + "/puppeteer-core/package.json").c_str(), R_OK) != 0 ||
      std::system("node --version > /dev/null 2>&1") != 0) {
    FAIL("node or npm puppeteer-core is missing in " << modules << ": run tools/setup.sh");
  }

  TempDir dir;
  std::string path = dir.file("web.pool");
  MakePool(path);
  const std::string token = "console-token-1";
  std::string config = dir.file("quiverd.json");
  quiver::testing::WriteFileBytes(
      config, R"({"read_token": ")" + token + R"(", "query_timeout_ms": 60000, "threads": 2})");
  const std::string shots = QUIVER_WEB_SHOTS;
  REQUIRE(std::system(("mkdir -p " + ShellQuote(shots)).c_str()) == 0);

  int out = -1;
  const pid_t pid = quiver::testing::SpawnProgram(
      QUIVERD_BIN, {"--pool", path, "--listen", "127.0.0.1:0", "--config", config}, &out);
  // quiverd prints its readiness line once the socket is bound.
  std::string line;
  bool ready = quiver::testing::ReadLine(out, &line);
  INFO("quiverd said: " << line);
  auto at = line.find("http://127.0.0.1:");
  int port = ready && at != std::string::npos ? std::stoi(line.substr(at + 17)) : -1;

  int rc = -1;
  if (port > 0) {
    // The expected cells: int64/uint64 exact, NULL for a null, '' apart
    // from it, floats as JS prints them. web_page_check.js gives up by
    // itself after 28 s; the outer timeout is a backstop.
    std::string sql = "SELECT id, fare, city, note, big FROM trips WHERE id >= 1 ORDER BY id DESC LIMIT 3";
    std::string expect =
        R"([["4","4.25","Lyon","","9223372036854775812"],)"
        R"(["3","3.25","Oslo","a, \"quoted\" note","9223372036854775811"],)"
        R"(["2","NULL","Lyon","n2","9223372036854775810"]])";
    std::string cmd = "NODE_PATH=" + ShellQuote(modules) + " QUIVER_CHROMIUM=" + ShellQuote(chromium) +
                      " timeout -k 5 60 node " + ShellQuote(root + "/tools/node/web_page_check.js") +
                      " --port " + std::to_string(port) + " --token " + ShellQuote(token) +
                      " --shots " + ShellQuote(shots) + " --sql " + ShellQuote(sql) +
                      " --expect " + ShellQuote(expect);
    INFO(cmd);
    int status = std::system(cmd.c_str());
    rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  }
  kill(pid, SIGTERM);
  int exit_code = quiver::testing::WaitChild(pid);
  close(out);
  REQUIRE(port > 0);
  CHECK(rc == 0);
  CHECK(exit_code == 0);
}
#endif
