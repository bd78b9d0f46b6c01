// quiver serve: the HTTP service, the same program as quiverd.
#include "http/server.h"
#include "tools/cli/cli.h"

namespace quiver::cli {
namespace {

const bool kRegistered = Register(Command{
    "serve",
    "serve a pool over HTTP/JSON (the same as quiverd)",
    "Usage: quiver serve --pool PATH [--listen HOST:PORT] [--config FILE] [--threads N]\n\n"
    "Runs the HTTP service of quiverd in this process; see `quiverd --help`.\n",
    [](const std::vector<std::string>& args) { return http::ServeMain("quiver serve", args); }});

}  // namespace
}  // namespace quiver::cli
