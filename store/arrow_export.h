// The unfiltered Arrow export of a table: an Arrow IPC stream made of the
// schema message, each chunk's bytes as they lie in the pool (no decoding,
// no re-encoding) and the end-of-stream marker. The one place that builds
// it: `quiver export` writes it with WriteArrowStream, quiverd pulls it piece
// by piece (ArrowStreamParts) so that each chunk goes to the socket straight
// from the mapping.
//
// Thread-safe as far as its arguments are: the table view (and the snapshot
// that holds it) must stay alive while the parts are used.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "columnar/ipc.h"
#include "config/status.h"
#include "store/store.h"

namespace quiver::store {

// The stream's pieces in order. Chunk pieces point into the mapping.
class ArrowStreamParts {
 public:
  static Result<ArrowStreamParts> Make(const TableView& table);
  // The next piece, or nullopt after the end-of-stream marker.
  Result<std::optional<std::string_view>> Next();
  // Chunks handed out so far.
  size_t chunks_done() const { return next_chunk_; }

 private:
  const TableView* table_ = nullptr;
  std::string schema_message_, end_;
  enum class Stage { kSchema, kChunks, kEnd, kDone } stage_ = Stage::kSchema;
  size_t next_chunk_ = 0;
};

// Writes the stream to `sink`. `after_chunk(i)`, if set, is called after
// chunk i is written (progress; returning an error, e.g. Cancelled, stops the
// export with it, without the end-of-stream marker).
Status WriteArrowStream(const TableView& table, OutputSink* sink,
                        const std::function<Status(size_t chunk)>& after_chunk = {});

}  // namespace quiver::store
