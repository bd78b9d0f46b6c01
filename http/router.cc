// quiverd's routing: the pre-routing hook (body limits, Accept-Encoding),
// one handler for every method and path (route, 405 with Allow, CORS,
// tokens, then the endpoint), httplib's own errors as JSON, and the helpers
// every endpoint answers with, among them the one table from Status code to
// HTTP status (HttpStatusFor).
//
// The pre-routing hook refuses bodies that are too large or have no length
// before they are read (411/413), and moves Accept-Encoding aside so that
// cpp-httplib does not compress on its own (we do, with zstd too, above a
// threshold).
#include <algorithm>
#include <cctype>
#include <charconv>
#include <exception>
#include <vector>

#include "http/compress_internal.h"
#include "http/server_state_internal.h"
#include "store/store.h"

namespace quiver::http {

namespace {

// A body up to this much over max_body_bytes is read and dropped before
// the 413 goes out (clients that send the whole body first then see it).
constexpr uint64_t kDrainBytes = 16 << 20;

json ErrorBody(std::string_view code, const std::string& message, const json& extra) {
  json e = {{"code", code}, {"message", message}};
  if (extra.is_object()) {
    for (auto it = extra.begin(); it != extra.end(); ++it) e[it.key()] = it.value();
  }
  return json{{"error", e}};
}

// Line and column (1-based, columns in bytes) of a byte offset in `text`.
query::TextPosition PositionOf(std::string_view text, size_t offset) {
  query::TextPosition p;
  p.offset = offset;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++p.line;
      p.column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++p.column;
    }
  }
  return p;
}

// Compares a presented token with the secret in time that depends on the
// presented token's length only: neither the secret's bytes nor its length
// show in the timing (the secret is read cyclically, the length difference
// folded into the result).
bool ConstantTimeEquals(const std::string& presented, const std::string& secret) {
  unsigned char d = presented.size() != secret.size() ? 1 : 0;
  const size_t n = secret.empty() ? 1 : secret.size();
  for (size_t i = 0; i < presented.size(); ++i) {
    const unsigned char s = secret.empty() ? 0 : static_cast<unsigned char>(secret[i % n]);
    d |= static_cast<unsigned char>(static_cast<unsigned char>(presented[i]) ^ s);
  }
  return d == 0;
}

// A refused token: counted in /metrics and logged (route, remote address,
// why; never the token).
void AuthFailed(ServerState& st, Call& c, const char* why) {
  st.metrics.auth_failures++;
  st.log.Add("auth failure: " + c.req.method + " " + c.route + " from " + c.req.remote_addr + ": " +
             why);
}

bool CheckAuth(ServerState& st, Call& c, bool write) {
  const ServerConfig& cfg = st.cfg;
  const std::string& want = write ? cfg.write_token : cfg.read_token;
  if (want.empty()) return true;
  std::string h = c.req.get_header_value("Authorization");
  const std::string prefix = "Bearer ";
  if (h.empty()) {
    AuthFailed(st, c, "no token");
    c.res.set_header("WWW-Authenticate", "Bearer realm=\"quiverd\"");
    SetError(c.res, 401, "unauthenticated",
             std::string("this endpoint needs a bearer token (Authorization: Bearer <") +
                 (write ? "write_token" : "read_token") + ">)");
    return false;
  }
  std::string token = h.rfind(prefix, 0) == 0 ? h.substr(prefix.size()) : std::string();
  bool ok = ConstantTimeEquals(token, want) ||
            (!write && !cfg.write_token.empty() && ConstantTimeEquals(token, cfg.write_token));
  if (!ok) {
    AuthFailed(st, c, write ? "wrong write token" : "wrong read token");
    SetError(c.res, 403, "permission_denied", "the bearer token is not valid for this endpoint");
    return false;
  }
  return true;
}

bool CheckWritable(ServerState& st, Call& c) {
  if (!st.cfg.writes_enabled || st.store->read_only()) {
    SetError(c.res, 403, "permission_denied",
             "writes are disabled on this server (set \"writes_enabled\": true in the config)");
    return false;
  }
  return CheckAuth(st, c, /*write=*/true);
}

// --- routes -------------------------------------------------------------------

