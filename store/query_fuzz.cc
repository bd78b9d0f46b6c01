// libFuzzer target for the query engine: the same bytes go to the SQL
// parser, the filter and list parsers and the JSON parser, and every query
// that parses is bound and executed against a small table `t` (columns a..u
// below, 200 rows with NULLs) in a pool made once per process. Beyond "no
// crash, no sanitizer report", every query the SQL parser accepts must print
// with ToSql to text that parses back to the same query, and print with
// ToJson to JSON that parses. Built only with -DQUIVER_FUZZ=ON and clang
// (see store/CMakeLists.txt); tests/columnar/run_fuzz.sh runs it in CI:
//   build-fuzz/store/query_fuzz -max_len=4096 tests/store/query_fuzz_corpus
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "columnar/builder.h"
#include "columnar/types.h"
#include "store/exec.h"
#include "store/query.h"
#include "store/query_bind.h"
#include "store/store.h"

namespace {

const quiver::Schema& FuzzSchema() {
  static const quiver::Schema* schema = [] {
    using quiver::DataType;
    using quiver::TypeId;
    std::vector<quiver::Field> fields;
    auto add = [&](const char* name, DataType t) {
      quiver::Field f;
      f.name = name;
      f.type = std::move(t);
      fields.push_back(std::move(f));
    };
    add("a", DataType(TypeId::kInt64));
    add("b", DataType(TypeId::kUtf8));
    add("c", DataType(TypeId::kFloat32));
    add("d", DataType(TypeId::kDate32));
    add("t", DataType::Timestamp(quiver::TimeUnit::kNano));
    add("f", DataType(TypeId::kBool));
    add("u", DataType(TypeId::kUInt8));
    return new quiver::Schema(std::move(fields));
  }();
  return *schema;
}

// The table every parsed query runs against: a pool in a fresh temporary
// directory, made on first use (removed when the process exits).
quiver::store::Store* FuzzStore() {
  static quiver::store::Store* store = [] {
    char dir[] = "/tmp/quiver-query-fuzz-XXXXXX";
    if (mkdtemp(dir) == nullptr) std::abort();
    const std::string path = std::string(dir) + "/fuzz.pool";
    auto s = quiver::store::Store::Create(path, 64ull << 20);
    if (!s.ok()) std::abort();
    auto schema = std::make_shared<const quiver::Schema>(FuzzSchema());
    if (!(*s)->CreateTable("t", *schema).ok()) std::abort();
    quiver::RecordBatchBuilder b(schema);
    const char* words[] = {"", "x", "apple", "Äpfel", "a%b_c", "zzz"};
    for (int i = 0; i < 200; ++i) {
      auto cell = [&](size_t c) -> quiver::ArrayBuilder& { return b.column(c); };
      if (i % 17 == 3) {
        for (size_t c = 0; c < 7; ++c) cell(c).AppendNull();
        continue;
      }
      cell(0).AppendInt(i % 7 == 0 ? INT64_MAX - i : (i * 37) % 101 - 50);
      cell(1).AppendString(words[i % 6]);
      cell(2).AppendDouble(i % 11 == 0 ? 0.0 / 0.0 : i * 0.25 - 10);
      cell(3).AppendInt(18000 + i * 13);
      cell(4).AppendInt(int64_t(i) * 3600000000000LL);
      cell(5).AppendBool(i % 3 == 0);
      cell(6).AppendUInt(uint64_t(i % 256));
    }
    auto batch = b.Finish();
    if (!batch.ok() || !(*s)->Write("t", {*batch}).ok()) std::abort();
    std::atexit([] { std::system("rm -rf /tmp/quiver-query-fuzz-*"); });
    return s->release();
  }();
  return store;
}

void Execute(const quiver::query::Query& q) {
  auto snap = FuzzStore()->GetSnapshot();
  if (!snap.ok()) std::abort();
  quiver::store::QueryOptions options;
  options.threads = 1;
  options.max_rows = 10000;
  quiver::store::ExecuteQuery(*snap, q, options).status().IgnoreError();
}

void CheckRoundTrip(const quiver::query::Query& q) {
  const std::string text = quiver::query::ToSql(q);
  auto again = quiver::query::ParseSql(text);
  if (q.table.empty()) return;  // FROM "" does not parse; documented
  if (!again.ok() || !(*again == q)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  namespace q = quiver::query;

  auto sql = q::ParseSql(text);
  if (sql.ok()) {
    CheckRoundTrip(*sql);
    // The JSON spelling must read back (equality may fail only where
    // invalid UTF-8 was replaced).
    if (!q::ParseJsonQuery(q::ToJson(*sql)).ok()) std::abort();
    q::Bind(*sql, FuzzSchema()).status().IgnoreError();
    Execute(*sql);
  }
  auto filter = q::ParseFilter(text);
  if (filter.ok()) {
    q::BindFilter(**filter, FuzzSchema(), "fuzz").status().IgnoreError();
  }
  q::ParseOrderBy(text).status().IgnoreError();
  q::ParseSelectList(text).status().IgnoreError();
  q::ParseColumnList(text).status().IgnoreError();

  auto json = q::ParseJsonQuery(text);
  if (json.ok()) {
    CheckRoundTrip(*json);
    q::Bind(*json, FuzzSchema()).status().IgnoreError();
    Execute(*json);
  }
  // Literal parsers see raw bytes too.
  q::ParseTimestampLiteral(text, quiver::TimeUnit::kNano).status().IgnoreError();
  q::LikeMatch(text.substr(0, size / 2), text.substr(size / 2));
  return 0;
}
