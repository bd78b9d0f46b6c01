// Thrift's compact protocol over memory buffers, for thrift_internal.h.
#include <thrift/TConfiguration.h>
#include <thrift/protocol/TCompactProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include <climits>
#include <cstring>
#include <memory>

#include "columnar/parquet/thrift_internal.h"

namespace quiver::parquet {
namespace {

using apache::thrift::protocol::TCompactProtocolT;
using apache::thrift::transport::TMemoryBuffer;

// Thrift stores any 32-bit number it reads into an enum field; a value
// outside the enum's range must not be loaded as the enum (undefined
// behaviour), so each is checked through its bytes right after decoding.
template <typename E>
bool Valid(const E& e, int32_t max) {
  static_assert(sizeof(E) == sizeof(int32_t));
  int32_t v;
  std::memcpy(&v, &e, sizeof v);
  return v >= 0 && v <= max;
}

bool ValidPage(const format::PageHeader& h) {
  constexpr int32_t kEnc = format::Encoding::BYTE_STREAM_SPLIT;
  if (!Valid(h.type, format::PageType::DATA_PAGE_V2)) return false;
  const auto& d = h.data_page_header;
  if (h.__isset.data_page_header &&
      (!Valid(d.encoding, kEnc) || !Valid(d.definition_level_encoding, kEnc) ||
       !Valid(d.repetition_level_encoding, kEnc))) {
    return false;
  }
  if (h.__isset.dictionary_page_header && !Valid(h.dictionary_page_header.encoding, kEnc)) return false;
  return !h.__isset.data_page_header_v2 || Valid(h.data_page_header_v2.encoding, kEnc);
}

bool ValidFile(const format::FileMetaData& m) {
  constexpr int32_t kEnc = format::Encoding::BYTE_STREAM_SPLIT;
  for (const auto& e : m.schema) {
    if ((e.__isset.type && !Valid(e.type, format::Type::FIXED_LEN_BYTE_ARRAY)) ||
        (e.__isset.repetition_type && !Valid(e.repetition_type, format::FieldRepetitionType::REPEATED)) ||
        (e.__isset.converted_type && !Valid(e.converted_type, format::ConvertedType::INTERVAL))) {
      return false;
    }
  }
  for (const auto& rg : m.row_groups) {
    for (const auto& c : rg.columns) {
      const auto& md = c.meta_data;
      if (!c.__isset.meta_data) continue;
      if (!Valid(md.type, format::Type::FIXED_LEN_BYTE_ARRAY) ||
          !Valid(md.codec, format::CompressionCodec::LZ4_RAW)) {
        return false;
      }
      for (const auto& e : md.encodings) {
        if (!Valid(e, kEnc)) return false;
      }
      for (const auto& s : md.encoding_stats) {
        if (!Valid(s.page_type, format::PageType::DATA_PAGE_V2) || !Valid(s.encoding, kEnc)) return false;
      }
    }
  }
  return true;
}

bool ValidEnums(const format::FileMetaData& m) { return ValidFile(m); }
bool ValidEnums(const format::PageHeader& h) { return ValidPage(h); }

template <typename T>
Status Decode(const char* what, const uint8_t* data, size_t size, T* out, size_t* used) {
  if (size > size_t(INT_MAX)) return Status::Invalid(std::string(what) + " is larger than 2 GiB");
  try {
    // The message-size limit bounds every read; strings and lists cannot be
    // longer than the bytes that are there.
    auto config = std::make_shared<apache::thrift::TConfiguration>(
        int(size) + 1, int(size) + 1, /*recursionLimit=*/64);
    auto buffer = std::make_shared<TMemoryBuffer>(const_cast<uint8_t*>(data), uint32_t(size),
                                                  TMemoryBuffer::OBSERVE, config);
    TCompactProtocolT<TMemoryBuffer> protocol(buffer, int32_t(size), int32_t(size));
    out->read(&protocol);
    *used = size - buffer->available_read();
    if (!ValidEnums(*out)) {
      return Status::Invalid(std::string("damaged ") + what + " (an unknown type, encoding or codec)");
    }
    return Status::OK();
  } catch (const std::exception& e) {
    return Status::Invalid(std::string("damaged ") + what + " (" + e.what() + ")");
  }
}

template <typename T>
Status Encode(const T& in, std::string* out) {
  try {
    auto buffer = std::make_shared<TMemoryBuffer>();
    TCompactProtocolT<TMemoryBuffer> protocol(buffer);
    in.write(&protocol);
    uint8_t* p = nullptr;
    uint32_t n = 0;
    buffer->getBuffer(&p, &n);
    out->append(reinterpret_cast<const char*>(p), n);
    return Status::OK();
  } catch (const std::exception& e) {
    return Status::Internal(std::string("encoding Parquet metadata: ") + e.what());
  }
}

}  // namespace

Status DecodeFileMetaData(const uint8_t* data, size_t size, format::FileMetaData* out,
                          size_t* used) {
  return Decode("file metadata (footer)", data, size, out, used);
}

Status DecodePageHeader(const uint8_t* data, size_t size, format::PageHeader* out, size_t* used) {
  return Decode("page header", data, size, out, used);
}

Status EncodeFileMetaData(const format::FileMetaData& in, std::string* out) {
  return Encode(in, out);
}

Status EncodePageHeader(const format::PageHeader& in, std::string* out) { return Encode(in, out); }

}  // namespace quiver::parquet