enum class Kind {
  kNone,
  kIndex,
  kHealth,
  kOpenApi,
  kMetrics,
  kTables,
  kTable,
  kRows,
  kTableQuery,
  kQuery,
  kSql,
  kAdminBackup,
  kWebAsset,
  kQueries,
  kRunningQuery,
  kChunks,
  kScans,
  kScan,
  kStage
};

struct Route {
  Route() = default;
  Route(Kind k, std::string l, std::string t, const char* a, std::string i = "")
      : kind(k), label(std::move(l)), table(std::move(t)), allow(a), id(std::move(i)) {}
  Kind kind = Kind::kNone;
  std::string label;
  std::string table;
  const char* allow = "";
  std::string id;  // a scan lease or stage id
};

std::vector<std::string> Split(const std::string& path) {
  std::vector<std::string> parts;
  size_t i = 1;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    parts.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return parts;
}

Route Match(const std::string& path) {
  Route r;
  if (path == "/" || path == "/index.html") return {Kind::kIndex, "/", "", "GET, HEAD"};
  if (path == "/metrics") return {Kind::kMetrics, "/metrics", "", "GET, HEAD"};
  auto p = Split(path);
  if (p.size() == 2 && p[0] == "web" && FindWebAsset(p[1]) != nullptr) {
    return {Kind::kWebAsset, "/web/{file}", "", "GET, HEAD"};
  }
  if (p.size() < 2 || p[0] != "v1") return r;
  if (p.size() == 2) {
    if (p[1] == "health") return {Kind::kHealth, "/v1/health", "", "GET, HEAD"};
    if (p[1] == "openapi.json") return {Kind::kOpenApi, "/v1/openapi.json", "", "GET, HEAD"};
    if (p[1] == "tables") return {Kind::kTables, "/v1/tables", "", "GET, HEAD, POST"};
    if (p[1] == "query") return {Kind::kQuery, "/v1/query", "", "POST"};
    if (p[1] == "sql") return {Kind::kSql, "/v1/sql", "", "GET, HEAD"};
    if (p[1] == "queries") return {Kind::kQueries, "/v1/queries", "", "GET, HEAD"};
    return r;
  }
  if (p.size() == 3 && p[1] == "queries") {
    return {Kind::kRunningQuery, "/v1/queries/{id}", "", "DELETE"};
  }
  if (p.size() == 3 && p[1] == "admin" && p[2] == "backup") {
    return {Kind::kAdminBackup, "/v1/admin/backup", "", "POST"};
  }
  if (p[1] != "tables") return r;
  if (p.size() == 3) return {Kind::kTable, "/v1/tables/{name}", p[2], "GET, HEAD, DELETE"};
  if (p.size() == 4 && p[3] == "rows") {
    return {Kind::kRows, "/v1/tables/{name}/rows", p[2], "GET, HEAD, POST"};
  }
  if (p.size() == 4 && p[3] == "query") {
    return {Kind::kTableQuery, "/v1/tables/{name}/query", p[2], "POST"};
  }
  if (p.size() == 4 && p[3] == "chunks") {
    return {Kind::kChunks, "/v1/tables/{name}/chunks", p[2], "GET, HEAD"};
  }
  if (p.size() == 4 && p[3] == "scans") {
    return {Kind::kScans, "/v1/tables/{name}/scans", p[2], "POST"};
  }
  if (p.size() == 5 && p[3] == "scans" && !p[4].empty()) {
    return {Kind::kScan, "/v1/tables/{name}/scans/{id}", p[2], "DELETE", p[4]};
  }
  if (p.size() == 5 && p[3] == "stages" && !p[4].empty()) {
    return {Kind::kStage, "/v1/tables/{name}/stages/{id}", p[2], "POST, DELETE", p[4]};
  }
  return r;
}

void AddCors(const ServerConfig& cfg, Call& c) {
  if (cfg.cors_origins.empty()) return;
  std::string origin = c.req.get_header_value("Origin");
  bool any =
      std::find(cfg.cors_origins.begin(), cfg.cors_origins.end(), "*") != cfg.cors_origins.end();
  if (any) {
    c.res.set_header("Access-Control-Allow-Origin", "*");
  } else if (!origin.empty() && std::find(cfg.cors_origins.begin(), cfg.cors_origins.end(),
                                          origin) != cfg.cors_origins.end()) {
    c.res.set_header("Access-Control-Allow-Origin", origin);
    c.res.set_header("Vary", "Origin");
  }
}

