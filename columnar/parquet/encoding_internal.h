// Parquet's value and level encodings (the specification's "Encodings"
// page), decoders and encoders over byte ranges. Every decoder checks every
// length against the bytes it was given and returns Invalid (naming the
// encoding) instead of reading past them.
//
//  - RLE / bit-packing hybrid: levels, dictionary indices, RLE booleans;
//  - BIT_PACKED (deprecated, levels of parquet-mr 1.x files): fixed-width
//    values packed from the most significant bit down, no length prefix;
//  - DELTA_BINARY_PACKED: INT32 / INT64 (arithmetic wraps, as the
//    specification says);
//  - DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY: byte arrays;
//  - BYTE_STREAM_SPLIT: fixed-width values, byte k of every value together;
//  - PLAIN of byte arrays (4-byte little-endian length, then the bytes).
//
// Decoders and encoders are single-threaded objects.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/status.h"

namespace quiver::parquet {

// Bits needed for values up to `max_value` (0 for 0).
int BitWidth(uint64_t max_value);

// Reads the RLE / bit-packing hybrid (without a length prefix).
class RleDecoder {
 public:
  RleDecoder(const uint8_t* data, size_t size, int bit_width)
      : p_(data), end_(data + size), bit_width_(bit_width) {}

  // Decodes exactly n values into out; Invalid if the runs end first or a
  // run header is damaged. bit_width must be 0..32.
  Status Get(uint32_t* out, int64_t n);
  // True (and the n values consumed) when the next n values are all `value`
  // within one RLE run; false leaves the decoder where it was. Lets a reader
  // skip the usual single run of definition levels of a page without nulls.
  Result<bool> SkipRepeated(int64_t n, uint32_t value);
  // Bytes consumed so far (whole runs).
  const uint8_t* position() const { return p_; }

 private:
  Status NextRun();

  const uint8_t* p_;
  const uint8_t* end_;
  int bit_width_;
  // The current run: `left` values, either one repeated value or bit-packed
  // values starting at packed_ (bit position packed_bit_).
  int64_t left_ = 0;
  bool packed_ = false;
  uint32_t repeated_ = 0;
  const uint8_t* packed_data_ = nullptr;
  size_t packed_bytes_ = 0;
  uint64_t packed_bit_ = 0;
};

// The bytes BIT_PACKED takes for n values of bit_width bits (the last byte
// padded with zeros).
size_t BitPackedBytes(int64_t n, int bit_width);
// Decodes n BIT_PACKED values of bit_width (0..32) bits from data[0, size)
// into out: value i is bits [i * bit_width, (i + 1) * bit_width) of the
// stream read from each byte's most significant bit down (unlike the
// hybrid's bit-packed runs, which start at the least significant bit).
// Invalid when the bytes end first.
Status DecodeBitPacked(const uint8_t* data, size_t size, int bit_width, int64_t n, uint32_t* out);

// Decodes a DELTA_BINARY_PACKED stream from data[0, size): every value (as
// 64-bit, wrapping) into *out; *used is where the stream ended (the end of
// its last miniblock, as the specification pads it). `expected` is the count
// the page says (the header must agree when >= 0).
Status DecodeDeltaBinaryPacked(const uint8_t* data, size_t size, int64_t expected,
                               std::vector<int64_t>* out, size_t* used);

// Byte-array decoders: append the values' bytes to *bytes and their lengths
// to *lengths. `n` is the number of values expected.
Status DecodePlainByteArrays(const uint8_t* data, size_t size, int64_t n,
                             std::vector<uint32_t>* lengths, std::string* bytes);
Status DecodeDeltaLengthByteArrays(const uint8_t* data, size_t size, int64_t n,
                                   std::vector<uint32_t>* lengths, std::string* bytes);
Status DecodeDeltaByteArrays(const uint8_t* data, size_t size, int64_t n,
                             std::vector<uint32_t>* lengths, std::string* bytes);
// BYTE_STREAM_SPLIT of n values of `width` bytes into out[0, n*width).
Status DecodeByteStreamSplit(const uint8_t* data, size_t size, int64_t n, int width,
                             uint8_t* out);

// Encoders (for the writer): append to *out.
// The hybrid, choosing RLE runs for repeats of 8 or more and bit-packed
// groups otherwise.
void EncodeRle(const uint32_t* values, int64_t n, int bit_width, std::string* out);
// DELTA_BINARY_PACKED in blocks of 128 values, 4 miniblocks; `int32`
// computes the deltas modulo 2^32 (INT32 columns), else modulo 2^64.
void EncodeDeltaBinaryPacked(const int64_t* values, int64_t n, bool int32, std::string* out);
void AppendUleb128(uint64_t v, std::string* out);

}  // namespace quiver::parquet
