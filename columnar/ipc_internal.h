// Private helpers shared by the Arrow flatbuffer readers and writers in
// columnar/. This is the only header that includes the flatc-generated code;
// nothing outside columnar/ may include it.
#pragma once

#include <flatbuffers/flatbuffers.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "columnar/array.h"
#include "columnar/fbs/File_generated.h"
#include "columnar/fbs/Message_generated.h"
#include "columnar/fbs/Schema_generated.h"
#include "columnar/types.h"
#include "config/status.h"

namespace quiver::ipc_internal {

namespace fb = ::org::apache::arrow::flatbuf;

constexpr uint32_t kContinuation = 0xFFFFFFFFu;
// Every message Quiver writes starts, and every body buffer lies, on a 64-byte
// boundary relative to the message start.
constexpr int64_t kMessageAlignment = 64;

flatbuffers::Offset<fb::Schema> BuildSchema(flatbuffers::FlatBufferBuilder& fbb,
                                            const Schema& schema);
// Converts a verified Schema table. With `large_offsets`, LargeUtf8 and
// LargeBinary fields (also as dictionary values) are accepted as utf8/binary
// and flagged there, so that readers convert their 64-bit offsets; without
// it they are rejected as unsupported.
Result<std::shared_ptr<const Schema>> ReadSchema(const fb::Schema* schema,
                                                 std::vector<bool>* large_offsets = nullptr);

// Returns the name of an Arrow flatbuffer type (e.g. "LargeUtf8").
const char* ArrowTypeName(fb::Type t);

inline uint32_t LoadU32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline int32_t LoadI32(const uint8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline void StoreU32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }

// Number of set bits in bits [offset, offset+length).
int64_t CountSetBits(const uint8_t* bits, int64_t offset, int64_t length);

}  // namespace quiver::ipc_internal
