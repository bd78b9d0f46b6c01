// quiverd: the HTTP/JSON service of Quiver (see http/server.h).
#include <string>
#include <vector>

#include "config/allocator.h"
#include "http/server.h"

int main(int argc, char** argv) {
  quiver::TuneAllocator();
  return quiver::http::ServeMain("quiverd", std::vector<std::string>(argv + 1, argv + argc));
}
