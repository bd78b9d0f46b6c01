// Request bodies of POST /v1/tables/{name}/rows into record batches.
// Private to http/.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "columnar/array.h"
#include "config/status.h"

namespace quiver::http {

struct ParsedRows {
  std::shared_ptr<const Schema> schema;
  std::vector<RecordBatch> batches;
};

// Parses `body` by its media type with the ingest path of store/ingest.h
// (gzip / zstd bodies are decompressed by their magic bytes): application/x-ndjson (or
// application/ndjson, application/jsonl), text/csv, text/tab-separated-values,
// application/vnd.apache.arrow.stream or .file. With `table_schema` the rows
// are read into it (an Arrow body must have that schema); without, Arrow
// bodies bring their own. NotSupported for another media type.
Result<ParsedRows> ParseRowsBody(const std::string& media_type, const std::string& body,
                                 std::shared_ptr<const Schema> table_schema);

}  // namespace quiver::http
