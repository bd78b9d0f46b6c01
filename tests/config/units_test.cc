#include <catch2/catch.hpp>

#include "config/units.h"

using namespace quiver;

TEST_CASE("Sizes parse with units and reject junk", "[config]") {
  CHECK(ParseSize("1G").value() == (1ull << 30));
  CHECK(ParseSize("512M").value() == (512ull << 20));
  CHECK(ParseSize("64KiB").value() == (64ull << 10));
  CHECK(ParseSize("4096").value() == 4096);
  CHECK(ParseSize("1.5g").value() == (3ull << 29));
  CHECK_FALSE(ParseSize("G").ok());
  CHECK(ParseSize("10X").status().message() ==
        "size \"10X\" has an unknown unit \"x\" (use K, M, G or T)");
  CHECK(FormatBytes(1ull << 30) == "1.00 GiB");
  CHECK(FormatBytes(100) == "100 B");
}
