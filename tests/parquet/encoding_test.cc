// Parquet's encodings on hand-made bytes (columnar/parquet/encoding_internal.h).
#include <catch2/catch.hpp>

#include <cstring>
#include <limits>
#include <random>

#include "columnar/parquet/encoding_internal.h"

using namespace quiver;
using namespace quiver::parquet;

namespace {

std::vector<uint8_t> Bytes(std::initializer_list<int> v) {
  std::vector<uint8_t> out;
  for (int b : v) out.push_back(uint8_t(b));
  return out;
}

std::vector<uint32_t> DecodeRle(const std::vector<uint8_t>& b, int bw, int64_t n, Status* s) {
  std::vector<uint32_t> out(size_t(n), 0xdeadbeef);
  RleDecoder d(b.data(), b.size(), bw);
  *s = d.Get(out.data(), n);
  return out;
}

std::vector<uint8_t> ToBytes(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }

}  // namespace

TEST_CASE("RLE/bit-packed hybrid decodes the specification's example", "[parquet]") {
  // Bit-packed run of one group (header 0x03): 0..7 at bit width 3.
  Status s;
  auto v = DecodeRle(Bytes({0x03, 0x88, 0xC6, 0xFA}), 3, 8, &s);
  REQUIRE(s.ok());
  CHECK(v == std::vector<uint32_t>{0, 1, 2, 3, 4, 5, 6, 7});
}

TEST_CASE("RLE/bit-packed hybrid mixes runs and reads values across calls", "[parquet]") {
  // RLE run of 5 x 300 at width 9 (two value bytes), then a bit-packed
  // group of width 9 holding 1..8.
  std::string enc;
  std::vector<uint32_t> want = {300, 300, 300, 300, 300, 1, 2, 3, 4, 5, 6, 7, 8};
  enc.push_back(char(5 << 1));
  enc.push_back(char(300 & 0xff));
  enc.push_back(char(300 >> 8));
  enc.push_back(char(1 << 1 | 1));
  uint64_t acc = 0;
  int bits = 0;
  for (uint32_t x = 1; x <= 8; ++x) {
    acc |= uint64_t(x) << bits;
    bits += 9;
    while (bits >= 8) {
      enc.push_back(char(acc & 0xff));
      acc >>= 8;
      bits -= 8;
    }
  }
  auto b = ToBytes(enc);
  RleDecoder d(b.data(), b.size(), 9);
  std::vector<uint32_t> got(want.size());
  REQUIRE(d.Get(got.data(), 3).ok());  // ends inside the RLE run
  REQUIRE(d.Get(got.data() + 3, 4).ok());  // crosses into the packed run
  REQUIRE(d.Get(got.data() + 7, 6).ok());
  CHECK(got == want);
  uint32_t extra;
  CHECK_FALSE(d.Get(&extra, 1).ok());  // nothing left
}

TEST_CASE("RLE/bit-packed hybrid edge cases", "[parquet]") {
  Status s;
  SECTION("bit width 0: every value is 0, RLE runs carry no value bytes") {
    auto v = DecodeRle(Bytes({0x0A}), 0, 5, &s);
    REQUIRE(s.ok());
    CHECK(v == std::vector<uint32_t>(5, 0));
  }
  SECTION("a last bit-packed group may be cut short after the values read") {
    // One group declared (8 values, 1 byte at width 1) but only 3 values needed.
    auto v = DecodeRle(Bytes({0x03, 0x05}), 1, 3, &s);
    REQUIRE(s.ok());
    CHECK(v == std::vector<uint32_t>{1, 0, 1});
    DecodeRle(Bytes({0x05, 0xff}), 8, 9, &s);  // two groups declared, one byte present
    CHECK_FALSE(s.ok());
  }
  SECTION("damaged runs are errors, not reads past the end") {
    DecodeRle(Bytes({}), 1, 1, &s);
    CHECK_FALSE(s.ok());
    DecodeRle(Bytes({0x00}), 1, 1, &s);  // empty RLE run
    CHECK(s.message().find("empty") != std::string::npos);
    DecodeRle(Bytes({0x01}), 1, 1, &s);  // empty bit-packed run
    CHECK_FALSE(s.ok());
    DecodeRle(Bytes({0x04}), 16, 2, &s);  // RLE value bytes missing
    CHECK_FALSE(s.ok());
    DecodeRle(Bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}), 1, 1, &s);
    CHECK_FALSE(s.ok());  // varint header too long
    DecodeRle(Bytes({0x02, 0x01}), 33, 1, &s);
    CHECK_FALSE(s.ok());  // width out of range
  }
}

