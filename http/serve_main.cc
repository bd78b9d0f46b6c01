// The program behind quiverd and `quiver serve`: flags, config, pool, signals.
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "http/server.h"

namespace quiver::http {

namespace {

std::string Usage(const std::string& prog) {
  return "Usage: " + prog +
         " --pool PATH [--listen HOST:PORT] [--config FILE] [--threads N]\n\n"
         "Serves the pool at PATH over HTTP (JSON, NDJSON, CSV, Arrow). Reads see every commit,\n"
         "including those of other processes (quiver ingest), from the next request on.\n"
         "The pool is opened read-only unless the config sets \"writes_enabled\": true.\n\n"
         "  --pool PATH         the pool file (required)\n"
         "  --listen HOST:PORT  address to bind (default 127.0.0.1:8080; port 0 = any free port)\n"
         "  --config FILE       JSON config: listen, threads, max_body_bytes, max_result_rows,\n"
         "                      query_timeout_ms, max_concurrent_queries, admission_wait_ms,\n"
         "                      admission_queue, max_sql_bytes, max_in_list, max_expr_depth,\n"
         "                      max_result_columns, query_threads, max_query_memory,\n"
         "                      writes_enabled, write_token, read_token, cors,\n"
         "                      compress_min_bytes,\n"
         "                      shutdown_grace_ms, read_timeout_ms, request_timeout_ms,\n"
         "                      idle_timeout_ms, write_timeout_ms, max_connections,\n"
         "                      max_header_bytes, log_requests\n"
         "  --threads N         HTTP worker threads (overrides the config)\n\n"
         "Prints \"listening on http://HOST:PORT\" on stdout when ready. SIGTERM or SIGINT\n"
         "stops accepting, lets requests in flight finish (shutdown_grace_ms), exits 0.\n"
         "API: GET /v1/openapi.json; web page: GET /.\n";
}

}  // namespace

int ServeMain(const std::string& prog, const std::vector<std::string>& args) {
  std::string pool, listen, config_path, threads;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    if (a == "--help" || a == "-h") {
      std::cout << Usage(prog);
      return 0;
    }
    std::string value;
    bool has_value = false;
    auto eq = a.find('=');
    if (a.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = a.substr(eq + 1);
      a = a.substr(0, eq);
      has_value = true;
    }
    std::string* target = a == "--pool" ? &pool : a == "--listen" ? &listen
                        : a == "--config" ? &config_path : a == "--threads" ? &threads : nullptr;
    if (target == nullptr) {
      std::cerr << prog << ": unknown argument " << args[i] << "\n\n" << Usage(prog);
      return 1;
    }
    if (!has_value) {
      if (i + 1 >= args.size()) {
        std::cerr << prog << ": " << a << " needs a value\n";
        return 1;
      }
      value = args[++i];
    }
    *target = value;
  }
  if (pool.empty()) {
    std::cerr << prog << ": --pool PATH is required\n\n" << Usage(prog);
    return 1;
  }
  ServerConfig cfg;
  if (!config_path.empty()) {
    auto c = LoadServerConfig(config_path);
    if (!c.ok()) {
      std::cerr << prog << ": " << c.status().message() << "\n";
      return 1;
    }
    cfg = std::move(*c);
  }
  if (!listen.empty()) {
    Status s = ParseListen(listen, &cfg);
    if (!s.ok()) {
      std::cerr << prog << ": --listen: " << s.message() << "\n";
      return 1;
    }
  }
  if (!threads.empty()) {
    char* end = nullptr;
    long n = std::strtol(threads.c_str(), &end, 10);
    if (*end != '\0' || n < 1 || n > 1024) {
      std::cerr << prog << ": --threads must be a number from 1 to 1024\n";
      return 1;
    }
    cfg.threads = int(n);
  }
  if (Status s = ValidateServerConfig(cfg); !s.ok()) {
    std::cerr << prog << ": " << s.message() << "\n";
    return 1;
  }

  // Signals go to a dedicated thread: block them before any thread starts.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  signal(SIGPIPE, SIG_IGN);

  store::StoreOptions opts;
  opts.read_only = !cfg.writes_enabled;
  auto st = store::Store::Open(pool, opts);
  if (!st.ok()) {
    std::cerr << prog << ": " << st.status().message() << "\n";
    return st.status().code() == StatusCode::kInvalidArgument ? 1 : 3;
  }
  auto server = Server::Create(st->get(), cfg);
  if (!server.ok()) {
    std::cerr << prog << ": " << server.status().message() << "\n";
    return 1;
  }
  if (Status s = (*server)->Start(); !s.ok()) {
    std::cerr << prog << ": " << s.message() << "\n";
    return 1;
  }
  std::string host = cfg.host.find(':') != std::string::npos ? "[" + cfg.host + "]" : cfg.host;
  std::printf("listening on http://%s:%d (pool %s, %s)\n", host.c_str(), (*server)->port(),
              pool.c_str(), cfg.writes_enabled ? "writer" : "read-only");
  std::fflush(stdout);

  std::thread signals([&] {
    int sig = 0;
    sigwait(&sigs, &sig);
    std::fprintf(stderr, "%s: %s received: draining requests (up to %lld ms)\n", prog.c_str(),
                 sig == SIGTERM ? "SIGTERM" : "SIGINT", static_cast<long long>(cfg.shutdown_grace_ms));
    (*server)->Shutdown(std::chrono::milliseconds(cfg.shutdown_grace_ms));
    // A second signal: stop waiting.
    sigwait(&sigs, &sig);
    std::fprintf(stderr, "%s: second signal: exiting now\n", prog.c_str());
    std::_Exit(1);
  });
  (*server)->Wait();
  std::fprintf(stderr, "%s: stopped\n", prog.c_str());
  // The signal thread is blocked in sigwait; the process exits with it.
  signals.detach();
  server->reset();
  st->reset();
  return 0;
}

}  // namespace quiver::http
