// Append bodies, read by the one ingest path (store/ingest.h).
#include "store/ingest.h"

#include "http/ingest_internal.h"

namespace quiver::http {

Result<ParsedRows> ParseRowsBody(const std::string& media, const std::string& body,
                                 std::shared_ptr<const Schema> table_schema) {
  QUIVER_ASSIGN_OR_RETURN(store::InputFormat format, store::InputFormatFromMediaType(media));
  if (!table_schema && format != store::InputFormat::kArrow &&
      format != store::InputFormat::kParquet) {
    return Status::NotFound("the table does not exist (create it first)");
  }
  QUIVER_ASSIGN_OR_RETURN(auto in, store::InputReader::FromBytes("body", body));
  store::InputOptions o;
  o.format = format;
  o.table_schema = table_schema;
  o.num_threads = 1;
  ParsedRows out;
  TextCallbacks cb;
  cb.on_schema = [&](const std::shared_ptr<const Schema>& s) {
    out.schema = s;
    return Status::OK();
  };
  cb.on_batch = [&](RecordBatch b) {
    out.batches.push_back(std::move(b));
    return Status::OK();
  };
  QUIVER_RETURN_NOT_OK(store::ReadInput(*in, o, cb, nullptr));
  if (table_schema) out.schema = table_schema;
  return out;
}

}  // namespace quiver::http
