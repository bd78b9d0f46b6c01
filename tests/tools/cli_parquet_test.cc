// quiver ingest and quiver export with Parquet files, run as the real binary.
#include <catch2/catch.hpp>

#include "columnar/builder.h"
#include "columnar/parquet/reader.h"
#include "columnar/parquet/writer.h"
#include "columnar/schema_spec.h"
#include "cli_test_util.h"
#include "test_util.h"

using namespace quiver;
using quiver::testing::Quiver;
using quiver::testing::ShellRun;
using quiver::testing::TempDir;
using quiver::testing::WriteFileBytes;

namespace {

std::shared_ptr<const Schema> Schema3() {
  return std::make_shared<Schema>(*ParseSchemaSpec("x:int32,s:dictionary<int32, utf8>,f:float64"));
}

RecordBatch Rows(int64_t start, int64_t n) {
  RecordBatchBuilder b(Schema3());
  for (int64_t i = start; i < start + n; ++i) {
    b.column(0).AppendInt(i);
    if (i % 3 == 1) {
      b.column(1).AppendNull();
    } else {
      b.column(1).AppendString(i % 2 ? "odd" : "even");
    }
    b.column(2).AppendDouble(double(i) / 4);
  }
  return b.Finish().value();
}

std::string Csv(const std::string& pool, const std::string& sql) {
  ShellRun r = Quiver("sql " + pool + " \"" + sql + "\" --format csv");
  INFO(r.out);
  REQUIRE(r.code == 0);
  return r.out;
}

}  // namespace

TEST_CASE("quiver ingest reads Parquet (by extension or magic) and export writes it", "[tools][parquet]") {
  TempDir dir;
  const std::string pool = dir.file("pool");
  REQUIRE(Quiver("pool create " + pool + " --size 256M").code == 0);
  WriteFileBytes(dir.file("a.parquet"), parquet::WriteParquet(Schema3(), {Rows(0, 4)}).value());
  WriteFileBytes(dir.file("b.bin"), parquet::WriteParquet(Schema3(), {Rows(4, 2)}).value());

  ShellRun r = Quiver("ingest " + pool + " t " + dir.file("a.parquet"));
  INFO(r.out);
  REQUIRE(r.code == 0);
  r = Quiver("ingest " + pool + " t " + dir.file("b.bin") + " --append");
  REQUIRE(r.code == 0);
  const std::string want = "x,s,f\n0,even,0.0\n1,,0.25\n2,even,0.5\n3,odd,0.75\n4,,1.0\n5,odd,1.25\n";
  CHECK(Csv(pool, "select * from t order by x") == want);
  ShellRun schema = Quiver("schema " + pool + " t");
  CHECK(schema.out.find("dictionary<int32, utf8>") != std::string::npos);

  // A Parquet file with other types cannot be appended; --schema does not apply.
  auto other = std::make_shared<Schema>(*ParseSchemaSpec("x:int64"));
  RecordBatchBuilder ob(other);
  ob.column(0).AppendInt(1);
  WriteFileBytes(dir.file("o.parquet"), parquet::WriteParquet(other, {ob.Finish().value()}).value());
  r = Quiver("ingest " + pool + " t " + dir.file("o.parquet") + " --append");
  CHECK(r.code == 2);
  CHECK(r.out.find("field \"x\" of " + dir.file("o.parquet") + " is int64, but table \"t\" stores int32") !=
        std::string::npos);
  r = Quiver("ingest " + pool + " u " + dir.file("o.parquet") + " --schema x:int32");
  CHECK(r.code == 1);
  CHECK(r.out.find("--schema does not apply to Parquet input") != std::string::npos);
  // Damaged: the file and what is wrong are named, nothing is written.
  std::string cut = parquet::WriteParquet(Schema3(), {Rows(0, 4)}).value();
  WriteFileBytes(dir.file("cut.parquet"), cut.substr(0, cut.size() - 10));
  r = Quiver("ingest " + pool + " t " + dir.file("cut.parquet") + " --append");
  CHECK(r.code == 2);
  CHECK(r.out.find(dir.file("cut.parquet") + ": truncated or damaged Parquet file") != std::string::npos);
  CHECK(Csv(pool, "select count(*) from t") == "count(*)\n6\n");

  // Export: whole table and a query, every codec named; read back exactly.
  for (const char* codec : {"zstd", "snappy", "gzip", "none"}) {
    const std::string out = dir.file(std::string("out-") + codec + ".parquet");
    r = Quiver("export " + pool + " t -o " + out + " --compression " + codec + " --quiet");
    INFO(r.out);
    REQUIRE(r.code == 0);
    REQUIRE(Quiver("ingest " + pool + " " + codec + " " + out).code == 0);
    CHECK(Csv(pool, std::string("select * from ") + codec + " order by x") == want);
  }
  r = Quiver("export " + pool + " t -o " + dir.file("w.out") + " --format parquet --where \"x > 3\" --quiet");
  REQUIRE(r.code == 0);
  REQUIRE(Quiver("ingest " + pool + " w " + dir.file("w.out") + " --format parquet").code == 0);
  CHECK(Csv(pool, "select x from w order by x") == "x\n4\n5\n");
  r = Quiver("export " + pool + " t -o " + dir.file("bad.parquet") + " --compression lzo");
  CHECK(r.code != 0);
  CHECK(r.out.find("unknown Parquet compression \"lzo\"") != std::string::npos);
}
