// libFuzzer target for the query front end: the same bytes go to the SQL
// parser, the filter and list parsers and the JSON parser. Beyond "no crash,
// no sanitizer report", every query the SQL parser accepts must print with
// ToSql to text that parses back to the same query, and print with ToJson
// to JSON that parses. Built only with
// -DQUIVER_FUZZ=ON and clang (see store/CMakeLists.txt):
//   build-fuzz/store/query_fuzz -max_len=4096 corpus/
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "columnar/types.h"
#include "store/query.h"
#include "store/query_bind.h"

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
  }
  // Literal parsers see raw bytes too.
  q::ParseTimestampLiteral(text, quiver::TimeUnit::kNano).status().IgnoreError();
  q::LikeMatch(text.substr(0, size / 2), text.substr(size / 2));
  return 0;
}