TEST_CASE("RLE/bit-packed hybrid encoder round-trips at every width", "[parquet]") {
  std::mt19937_64 rng(7);
  for (int bw = 0; bw <= 32; ++bw) {
    const uint64_t mask = bw == 32 ? 0xffffffffull : (uint64_t(1) << bw) - 1;
    std::vector<uint32_t> v;
    for (int i = 0; i < 1000; ++i) {
      uint32_t x = uint32_t(rng() & mask);
      int repeat = (rng() % 4 == 0) ? int(rng() % 20) : 1;  // runs of repeats and literals
      for (int k = 0; k < repeat; ++k) v.push_back(x);
    }
    std::string enc;
    EncodeRle(v.data(), int64_t(v.size()), bw, &enc);
    auto b = ToBytes(enc);
    Status s;
    auto got = DecodeRle(b, bw, int64_t(v.size()), &s);
    INFO("bit width " << bw);
    REQUIRE(s.ok());
    CHECK(got == v);
  }
}

TEST_CASE("DELTA_BINARY_PACKED decodes hand-made blocks", "[parquet]") {
  std::vector<int64_t> out;
  size_t used = 0;
  SECTION("a single value lives in the header") {
    // block 128, 4 miniblocks, 1 value, first value zigzag(-1) = 1.
    auto b = Bytes({0x80, 0x01, 0x04, 0x01, 0x01});
    REQUIRE(DecodeDeltaBinaryPacked(b.data(), b.size(), 1, &out, &used).ok());
    CHECK(out == std::vector<int64_t>{-1});
    CHECK(used == b.size());
  }
  SECTION("negative min delta, one miniblock used, the others absent") {
    // 7, 5, 3, 1, 2: deltas -2 -2 -2 +1; min -2 (zigzag 3); adjusted 0 0 0 3 at width 2.
    std::vector<uint8_t> b = Bytes({0x80, 0x01, 0x04, 0x05, 0x0E, 0x03, 0x02, 0x00, 0x00, 0x00});
    b.push_back(0xC0);                                   // 0,0,0,3 at 2 bits each
    for (int i = 0; i < 7; ++i) b.push_back(0);          // pad the miniblock (32 values x 2 bits)
    REQUIRE(DecodeDeltaBinaryPacked(b.data(), b.size(), 5, &out, &used).ok());
    CHECK(out == std::vector<int64_t>{7, 5, 3, 1, 2});
    CHECK(used == b.size());
  }
  SECTION("damaged headers and short miniblocks are errors") {
    auto bad_block = Bytes({0x81, 0x01, 0x04, 0x01, 0x00});  // block size 129
    CHECK_FALSE(DecodeDeltaBinaryPacked(bad_block.data(), bad_block.size(), 1, &out, &used).ok());
    auto wrong_count = Bytes({0x80, 0x01, 0x04, 0x02, 0x00});
    CHECK_FALSE(DecodeDeltaBinaryPacked(wrong_count.data(), wrong_count.size(), 1, &out, &used).ok());
    auto cut = Bytes({0x80, 0x01, 0x04, 0x05, 0x0E, 0x03, 0x08, 0x00});
    CHECK_FALSE(DecodeDeltaBinaryPacked(cut.data(), cut.size(), 5, &out, &used).ok());
    auto wide = Bytes({0x80, 0x01, 0x04, 0x02, 0x00, 0x00, 65, 0, 0, 0});
    CHECK_FALSE(DecodeDeltaBinaryPacked(wide.data(), wide.size(), 2, &out, &used).ok());
  }
}

TEST_CASE("DELTA_BINARY_PACKED round-trips extremes over many blocks", "[parquet]") {
  std::mt19937_64 rng(11);
  for (bool int32 : {false, true}) {
    std::vector<int64_t> v;
    for (int i = 0; i < 1000; ++i) {
      switch (i % 5) {
        case 0: v.push_back(int32 ? std::numeric_limits<int32_t>::min() : std::numeric_limits<int64_t>::min()); break;
        case 1: v.push_back(int32 ? std::numeric_limits<int32_t>::max() : std::numeric_limits<int64_t>::max()); break;
        case 2: v.push_back(int64_t(int32_t(rng()))); break;
        default: v.push_back(int64_t(i) * -3); break;
      }
    }
    std::string enc;
    EncodeDeltaBinaryPacked(v.data(), int64_t(v.size()), int32, &enc);
    auto b = ToBytes(enc);
    std::vector<int64_t> out;
    size_t used = 0;
    REQUIRE(DecodeDeltaBinaryPacked(b.data(), b.size(), int64_t(v.size()), &out, &used).ok());
    CHECK(used == b.size());
    if (int32) {
      for (auto& x : out) x = int64_t(int32_t(uint32_t(uint64_t(x))));
    }
    CHECK(out == v);
  }
}