// Runs the endpoint `r` names.
void Serve(ServerState& st, Call& c, const Route& r, const std::string& method) {
  switch (r.kind) {
    case Kind::kIndex:
    case Kind::kWebAsset: {
      const WebAsset* a = FindWebAsset(r.kind == Kind::kIndex ? "index.html"
                                                              : c.req.path.substr(5));
      c.res.set_header("Cache-Control", "no-cache");
      return SendBody(st, c, std::string(a->bytes), a->content_type);
    }
    case Kind::kQueries:
      return ListQueries(st, c);
    case Kind::kRunningQuery:
      return CancelQuery(st, c, c.req.path.substr(std::string("/v1/queries/").size()));
    case Kind::kHealth:
      return Health(st, c);
    case Kind::kOpenApi:
      return SendBody(st, c, OpenApiDocument(), "application/json");
    case Kind::kMetrics:
      return ServeMetrics(st, c);
    case Kind::kTables:
      return method == "GET" ? ListTables(st, c) : CreateTable(st, c);
    case Kind::kTable:
      return method == "GET" ? DescribeTable(st, c, r.table) : DropTable(st, c, r.table);
    case Kind::kRows:
      return method == "GET" ? GetRows(st, c, r.table) : AppendRows(st, c, r.table);
    case Kind::kTableQuery:
      return PostQuery(st, c, r.table);
    case Kind::kQuery:
      return PostQuery(st, c, "");
    case Kind::kSql:
      return GetSql(st, c);
    case Kind::kAdminBackup:
      return AdminBackup(st, c);
    case Kind::kChunks:
      return GetChunks(st, c, r.table);
    case Kind::kScans:
      return CreateScan(st, c, r.table);
    case Kind::kScan:
      return ReleaseScan(st, c, r.table, r.id);
    case Kind::kStage:
      return method == "POST" ? CommitStage(st, c, r.table, r.id)
                              : DropStage(st, c, r.table, r.id);
    case Kind::kNone:
      break;
  }
}

void Handle(ServerState& st, Call& c, const Route& r) {
  const ServerConfig& cfg = st.cfg;
  AddCors(cfg, c);
  const std::string& m = c.req.method;
  if (st.shutting_down.load() && r.kind != Kind::kHealth) {
    c.res.set_header("Connection", "close");
    c.res.set_header("Retry-After", "1");
    return SetError(c.res, 503, "unavailable", "the server is shutting down");
  }
  if (c.req.body.size() > cfg.max_body_bytes) {  // a chunked body, decoded
    c.res.set_header("Connection", "close");
    return SetError(c.res, 413, "payload_too_large",
                    "request body over the limit of " + std::to_string(cfg.max_body_bytes) +
                        " bytes (max_body_bytes)");
  }
  if (r.kind == Kind::kNone) {
    return SetError(
        c.res, 404, "not_found",
        "no endpoint " + c.req.path.substr(0, 256) + " (see GET /v1/openapi.json for the API)");
  }
  std::string allow = r.allow;
  if (m == "OPTIONS") {
    c.res.set_header("Allow", allow + ", OPTIONS");
    if (!cfg.cors_origins.empty()) {
      c.res.set_header("Access-Control-Allow-Methods", allow + ", OPTIONS");
      c.res.set_header("Access-Control-Allow-Headers",
                       "Authorization, Content-Type, Accept, X-Quiver-Query-Id");
      c.res.set_header("Access-Control-Max-Age", "600");
    }
    c.res.status = 204;
    return;
  }
  std::string method = m == "HEAD" ? "GET" : m;
  if (allow.find(method) == std::string::npos) {
    c.res.set_header("Allow", allow + ", OPTIONS");
    return SetError(c.res, 405, "method_not_allowed",
                    m + " is not allowed on " + r.label + " (allowed: " + allow + ")");
  }
  bool write = method == "POST" &&
               (r.kind == Kind::kTables || r.kind == Kind::kRows || r.kind == Kind::kStage);
  // Cancelling a query is not a write: whoever may run queries may stop one;
  // releasing a scan lease is part of reading.
  write = write || (method == "DELETE" && r.kind != Kind::kRunningQuery && r.kind != Kind::kScan);
  if (!r.table.empty() && !ValidName(c, r.table)) return;
  if (r.kind == Kind::kAdminBackup) {
    // A backup reads every byte: the write token (the read token if no
    // write token is set), whether writes are enabled or not.
    if (!CheckAuth(st, c, /*write=*/!cfg.write_token.empty())) return;
  } else if (write) {
    if (!CheckWritable(st, c)) return;
  } else if (r.kind != Kind::kHealth && r.kind != Kind::kIndex && r.kind != Kind::kWebAsset) {
    // Every read route (the OpenAPI document and /metrics too) needs the
    // read token when one is set; /v1/health stays open for load balancers
    // and / and /web/* are the static console (it asks for the token).
    if (!CheckAuth(st, c, /*write=*/false)) return;
  }
  Serve(st, c, r, method);
}

