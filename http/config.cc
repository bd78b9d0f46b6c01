// quiverd's configuration file: JSON in, ServerConfig out.
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "config/units.h"
#include "http/server.h"

namespace quiver::http {

namespace {

using json = nlohmann::json;

Result<int64_t> GetInt(const json& v, const std::string& key, int64_t min, int64_t max) {
  if (!v.is_number_integer() && !v.is_number_unsigned()) {
    return Status::Invalid("config key \"" + key + "\" must be an integer, not " +
                           std::string(v.type_name()));
  }
  if (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(INT64_MAX)) {
    return Status::Invalid("config key \"" + key + "\" is too large");
  }
  int64_t x = v.get<int64_t>();
  if (x < min || x > max) {
    return Status::Invalid("config key \"" + key + "\" must be between " + std::to_string(min) +
                           " and " + std::to_string(max) + ", not " + std::to_string(x));
  }
  return x;
}

Result<std::string> GetString(const json& v, const std::string& key) {
  if (!v.is_string()) {
    return Status::Invalid("config key \"" + key + "\" must be a string, not " +
                           std::string(v.type_name()));
  }
  return v.get<std::string>();
}

Result<bool> GetBool(const json& v, const std::string& key) {
  if (!v.is_boolean()) {
    return Status::Invalid("config key \"" + key + "\" must be true or false, not " +
                           std::string(v.type_name()));
  }
  return v.get<bool>();
}

Status ParseInto(const json& doc, ServerConfig* c) {
  if (!doc.is_object()) return Status::Invalid("the config file must hold a JSON object");
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    const std::string& k = it.key();
    const json& v = it.value();
    if (k == "listen") {
      QUIVER_ASSIGN_OR_RETURN(std::string s, GetString(v, k));
      QUIVER_RETURN_NOT_OK(ParseListen(s, c));
    } else if (k == "threads") {
      QUIVER_ASSIGN_OR_RETURN(int64_t x, GetInt(v, k, 1, 1024));
      c->threads = int(x);
    } else if (k == "max_body_bytes") {
      QUIVER_ASSIGN_OR_RETURN(int64_t x, GetInt(v, k, 1, int64_t(1) << 40));
      c->max_body_bytes = uint64_t(x);
    } else if (k == "max_result_rows") {
      QUIVER_ASSIGN_OR_RETURN(c->max_result_rows, GetInt(v, k, 1, INT64_MAX));
    } else if (k == "query_timeout_ms") {
      QUIVER_ASSIGN_OR_RETURN(c->query_timeout_ms, GetInt(v, k, 0, int64_t(1) << 40));
    } else if (k == "max_concurrent_queries") {
      QUIVER_ASSIGN_OR_RETURN(int64_t x, GetInt(v, k, 1, 100000));
      c->max_concurrent_queries = int(x);
    } else if (k == "admission_wait_ms") {
      QUIVER_ASSIGN_OR_RETURN(c->admission_wait_ms, GetInt(v, k, 0, int64_t(1) << 32));
    } else if (k == "admission_queue") {
      QUIVER_ASSIGN_OR_RETURN(int64_t x, GetInt(v, k, 0, 1'000'000));
      c->admission_queue = int(x);
    } else if (k == "max_sql_bytes") {
      QUIVER_ASSIGN_OR_RETURN(int64_t x, GetInt(v, k, 16, int64_t(1) << 30));
      c->max_sql_bytes = uint64_t(x);
    } else if (k == "max_in_list" || k == "max_expr_depth" || k == "max_result_columns") {
      QUIVER_ASSIGN_OR_RETURN(int64_t x, GetInt(v, k, 1, 100'000'000));
      (k == "max_in_list" ? c->max_in_list
                          : k == "max_expr_depth" ? c->max_expr_depth : c->max_result_columns) = int(x);
    } else if (k == "query_threads") {
      QUIVER_ASSIGN_OR_RETURN(int64_t x, GetInt(v, k, 0, 1024));
      c->query_threads = int(x);
    } else if (k == "max_query_memory") {
      if (v.is_string()) {
        QUIVER_ASSIGN_OR_RETURN(uint64_t x, ParseSize(v.get<std::string>()));
        if (x > uint64_t(INT64_MAX)) {
          return Status::Invalid("config key \"max_query_memory\" is too large");
        }
        c->max_query_memory = int64_t(x);
      } else {
        QUIVER_ASSIGN_OR_RETURN(c->max_query_memory, GetInt(v, k, 0, INT64_MAX));
      }
    } else if (k == "writes_enabled") {
      QUIVER_ASSIGN_OR_RETURN(c->writes_enabled, GetBool(v, k));
    } else if (k == "write_token") {
      QUIVER_ASSIGN_OR_RETURN(c->write_token, GetString(v, k));
    } else if (k == "read_token") {
      QUIVER_ASSIGN_OR_RETURN(c->read_token, GetString(v, k));
    } else if (k == "cors") {
      c->cors_origins.clear();
      if (v.is_string()) {
        c->cors_origins.push_back(v.get<std::string>());
      } else if (v.is_array()) {
        for (const json& o : v) {
          QUIVER_ASSIGN_OR_RETURN(std::string s, GetString(o, "cors[]"));
          c->cors_origins.push_back(std::move(s));
        }
      } else if (!v.is_null() && !(v.is_boolean() && !v.get<bool>())) {
        return Status::Invalid("config key \"cors\" must be \"*\", an origin or a list of origins");
      }
    } else if (k == "compress_min_bytes") {
      QUIVER_ASSIGN_OR_RETURN(int64_t x, GetInt(v, k, 0, int64_t(1) << 40));
      c->compress_min_bytes = uint64_t(x);
    } else if (k == "shutdown_grace_ms") {
      QUIVER_ASSIGN_OR_RETURN(c->shutdown_grace_ms, GetInt(v, k, 0, int64_t(1) << 32));
    } else if (k == "read_timeout_ms") {
      QUIVER_ASSIGN_OR_RETURN(c->read_timeout_ms, GetInt(v, k, 1, int64_t(1) << 32));
    } else if (k == "request_timeout_ms") {
      QUIVER_ASSIGN_OR_RETURN(c->request_timeout_ms, GetInt(v, k, 1, int64_t(1) << 32));
    } else if (k == "idle_timeout_ms") {
      QUIVER_ASSIGN_OR_RETURN(c->idle_timeout_ms, GetInt(v, k, 1, int64_t(1) << 32));
    } else if (k == "write_timeout_ms") {
      QUIVER_ASSIGN_OR_RETURN(c->write_timeout_ms, GetInt(v, k, 1, int64_t(1) << 32));
    } else if (k == "max_connections") {
      QUIVER_ASSIGN_OR_RETURN(int64_t x, GetInt(v, k, 1, 1'000'000));
      c->max_connections = int(x);
    } else if (k == "max_header_bytes") {
      QUIVER_ASSIGN_OR_RETURN(int64_t x, GetInt(v, k, 1024, int64_t(1) << 30));
      c->max_header_bytes = uint64_t(x);
    } else if (k == "log_requests") {
      QUIVER_ASSIGN_OR_RETURN(c->log_requests, GetBool(v, k));
    } else {
      return Status::Invalid(
          "unknown config key \"" + k +
          "\" (known: listen, threads, max_body_bytes, max_result_rows, query_timeout_ms, "
          "max_concurrent_queries, admission_wait_ms, admission_queue, max_sql_bytes, max_in_list, "
          "max_expr_depth, max_result_columns, query_threads, max_query_memory, writes_enabled, write_token, read_token, "
          "cors, compress_min_bytes, shutdown_grace_ms, read_timeout_ms, request_timeout_ms, "
          "idle_timeout_ms, write_timeout_ms, max_connections, max_header_bytes, log_requests)");
    }
  }
  return Status::OK();
}

}  // namespace

