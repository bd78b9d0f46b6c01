// The web console's files: the page at / and its scripts and styles at
// /web/<name>, compiled in from http/web/ (http/web/embed.cmake writes the
// table WebAssets()).
#include "http/server_internal.h"

namespace quiver::http {

const WebAsset* FindWebAsset(std::string_view name) {
  for (const WebAsset& a : WebAssets()) {
    if (name == a.name) return &a;
  }
  return nullptr;
}

}  // namespace quiver::http