void Dispatch(ServerState& st, const httplib::Request& req, httplib::Response& res) {
  Call c{req, res, "other"};
  st.EnterRequest();
  Route r = Match(req.path);
  if (r.kind != Kind::kNone) c.route = r.label;
  try {
    Handle(st, c, r);
  } catch (const std::exception& e) {
    // nlohmann-json and the standard library may throw on odd input; no
    // exception leaves the HTTP layer.
    if (!c.streaming) SetError(res, 500, "internal", std::string("internal error: ") + e.what());
  }
  FinishCall(st, c);
}

// True when the body may be read; else fills a 411/413 response.
bool BodyCheck(const ServerConfig& cfg, const httplib::Request& req, httplib::Response& res,
               bool expect_continue = false) {
  bool has_body = req.method == "POST" || req.method == "PUT" || req.method == "PATCH";
  if (!has_body) return true;
  bool chunked = req.get_header_value("Transfer-Encoding").find("chunked") != std::string::npos;
  if (!req.has_header("Content-Length") && !chunked) {
    res.set_header("Connection", "close");
    SetError(res, 411, "length_required",
             "a request body needs a Content-Length (or chunked encoding)");
    return false;
  }
  if (req.has_header("Content-Length")) {
    std::string v = req.get_header_value("Content-Length");
    uint64_t n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || p != v.data() + v.size()) {
      res.set_header("Connection", "close");
      SetInvalid(res, "Content-Length is not a number");
      return false;
    }
    // A body a little over the limit is read and discarded by httplib
    // (payload_max_length), so that the client, still sending it, gets the
    // 413; a far larger one is refused at once and the connection closed.
    if (n > cfg.max_body_bytes + (expect_continue ? 0 : kDrainBytes)) {
      res.set_header("Connection", "close");
      SetError(res, 413, "payload_too_large",
               "request body of " + v + " bytes is over the limit of " +
                   std::to_string(cfg.max_body_bytes) + " bytes (max_body_bytes)");
      return false;
    }
  }
  return true;
}

// Refuses bodies before they are read; hides Accept-Encoding from httplib.
httplib::Server::HandlerResponse PreRoute(ServerState& st, const httplib::Request& req,
                                          httplib::Response& res) {
  // cpp-httplib compresses some content types by itself (gzip, brotli)
  // without a size threshold; we compress instead. The Request object is
  // not const where httplib owns it, so changing its headers is defined.
  auto& mreq = const_cast<httplib::Request&>(req);
  std::string ae = mreq.get_header_value("Accept-Encoding");
  mreq.headers.erase("Accept-Encoding");
  mreq.headers.erase(kAcceptEncodingStash);
  if (!ae.empty()) mreq.headers.emplace(kAcceptEncodingStash, ae);
  if (BodyCheck(st.cfg, req, res)) return httplib::Server::HandlerResponse::Unhandled;
  Call c{req, res, Match(req.path).label};
  if (c.route.empty()) c.route = "other";
  st.EnterRequest();
  FinishCall(st, c);
  return httplib::Server::HandlerResponse::Handled;
}

}  // namespace

// ---------------------------------------------------------------------------

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
      return 409;
    case StatusCode::kLocked:
      return 409;
    case StatusCode::kTypeError:
    case StatusCode::kOverflow:
    case StatusCode::kNotSupported:
      return 422;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kResourceExhausted:
    case StatusCode::kCancelled:
      return 503;
    case StatusCode::kOutOfSpace:
      return 507;
    case StatusCode::kIOError:
    case StatusCode::kCorruption:
    case StatusCode::kDataLoss:
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

