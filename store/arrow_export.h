// The unfiltered Arrow export of a table: an Arrow IPC stream made of the
// schema message, each chunk's bytes as they lie in the pool (no decoding,
// no re-encoding) and the end-of-stream marker. Used by `quiver export` for
// a whole-table Arrow export; quiverd's unfiltered Arrow responses are the
// same stream.
//
// Thread-safe as far as its arguments are: the table view (and the snapshot
// that holds it) must stay alive for the call.
#pragma once

#include <cstddef>
#include <functional>

#include "columnar/ipc.h"
#include "config/status.h"
#include "store/store.h"

namespace quiver::store {

// Writes the stream to `sink`. `after_chunk(i)`, if set, is called after
// chunk i is written (progress; returning an error, e.g. Cancelled, stops the
// export with it, without the end-of-stream marker).
Status WriteArrowStream(const TableView& table, OutputSink* sink,
                        const std::function<Status(size_t chunk)>& after_chunk = {});

}  // namespace quiver::store