Status ParseListen(std::string_view listen, ServerConfig* config) {
  std::string s(listen);
  std::string host = config->host;
  std::string port_text = s;
  auto colon = s.rfind(':');
  if (colon != std::string::npos) {
    host = s.substr(0, colon);
    port_text = s.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
      host = host.substr(1, host.size() - 2);  // [::1]:8080
    }
    if (host.empty()) host = "127.0.0.1";
  }
  if (port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos) {
    return Status::Invalid("listen address \"" + s + "\" needs a port: HOST:PORT, e.g. 127.0.0.1:8080");
  }
  int port = std::stoi(port_text);
  if (port > 65535) return Status::Invalid("port " + port_text + " is out of range");
  config->host = host;
  config->port = port;
  return Status::OK();
}

Result<ServerConfig> ParseServerConfig(std::string_view text) {
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false,
                         /*ignore_comments=*/true);
  if (doc.is_discarded()) {
    // Parse again with exceptions for the position of the error.
    try {
      json again = json::parse(text.begin(), text.end(), nullptr, true, true);
      (void)again;
    } catch (const json::parse_error& e) {
      return Status::Invalid(std::string("config is not valid JSON: ") + e.what());
    }
    return Status::Invalid("config is not valid JSON");
  }
  ServerConfig c;
  QUIVER_RETURN_NOT_OK(ParseInto(doc, &c));
  return c;
}

Result<ServerConfig> LoadServerConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot read config file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto r = ParseServerConfig(ss.str());
  if (!r.ok()) return r.status().WithContext(path);
  return r;
}

namespace {
bool IsLoopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1" ||
         host.rfind("127.", 0) == 0;
}
}  // namespace

Status ValidateServerConfig(const ServerConfig& c) {
  if (c.writes_enabled && c.write_token.empty() && !IsLoopback(c.host)) {
    return Status::Invalid("refusing to listen on " + c.host +
                           " with writes enabled and no write_token: set \"write_token\" in "
                           "the config, or listen on 127.0.0.1");
  }
  if (c.threads < 1) return Status::Invalid("threads must be at least 1");
  if (c.max_concurrent_queries < 1) return Status::Invalid("max_concurrent_queries must be at least 1");
  if (c.max_connections < 1) return Status::Invalid("max_connections must be at least 1");
  if (c.read_timeout_ms < 1 || c.request_timeout_ms < 1 || c.idle_timeout_ms < 1 ||
      c.write_timeout_ms < 1) {
    return Status::Invalid("read, request, idle and write timeouts must be at least 1 ms");
  }
  return Status::OK();
}

}  // namespace quiver::http