void SetError(httplib::Response& res, int status, std::string_view code, const std::string& message,
              const json& extra) {
  res.status = status;
  res.set_content(
      ErrorBody(code, message, extra).dump(-1, ' ', false, json::error_handler_t::replace) + "\n",
      "application/json");
}

void SetStatusError(httplib::Response& res, const Status& s, const json& extra) {
  SetError(res, HttpStatusFor(s.code()), StatusCodeName(s.code()), s.message(), extra);
}

void SetInvalid(httplib::Response& res, const std::string& message, const json& extra) {
  SetStatusError(res, Status::Invalid(message), extra);
}

Encoding AcceptedEncoding(const httplib::Request& req) {
  return ChooseEncoding(req.get_header_value(kAcceptEncodingStash));
}

void SendBody(ServerState& st, Call& c, std::string body, const char* content_type, int status) {
  Encoding e = AcceptedEncoding(c.req);
  if (e != Encoding::kIdentity && body.size() >= st.cfg.compress_min_bytes) {
    auto z = Compress(e, body);
    if (z.ok()) {
      body = std::move(*z);
      c.res.set_header("Content-Encoding", EncodingName(e));
    }
  }
  c.res.set_header("Vary", "Accept-Encoding");
  c.res.status = status;
  c.res.set_content(std::move(body), content_type);
}

void SendJson(ServerState& st, Call& c, const json& j, int status) {
  SendBody(st, c, j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n", "application/json",
           status);
}

json PositionJson(const query::TextPosition& p) {
  return {{"line", p.line}, {"column", p.column}, {"offset", p.offset}};
}

bool ParseJsonBody(const std::string& body, json* out, httplib::Response& res) {
  try {
    *out = json::parse(body);
    return true;
  } catch (const json::parse_error& e) {
    size_t off = e.byte > 0 ? e.byte - 1 : 0;
    SetInvalid(res, "request body is not valid JSON: " + std::string(e.what()),
               PositionJson(PositionOf(body, off)));
    return false;
  }
}

std::string MediaType(const httplib::Request& req) {
  std::string ct = req.get_header_value("Content-Type");
  auto semi = ct.find(';');
  if (semi != std::string::npos) ct.resize(semi);
  while (!ct.empty() && ct.back() == ' ') ct.pop_back();
  std::transform(ct.begin(), ct.end(), ct.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  return ct;
}

void TableNotFound(Call& c, const store::Snapshot& snap, const Status& s) {
  json names = json::array();
  for (const store::TableView& t : snap.tables()) names.push_back(t.name());
  SetStatusError(c.res, s, {{"tables", names}});
}

bool ValidName(Call& c, const std::string& name) {
  Status s = store::ValidateTableName(name);
  if (!s.ok()) {
    SetInvalid(c.res, s.message());
    return false;
  }
  return true;
}

void InstallHandlers(ServerState* st, httplib::Server* svr) {
  svr->set_pre_routing_handler([st](const httplib::Request& req, httplib::Response& res) {
    return PreRoute(*st, req, res);
  });
  svr->set_expect_100_continue_handler([st](const httplib::Request& req, httplib::Response& res) {
    return BodyCheck(st->cfg, req, res, /*expect_continue=*/true) ? 100 : res.status;
  });
  auto h = [st](const httplib::Request& req, httplib::Response& res) { Dispatch(*st, req, res); };
  svr->Get(".*", h);
  svr->Post(".*", h);
  svr->Put(".*", h);
  svr->Patch(".*", h);
  svr->Delete(".*", h);
  svr->Options(".*", h);
  // Errors httplib produces itself (a body over the limit while reading, a
  // malformed request) get our JSON error body too.
  svr->set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty() || res.content_provider_) {
          return httplib::Server::HandlerResponse::Unhandled;
        }
        std::string code = res.status == 413   ? "payload_too_large"
                           : res.status == 404 ? "not_found"
                                               : "bad_request";
        SetError(res, res.status, code,
                 res.status == 413 ? "request body over max_body_bytes"
                                   : "HTTP " + std::to_string(res.status) + " (malformed request)");
        return httplib::Server::HandlerResponse::Handled;
      }));
}

}  // namespace quiver::http
