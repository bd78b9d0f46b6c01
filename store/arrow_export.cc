// The unfiltered Arrow export of store/arrow_export.h.
#include "store/arrow_export.h"

namespace quiver::store {

Result<ArrowStreamParts> ArrowStreamParts::Make(const TableView& table) {
  ArrowStreamParts p;
  p.table_ = &table;
  QUIVER_ASSIGN_OR_RETURN(p.schema_message_, SchemaMessage(*table.schema()));
  p.end_ = EndOfStreamMarker();
  for (const Field& f : table.schema()->fields()) {
    if (!f.type.large_offsets) continue;
    p.piece_ = std::make_unique<std::string>();
    p.sink_ = std::make_unique<StringSink>(p.piece_.get());
    QUIVER_ASSIGN_OR_RETURN(p.writer_, StreamWriter::Open(p.sink_.get(), table.schema()));
    p.piece_->clear();  // its schema message is schema_message_
    break;
  }
  return p;
}

Result<std::optional<std::string_view>> ArrowStreamParts::Next() {
  switch (stage_) {
    case Stage::kSchema:
      stage_ = Stage::kChunks;
      return std::optional<std::string_view>(schema_message_);
    case Stage::kChunks:
      if (next_chunk_ < table_->num_chunks()) {
        QUIVER_ASSIGN_OR_RETURN(auto bytes, table_->ChunkBytes(next_chunk_));
        ++next_chunk_;
        if (writer_ != nullptr) {
          piece_->clear();
          QUIVER_RETURN_NOT_OK(writer_->WriteChunk(bytes.first, int64_t(bytes.second)));
          return std::optional<std::string_view>(*piece_);
        }
        return std::optional<std::string_view>(
            std::string_view(reinterpret_cast<const char*>(bytes.first), size_t(bytes.second)));
      }
      stage_ = Stage::kEnd;
      [[fallthrough]];
    case Stage::kEnd:
      stage_ = Stage::kDone;
      return std::optional<std::string_view>(end_);
    case Stage::kDone:
      break;
  }
  return std::optional<std::string_view>();
}

Status WriteArrowStream(const TableView& table, OutputSink* sink,
                        const std::function<Status(size_t chunk)>& after_chunk) {
  QUIVER_ASSIGN_OR_RETURN(ArrowStreamParts parts, ArrowStreamParts::Make(table));
  size_t written_chunks = 0;
  for (;;) {
    QUIVER_ASSIGN_OR_RETURN(auto piece, parts.Next());
    if (!piece) return Status::OK();
    QUIVER_RETURN_NOT_OK(
        sink->Write(reinterpret_cast<const uint8_t*>(piece->data()), int64_t(piece->size())));
    if (parts.chunks_done() > written_chunks) {
      written_chunks = parts.chunks_done();
      if (after_chunk) QUIVER_RETURN_NOT_OK(after_chunk(written_chunks - 1));
    }
  }
}

}  // namespace quiver::store
