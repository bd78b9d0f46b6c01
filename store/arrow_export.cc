// The unfiltered Arrow export of store/arrow_export.h.
#include "store/arrow_export.h"

namespace quiver::store {

Status WriteArrowStream(const TableView& table, OutputSink* sink,
                        const std::function<Status(size_t chunk)>& after_chunk) {
  QUIVER_ASSIGN_OR_RETURN(auto w, StreamWriter::Open(sink, table.schema()));
  for (size_t i = 0; i < table.num_chunks(); ++i) {
    QUIVER_ASSIGN_OR_RETURN(auto bytes, table.ChunkBytes(i));
    QUIVER_RETURN_NOT_OK(w->WriteChunk(bytes.first, int64_t(bytes.second)));
    if (after_chunk) QUIVER_RETURN_NOT_OK(after_chunk(i));
  }
  return w->Close();
}

}  // namespace quiver::store
