// quiverd: the HTTP/JSON service of Quiver (see http/server.h).
#include <string>
#include <vector>

#include "http/server.h"

int main(int argc, char** argv) {
  return quiver::http::ServeMain("quiverd", std::vector<std::string>(argv + 1, argv + argc));
}
