// Append bodies: NDJSON, CSV/TSV (columnar/ndjson.h, csv.h) and Arrow IPC.
#include "http/ingest_internal.h"

#include "columnar/csv.h"
#include "columnar/ipc.h"
#include "columnar/ndjson.h"
#include "columnar/schema.h"

namespace quiver::http {

Result<ParsedRows> ParseRowsBody(const std::string& media, const std::string& body,
                                 std::shared_ptr<const Schema> table_schema) {
  ParsedRows out;
  if (media == "application/vnd.apache.arrow.stream" || media == "application/vnd.apache.arrow.file") {
    // The batches share ownership of this copy of the body.
    auto bytes = std::make_shared<const std::string>(body);
    QUIVER_ASSIGN_OR_RETURN(IpcTable t, ReadIpc(bytes));
    if (table_schema && !SchemaEquals(*table_schema, *t.schema, /*check_metadata=*/false)) {
      return Status::TypeError("the Arrow body's schema " + SchemaToDatashape(*t.schema) +
                               " differs from the table's " + SchemaToDatashape(*table_schema));
    }
    out.schema = table_schema ? table_schema : t.schema;
    for (RecordBatch& b : t.batches) {
      if (b.num_rows == 0) continue;
      b.schema = out.schema;
      out.batches.push_back(std::move(b));
    }
    return out;
  }
  if (!table_schema) return Status::NotFound("the table does not exist (create it first)");
  TextTable t;
  if (media == "application/x-ndjson" || media == "application/ndjson" ||
      media == "application/jsonl" || media == "application/json-seq") {
    NdjsonOptions o;
    o.source_name = "body";
    o.num_threads = 1;
    QUIVER_ASSIGN_OR_RETURN(t, ReadNdjson(body, o, table_schema));
  } else if (media == "text/csv" || media == "text/tab-separated-values") {
    CsvOptions o;
    o.source_name = "body";
    o.num_threads = 1;
    if (media != "text/csv") o.delimiter = '\t';
    QUIVER_ASSIGN_OR_RETURN(t, ReadCsv(body, o, table_schema));
  } else {
    return Status::NotSupported(
        "rows are sent as application/x-ndjson, text/csv, text/tab-separated-values or "
        "application/vnd.apache.arrow.stream, not \"" + media + "\"");
  }
  out.schema = table_schema;
  for (RecordBatch& b : t.batches) {
    if (b.num_rows > 0) out.batches.push_back(std::move(b));
  }
  return out;
}

}  // namespace quiver::http