TEST_CASE("DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY decode the specification's examples", "[parquet]") {
  std::vector<uint32_t> lens;
  std::string bytes;
  SECTION("delta length") {
    std::vector<int64_t> l = {5, 5, 6, 6};
    std::string enc;
    EncodeDeltaBinaryPacked(l.data(), 4, true, &enc);
    enc += "HelloWorldFoobarABCDEF";
    auto b = ToBytes(enc);
    REQUIRE(DecodeDeltaLengthByteArrays(b.data(), b.size(), 4, &lens, &bytes).ok());
    CHECK(bytes == "HelloWorldFoobarABCDEF");
    CHECK(lens == std::vector<uint32_t>{5, 5, 6, 6});
    auto cut = ToBytes(enc.substr(0, enc.size() - 1));
    CHECK_FALSE(DecodeDeltaLengthByteArrays(cut.data(), cut.size(), 4, &lens, &bytes).ok());
  }
  SECTION("delta strings: prefixes of the value before") {
    std::vector<int64_t> prefix = {0, 2, 0, 3}, suffix = {4, 2, 6, 5};
    std::string enc;
    EncodeDeltaBinaryPacked(prefix.data(), 4, true, &enc);
    EncodeDeltaBinaryPacked(suffix.data(), 4, true, &enc);
    enc += "axislebabbleyhood";
    auto b = ToBytes(enc);
    REQUIRE(DecodeDeltaByteArrays(b.data(), b.size(), 4, &lens, &bytes).ok());
    CHECK(bytes == "axisaxlebabblebabyhood");
    CHECK(lens == std::vector<uint32_t>{4, 4, 6, 8});
  }
  SECTION("a prefix longer than the value before is an error") {
    std::vector<int64_t> prefix = {0, 5}, suffix = {2, 1};
    std::string enc;
    EncodeDeltaBinaryPacked(prefix.data(), 2, true, &enc);
    EncodeDeltaBinaryPacked(suffix.data(), 2, true, &enc);
    enc += "abc";
    auto b = ToBytes(enc);
    Status s = DecodeDeltaByteArrays(b.data(), b.size(), 2, &lens, &bytes);
    CHECK(s.message().find("prefix") != std::string::npos);
  }
}

TEST_CASE("PLAIN byte arrays and BYTE_STREAM_SPLIT check their lengths", "[parquet]") {
  std::vector<uint32_t> lens;
  std::string bytes;
  auto plain = Bytes({3, 0, 0, 0, 'a', 'b', 'c', 0, 0, 0, 0, 9, 0, 0, 0, 'x'});
  CHECK_FALSE(DecodePlainByteArrays(plain.data(), plain.size(), 3, &lens, &bytes).ok());
  lens.clear();
  bytes.clear();
  REQUIRE(DecodePlainByteArrays(plain.data(), plain.size(), 2, &lens, &bytes).ok());
  CHECK(bytes == "abc");
  CHECK(lens == std::vector<uint32_t>{3, 0});

  float f[3] = {1.5f, -2.25f, 1e30f};
  uint8_t raw[12], split[12], back[12];
  std::memcpy(raw, f, 12);
  for (int k = 0; k < 4; ++k) {
    for (int i = 0; i < 3; ++i) split[k * 3 + i] = raw[i * 4 + k];
  }
  REQUIRE(DecodeByteStreamSplit(split, 12, 3, 4, back).ok());
  CHECK(std::memcmp(back, raw, 12) == 0);
  CHECK_FALSE(DecodeByteStreamSplit(split, 11, 3, 4, back).ok());
}

TEST_CASE("BIT_PACKED levels decode the specification's example, most significant bit first", "[parquet]") {
  // 0..7 at bit width 3: 000 001 010 011 100 101 110 111 -> 00000101 00111001 01110111.
  const auto b = Bytes({0x05, 0x39, 0x77});
  std::vector<uint32_t> out(8, 0xdeadbeef);
  REQUIRE(DecodeBitPacked(b.data(), b.size(), 3, 8, out.data()).ok());
  CHECK(out == std::vector<uint32_t>{0, 1, 2, 3, 4, 5, 6, 7});
  // The same bytes read as the hybrid's LSB-first packing give other values.
  Status s;
  CHECK(DecodeRle(Bytes({0x03, 0x05, 0x39, 0x77}), 3, 8, &s) != out);
  CHECK(BitPackedBytes(8, 3) == 3);
  CHECK(BitPackedBytes(30, 2) == 8);  // the specification's 60 bits
  CHECK(BitPackedBytes(0, 5) == 0);
  // Width 1 (definition levels of a flat optional column) and widths that
  // cross bytes, against a reference packer.
  std::mt19937 rng(7);
  for (int bw : {1, 2, 5, 8, 13, 32}) {
    std::vector<uint32_t> vals(77);
    for (auto& v : vals) v = bw == 32 ? uint32_t(rng()) : uint32_t(rng()) & ((1u << bw) - 1);
    std::vector<uint8_t> packed(BitPackedBytes(77, bw), 0);
    uint64_t bit = 0;
    for (uint32_t v : vals) {
      for (int k = bw - 1; k >= 0; --k, ++bit) {
        if ((v >> k) & 1) packed[bit / 8] |= uint8_t(0x80 >> (bit % 8));
      }
    }
    std::vector<uint32_t> got(77);
    INFO("bit width " << bw);
    REQUIRE(DecodeBitPacked(packed.data(), packed.size(), bw, 77, got.data()).ok());
    CHECK(got == vals);
    // One byte short is an error, not a read past the end.
    Status cut = DecodeBitPacked(packed.data(), packed.size() - 1, bw, 77, got.data());
    CHECK(cut.code() == StatusCode::kInvalidArgument);
    CHECK(cut.message().find("BIT_PACKED") != std::string::npos);
  }
}
