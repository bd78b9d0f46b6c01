// Interop with a real Arrow implementation: apache-arrow (npm), run through
// node with the packages that tools/node/install.sh puts in .deps/node.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "columnar/builder.h"
#include "columnar/ipc.h"
#include "columnar_test_util.h"
#include "test_util.h"

using namespace quiver;
using quiver::testing::AllTypesBatch;
using quiver::testing::AllTypesSchema;
using quiver::testing::BatchesJson;

namespace {

std::string RepoRoot() {
  std::string f = __FILE__;  // <root>/tests/columnar/interop_test.cc
  for (int i = 0; i < 3; ++i) f = f.substr(0, f.find_last_of('/'));
  return f;
}

bool Exists(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0;
}

std::string NodeModules() { return RepoRoot() + "/.deps/node/node_modules"; }

// True when node and apache-arrow are installed; otherwise warns once.
bool NodeAvailable() {
  if (Exists(NodeModules() + "/apache-arrow/package.json") && std::system("node --version > /dev/null 2>&1") == 0) {
    return true;
  }
  WARN("SKIPPED: apache-arrow is not installed in " + NodeModules() +
       "; run tools/node/install.sh to enable the interop tests");
  return false;
}

// Runs a node script from tools/node; returns its stdout, fails the test on
// a non-zero exit.
std::string RunNode(const std::string& script, const std::string& arg, const std::string& out_file) {
  std::string cmd = "NODE_PATH='" + NodeModules() + "' node '" + RepoRoot() + "/tools/node/" + script + "' '" +
                    arg + "' > '" + out_file + "' 2> '" + out_file + ".err'";
  int rc = std::system(cmd.c_str());
  std::string out = quiver::testing::ReadFileBytes(out_file);
  INFO("command: " << cmd << "\nstderr: " << quiver::testing::ReadFileBytes(out_file + ".err"));
  REQUIRE(rc == 0);
  return out;
}

std::vector<RecordBatch> Batches() {
  return {AllTypesBatch(0, 100), AllTypesBatch(100, 0), AllTypesBatch(100, 77),
          SliceBatch(AllTypesBatch(0, 64), 3, 41).value()};
}

void CheckNodeReads(const std::string& path, const Schema& schema, const std::vector<RecordBatch>& batches,
                    const std::string& out_file) {
  auto got = nlohmann::json::parse(RunNode("read_ipc.js", path, out_file));
  CHECK(got["schema_metadata"] == nlohmann::json({{"source", "quiver-test"}}));
  CHECK(got["field_metadata"][4] == nlohmann::json({{"unit", "cents"}}));
  got.erase("schema_metadata");
  got.erase("field_metadata");
  nlohmann::json want = BatchesJson(schema, batches);
  REQUIRE(got["schema"] == want["schema"]);
  REQUIRE(got["batches"].size() == want["batches"].size());
  for (size_t b = 0; b < want["batches"].size(); ++b) {
    for (size_t c = 0; c < want["schema"].size(); ++c) {
      INFO("batch " << b << " column " << want["schema"][c]["name"]);
      CHECK(got["batches"][b]["columns"][c] == want["batches"][b]["columns"][c]);
    }
  }
}

}  // namespace

TEST_CASE("apache-arrow reads every value of an IPC stream written by Quiver", "[columnar]") {
  if (!NodeAvailable()) return;
  quiver::testing::TempDir dir;
  auto batches = Batches();
  quiver::testing::WriteFileBytes(dir.file("q.arrows"), WriteIpcStream(*AllTypesSchema(), batches).value());
  CheckNodeReads(dir.file("q.arrows"), *AllTypesSchema(), batches, dir.file("out.json"));
}

TEST_CASE("apache-arrow reads every value of an IPC file written by Quiver", "[columnar]") {
  if (!NodeAvailable()) return;
  quiver::testing::TempDir dir;
  auto batches = Batches();
  quiver::testing::WriteFileBytes(dir.file("q.arrow"), WriteIpcFile(*AllTypesSchema(), batches).value());
  CheckNodeReads(dir.file("q.arrow"), *AllTypesSchema(), batches, dir.file("out.json"));
}

TEST_CASE("apache-arrow reads a stream made of a schema message and stored chunks", "[columnar]") {
  if (!NodeAvailable()) return;
  quiver::testing::TempDir dir;
  auto batches = Batches();
  std::string bytes = SchemaMessage(*AllTypesSchema()).value();
  for (const auto& b : batches) bytes += EncodeChunk(b).value();
  bytes += EndOfStreamMarker();
  quiver::testing::WriteFileBytes(dir.file("chunks.arrows"), bytes);
  CheckNodeReads(dir.file("chunks.arrows"), *AllTypesSchema(), batches, dir.file("out.json"));
}

TEST_CASE("Quiver reads every value of IPC streams and files written by apache-arrow", "[columnar]") {
  if (!NodeAvailable()) return;
  quiver::testing::TempDir dir;
  RunNode("write_ipc.js", dir.path(), dir.file("log.txt"));
  auto want = nlohmann::json::parse(quiver::testing::ReadFileBytes(dir.file("expected.json")));
  for (const char* name : {"stream.arrows", "file.arrow"}) {
    INFO(name);
    auto bytes = std::make_shared<const std::string>(quiver::testing::ReadFileBytes(dir.file(name)));
    auto t = ReadIpc(bytes);
    REQUIRE(t.ok());
    CHECK(t->schema->metadata().at(0).value == "apache-arrow");
    CHECK(t->schema->field(4).metadata.at(0).value == "cents");
    nlohmann::json got = BatchesJson(*t->schema, t->batches);
    REQUIRE(got["schema"] == want["schema"]);
    REQUIRE(got["batches"].size() == want["batches"].size());
    for (size_t b = 0; b < want["batches"].size(); ++b) {
      for (size_t c = 0; c < want["schema"].size(); ++c) {
        INFO("batch " << b << " column " << want["schema"][c]["name"]);
        CHECK(got["batches"][b]["columns"][c] == want["batches"][b]["columns"][c]);
      }
    }
    // Chunks re-encoded from foreign batches open again.
    for (const auto& batch : t->batches) {
      auto chunk = std::make_shared<std::string>(EncodeChunk(batch).value());
      auto back = OpenChunk(t->schema, reinterpret_cast<const uint8_t*>(chunk->data()), int64_t(chunk->size()), chunk);
      REQUIRE(back.ok());
      CHECK(BatchesJson(*t->schema, {*back}) == BatchesJson(*t->schema, {batch}));
    }
  }
}
