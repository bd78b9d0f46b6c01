// The OpenAPI 3.0 description of quiverd's API, built once.
#include <nlohmann/json.hpp>

#include "http/server_internal.h"

namespace quiver::http {

namespace {

using json = nlohmann::json;

json Ref(const std::string& name) { return {{"$ref", "#/components/schemas/" + name}}; }
json RespRef(const std::string& name) { return {{"$ref", "#/components/responses/" + name}}; }

json QueryParam(const std::string& name, const std::string& description,
                json schema = {{"type", "string"}}, bool required = false) {
  return {{"name", name},
          {"in", "query"},
          {"required", required},
          {"description", description},
          {"schema", schema}};
}

json FormatParams() {
  return json::array(
      {QueryParam("format",
                  "Result format; overrides the Accept header. json (default), ndjson, csv, tsv, "
                  "table, arrow (Arrow IPC stream), arrow-file, parquet.",
                  {{"type", "string"},
                   {"enum", {"json", "ndjson", "csv", "tsv", "table", "arrow", "arrow-file",
                             "parquet"}}}),
       QueryParam("orient", "json: `records` gives each row as an object keyed by column name.",
                  {{"type", "string"}, {"enum", {"values", "records"}}}),
       QueryParam("int64_as_string",
                  "json/ndjson: write int64 and uint64 values as strings (exact in JavaScript).",
                  {{"type", "boolean"}}),
       QueryParam("header", "csv/tsv: false leaves out the header line.", {{"type", "boolean"}}),
       QueryParam("meta",
                  "ndjson: a first line {\"columns\": [{name, type}]} and a last line "
                  "{\"stats\": {rows, rows_scanned, chunks_total, chunks_scanned, chunks_pruned, "
                  "truncated, elapsed_ms}}; json: the same \"stats\" member.",
                  {{"type", "boolean"}}),
       {{"name", "X-Quiver-Query-Id"},
        {"in", "header"},
        {"required", false},
        {"description",
         "the client's name for the query (up to 64 of A-Z a-z 0-9 . _ -), for GET /v1/queries "
         "and DELETE /v1/queries/{id}"},
        {"schema", {{"type", "string"}}}},
       QueryParam("compression", "parquet: the page codec (zstd default, snappy, gzip, lz4, brotli, none).",
                  {{"type", "string"},
                   {"enum", {"zstd", "snappy", "gzip", "lz4", "brotli", "none"}}})});
}

json ResultResponses() {
  json ok = {
      {"description",
       "The result. Large results are streamed (chunked); an error after streaming began ends "
       "the body with the format's error marker: json closes the document with an \"error\" "
       "member, ndjson adds a final {\"error\": ...} line, csv/tsv a final `#error: code: "
       "message` line, and an Arrow stream is cut off without its end-of-stream marker. "
       "X-Quiver-Truncated: true (or \"truncated\": true in json) when max_result_rows cut it "
       "short."},
      {"headers",
       {{"X-Quiver-Txn",
         {{"description", "the snapshot (txn) the result was read from"},
          {"schema", {{"type", "integer"}}}}},
        {"X-Quiver-Rows-Scanned",
         {{"description", "rows of the chunks read (results not streamed)"},
          {"schema", {{"type", "integer"}}}}},
        {"X-Quiver-Chunks-Scanned",
         {{"description", "chunks read (results not streamed)"}, {"schema", {{"type", "integer"}}}}},
        {"X-Quiver-Chunks-Pruned",
         {{"description", "chunks skipped by their statistics (results not streamed)"},
          {"schema", {{"type", "integer"}}}}}}},
      {"content",
       {{"application/json", {{"schema", Ref("QueryResult")}}},
        {"application/x-ndjson", {{"schema", {{"type", "string"}}}}},
        {"text/csv", {{"schema", {{"type", "string"}}}}},
        {"text/tab-separated-values", {{"schema", {{"type", "string"}}}}},
        {"application/vnd.apache.arrow.stream",
         {{"schema", {{"type", "string"}, {"format", "binary"}}}}},
        {"application/vnd.apache.parquet",
         {{"schema", {{"type", "string"}, {"format", "binary"}}}}}}}};
  return {{"200", ok},
          {"400", RespRef("BadRequest")},
          {"401", RespRef("Unauthorized")},
          {"403", RespRef("Forbidden")},
          {"404", RespRef("NotFound")},
          {"406", RespRef("NotAcceptable")},
          {"422", RespRef("Unprocessable")},
          {"503", RespRef("Unavailable")}};
}

// components/schemas: the bodies of requests and responses.
json Schemas() {
  json s;
  s["Error"] = {
      {"type", "object"},
      {"required", {"error"}},
      {"properties",
       {{"error",
         {{"type", "object"},
          {"required", {"code", "message"}},
          {"properties",
           {{"code", {{"type", "string"}, {"example", "invalid_argument"}}},
            {"message", {{"type", "string"}}},
            {"line", {{"type", "integer"}, {"description", "1-based line of a query text error"}}},
            {"column", {{"type", "integer"}, {"description", "1-based column (code points)"}}},
            {"offset", {{"type", "integer"}, {"description", "0-based byte offset"}}},
            {"parameter",
             {{"type", "string"}, {"description", "the URL parameter that was wrong"}}},
            {"tables",
             {{"type", "array"},
              {"items", {{"type", "string"}}},
              {"description", "for an unknown table: the tables that exist"}}}}}}}}}};
  s["Health"] = {{"type", "object"},
                 {"properties",
                  {{"status", {{"type", "string"}, {"enum", {"ok", "shutting_down"}}}},
                   {"pool", {{"type", "string"}}},
                   {"uuid", {{"type", "string"}}},
                   {"txn", {{"type", "integer"}}},
                   {"engine", {{"type", "string"}, {"enum", {"pmem", "mmap"}}}},
                   {"read_only", {{"type", "boolean"}}},
                   {"writes_enabled", {{"type", "boolean"}}},
                   {"uptime", {{"type", "number"}, {"description", "seconds"}}}}}};
  s["TableSummary"] = {
      {"type", "object"},
      {"properties",
       {{"name", {{"type", "string"}}},
        {"rows", {{"type", "integer"}}},
        {"chunks", {{"type", "integer"}}},
        {"bytes", {{"type", "integer"}}},
        {"datashape", {{"type", "string"}, {"example", "var * {id: int64, fare: ?float64}"}}}}}};
  s["Field"] = {{"type", "object"},
                {"properties",
                 {{"name", {{"type", "string"}}},
                  {"type", {{"type", "string"}, {"example", "timestamp[ms, tz=UTC]"}}},
                  {"nullable", {{"type", "boolean"}}}}}};
  s["ColumnStats"] = {
      {"type", "object"},
      {"properties",
       {{"name", {{"type", "string"}}},
        {"type", {{"type", "string"}}},
        {"nulls", {{"type", "integer"}}},
        {"min", {{"nullable", true}, {"description", "rendered as in results"}}},
        {"max", {{"nullable", true}}},
        {"min_exact",
         {{"type", "boolean"}, {"description", "strings: false when cut to a prefix"}}},
        {"max_exact", {{"type", "boolean"}}}}}};
  s["TableDetail"] = {
      {"allOf",
       json::array({Ref("TableSummary"),
                    {{"type", "object"},
                     {"properties",
                      {{"fields", {{"type", "array"}, {"items", Ref("Field")}}},
                       {"schema",
                        {{"type", "object"},
                         {"description", "the schema in its JSON form (columnar/schema.h)"}}},
                       {"columns", {{"type", "array"}, {"items", Ref("ColumnStats")}}},
                       {"chunk_list", {{"type", "array"}, {"items", {{"type", "object"}}}}},
                       {"created", {{"type", "string"}, {"format", "date-time"}}},
                       {"modified", {{"type", "string"}, {"format", "date-time"}}},
                       {"modified_txn", {{"type", "integer"}}},
                       {"zero_copy",
                        {{"type", "object"},
                         {"description", "what a local process needs to map the table zero-copy"},
                         {"properties",
                          {{"pool", {{"type", "string"}}},
                           {"uuid", {{"type", "string"}}},
                           {"txn", {{"type", "integer"}}}}}}}}}}})}};
  s["QueryResult"] = {
      {"type", "object"},
      {"properties",
       {{"columns",
         {{"type", "array"},
          {"items",
           {{"type", "object"},
            {"properties", {{"name", {{"type", "string"}}}, {"type", {{"type", "string"}}}}}}}}},
        {"rows",
         {{"type", "array"},
          {"description",
           "arrays of values (objects with orient=records). NULL is null; integers exact "
           "(strings with int64_as_string); floats shortest round-trip, NaN/Infinity as "
           "strings; dates YYYY-MM-DD; timestamps ISO-8601 UTC with Z; binary base64."},
          {"items", {}}}},
        {"row_count", {{"type", "integer"}}},
        {"truncated", {{"type", "boolean"}}},
        {"elapsed_ms", {{"type", "number"}}},
        {"error", Ref("Error")}}}};
  s["JsonQuery"] = {
      {"type", "object"},
      {"description",
       "{\"sql\": \"SELECT ...\"} or the JSON query model: table, select, where, group_by, "
       "order_by, limit, offset (store/query.h); plus format and orient."},
      {"properties",
       {{"sql", {{"type", "string"}}},
        {"table", {{"type", "string"}}},
        {"select", {{"oneOf", json::array({{{"type", "string"}}, {{"type", "array"}}})}}},
        {"where", {{"description", "an expression tree {\"op\", \"args\"} or SQL text"}}},
        {"group_by", {{"oneOf", json::array({{{"type", "string"}}, {{"type", "array"}}})}}},
        {"order_by", {{"oneOf", json::array({{{"type", "string"}}, {{"type", "array"}}})}}},
        {"limit", {{"type", "integer"}, {"minimum", 0}}},
        {"offset", {{"type", "integer"}, {"minimum", 0}}},
        {"format", {{"type", "string"}}},
        {"orient", {{"type", "string"}}}}},
      {"example",
       {{"table", "trips"},
        {"select", {"vendor", {{"agg", "avg"}, {"col", "fare"}, {"as", "avg_fare"}}}},
        {"where", "fare > 30"},
        {"group_by", {"vendor"}},
        {"order_by", "avg_fare desc"},
        {"limit", 10}}}};
  s["CreateTable"] = {
      {"type", "object"},
      {"required", {"name"}},
      {"properties",
       {{"name", {{"type", "string"}}},
        {"schema",
         {{"type", "object"},
          {"description", "{\"fields\": [{\"name\", \"type\", \"nullable\"}]}"}}},
        {"datashape", {{"type", "string"}, {"example", "var * {id: int64, name: ?string}"}}},
        {"if_not_exists", {{"type", "boolean"}}}}}};
  s["AppendResult"] = {{"type", "object"},
                       {"properties",
                        {{"table", {{"type", "string"}}},
                         {"rows", {{"type", "integer"}}},
                         {"txn", {{"type", "integer"}}},
                         {"created", {{"type", "boolean"}}}}}};
  return s;
}

// components/responses: one per error status the server answers with.
json Responses() {
  json r;
  auto err = [](const std::string& d) {
    return json{{"description", d},
                {"content", {{"application/json", {{"schema", Ref("Error")}}}}}};
  };
  r["BadRequest"] =
      err("invalid_argument: a malformed request, query or body (with line, column and offset for "
          "query text, and the parameter it was in); limit_exceeded: a query over max_sql_bytes, "
          "max_in_list, max_expr_depth or max_result_columns.");
  r["Unauthorized"] = err("A bearer token is required.");
  r["Forbidden"] = err("Wrong token, or writes are disabled.");
  r["NotFound"] = err("Unknown table (the tables that exist are listed) or column.");
  r["NotAcceptable"] = err("The Accept header names no format the server produces.");
  r["Unprocessable"] =
      err("Well-formed but not applicable: type_error (a type mismatch, rows that do not fit the "
          "table), overflow, not_supported.");
  r["Conflict"] = err("already_exists (the table exists), or locked (another writer).");
  r["OutOfSpace"] = err("out_of_space: the pool is full.");
  r["Unavailable"] =
      err("Over max_concurrent_queries with the admission queue full or no slot within "
          "admission_wait_ms, over max_connections, query timeout, or shutting down "
          "(Retry-After).");
  r["TooLarge"] = err("Body over max_body_bytes.");
  r["LengthRequired"] = err("A body without Content-Length or chunked encoding.");
  r["UnsupportedMediaType"] = err("The body's Content-Type is not one the endpoint reads.");
  r["MethodNotAllowed"] = err("The method is not allowed on this path (see Allow).");
  return r;
}

// Reads are open, or need a bearer token (read_token); writes need one.
const json kReadSecurity = json::array({json::object(), {{"bearer", json::array()}}});
const json kWriteSecurity = json::array({{{"bearer", json::array()}}});

json NameParam() {
  return {{"name", "name"},
          {"in", "path"},
          {"required", true},
          {"description", "table name: letters, digits, underscores"},
          {"schema", {{"type", "string"}, {"pattern", "^[A-Za-z_][A-Za-z0-9_]{0,127}$"}}}};
}

// Health, tables and their rows.
void TablePaths(json& p) {
  const json& read_security = kReadSecurity;
  const json& write_security = kWriteSecurity;
  const json name_param = NameParam();
  p["/v1/health"]["get"] = {
      {"summary", "Liveness and the pool's identity"},
      {"responses",
       {{"200",
         {{"description", "ok"}, {"content", {{"application/json", {{"schema", Ref("Health")}}}}}}},
        {"503",
         {{"description", "shutting down"},
          {"content", {{"application/json", {{"schema", Ref("Health")}}}}}}}}}};
  p["/v1/tables"]["get"] = {
      {"summary", "List tables"},
      {"security", read_security},
      {"responses",
       {{"200",
         {{"description", "the tables"},
          {"content",
           {{"application/json",
             {{"schema", {{"type", "array"}, {"items", Ref("TableSummary")}}}}}}}}},
        {"401", RespRef("Unauthorized")}}}};
  p["/v1/tables"]["post"] = {
      {"summary", "Create a table (writes enabled; write token)"},
      {"security", write_security},
      {"requestBody",
       {{"required", true}, {"content", {{"application/json", {{"schema", Ref("CreateTable")}}}}}}},
      {"responses",
       {{"201",
         {{"description", "created"},
          {"content", {{"application/json", {{"schema", Ref("TableDetail")}}}}}}},
        {"400", RespRef("BadRequest")},
        {"401", RespRef("Unauthorized")},
        {"403", RespRef("Forbidden")},
        {"409", RespRef("Conflict")},
        {"415", RespRef("UnsupportedMediaType")},
        {"422", RespRef("Unprocessable")},
        {"507", RespRef("OutOfSpace")}}}};
  p["/v1/tables/{name}"]["parameters"] = json::array({name_param});
  p["/v1/tables/{name}"]["get"] = {
      {"summary", "Schema, statistics, chunks and zero-copy access of one table"},
      {"security", read_security},
      {"parameters",
       json::array({QueryParam("distinct",
                               "add each column's distinct_estimate (approx_count_distinct, "
                               "HyperLogLog, about 1 % off; one scan of the table)",
                               {{"type", "boolean"}}),
                    QueryParam("int64_as_string",
                               "64-bit integer min and max as strings (exact in JavaScript)",
                               {{"type", "boolean"}})})},
      {"responses",
       {{"200",
         {{"description", "the table"},
          {"content", {{"application/json", {{"schema", Ref("TableDetail")}}}}}}},
        {"404", RespRef("NotFound")}}}};
  p["/v1/tables/{name}"]["delete"] = {
      {"summary", "Drop a table (writes enabled; write token)"},
      {"security", write_security},
      {"responses",
       {{"200", {{"description", "dropped: {\"dropped\": name, \"txn\": n}"}}},
        {"401", RespRef("Unauthorized")},
        {"403", RespRef("Forbidden")},
        {"404", RespRef("NotFound")}}}};
  json rows_get_params = json::array(
      {name_param,
       QueryParam("select", "select list in SQL: `a, b` or `vendor, count(*) as n` (default *)"),
       QueryParam("where", "a SQL condition: `fare > 30 and city in ('a','b')`"),
       QueryParam("group_by", "column list: `vendor, city`"),
       QueryParam("order_by", "`fare desc, id` (NULLS FIRST/LAST allowed)"),
       QueryParam("limit", "rows to return", {{"type", "integer"}, {"minimum", 0}}),
       QueryParam("offset", "rows to skip", {{"type", "integer"}, {"minimum", 0}})});
  for (const json& f : FormatParams()) rows_get_params.push_back(f);
  p["/v1/tables/{name}/rows"]["get"] = {{"summary", "Query one table through URL parameters"},
                                        {"security", read_security},
                                        {"parameters", rows_get_params},
                                        {"responses", ResultResponses()}};
  p["/v1/tables/{name}/rows"]["post"] = {
      {"summary", "Append rows, all-or-nothing, acknowledged after a synchronous commit"},
      {"security", write_security},
      {"parameters",
       json::array(
           {name_param,
            QueryParam("create", "Arrow and Parquet bodies: create the table with the body's schema if missing",
                       {{"type", "boolean"}}),
            QueryParam("key",
                       "idempotency key (or the Idempotency-Key header, at most 200 bytes): the "
                       "append is recorded under it in its own transaction, and a retry with a "
                       "key already applied is answered 200 with \"replayed\": true and the "
                       "first txn, not applied again (the last 1024 keys per table are kept)"),
            QueryParam("stage",
                       "a staging id: the rows are held under it (part named by the key; a "
                       "retried part replaces itself), answered 202, and made visible by POST "
                       "/v1/tables/{name}/stages/{id} in one transaction")})},
      {"requestBody",
       {{"required", true},
        {"content",
         {{"application/x-ndjson", {{"schema", {{"type", "string"}}}}},
          {"text/csv", {{"schema", {{"type", "string"}}}}},
          {"text/tab-separated-values", {{"schema", {{"type", "string"}}}}},
          {"application/vnd.apache.arrow.stream",
           {{"schema", {{"type", "string"}, {"format", "binary"}}}}},
          {"application/vnd.apache.arrow.file",
           {{"schema", {{"type", "string"}, {"format", "binary"}}}}},
          {"application/vnd.apache.parquet",
           {{"schema", {{"type", "string"}, {"format", "binary"}}}}}}}}},
      {"responses",
       {{"200",
         {{"description", "appended"},
          {"content", {{"application/json", {{"schema", Ref("AppendResult")}}}}}}},
        {"201",
         {{"description", "created and appended"},
          {"content", {{"application/json", {{"schema", Ref("AppendResult")}}}}}}},
        {"400", RespRef("BadRequest")},
        {"401", RespRef("Unauthorized")},
        {"403", RespRef("Forbidden")},
        {"404", RespRef("NotFound")},
        {"411", RespRef("LengthRequired")},
        {"413", RespRef("TooLarge")},
        {"415", RespRef("UnsupportedMediaType")},
        {"422", RespRef("Unprocessable")},
        {"507", RespRef("OutOfSpace")}}}};
}

// Per-chunk access for distributed readers, and staged appends.
void ChunkPaths(json& p) {
  const json name_param = NameParam();
  const json id_param = {{"name", "id"}, {"in", "path"}, {"required", true},
                         {"schema", {{"type", "string"}}}};
  json params = json::array(
      {name_param,
       QueryParam("where",
                  "a SQL condition. Listing: chunks whose statistics prove it never TRUE are "
                  "left out (the engine's pruner: three-valued logic, NaN, inexact string "
                  "bounds, all-NULL chunks) and counted in \"pruned\". Data: rows are filtered"),
       QueryParam("chunks",
                  "chunk data: an index or inclusive range `i..j` of the listing's indices; the "
                  "answer is an Arrow IPC stream (the pool's own chunk bytes when neither where= "
                  "nor select= is given)"),
       QueryParam("txn",
                  "the txn the listing (or scan) showed; required with chunks=. Served from the "
                  "scan lease holding it, or from the current state while the table is "
                  "unchanged since; otherwise 409 table_changed (\"table changed since txn N\")",
                  {{"type", "integer"}}),
       QueryParam("scan", "a scan lease id: renews it and reads its pinned version"),
       QueryParam("select", "chunk data: the columns to return, `a, b`")});
  for (const json& f : FormatParams()) params.push_back(f);
  p["/v1/tables/{name}/chunks"]["get"] = {
      {"summary",
       "List a table's chunks ({txn, rows, total, pruned, chunks: [{index, rows, offset, "
       "length, created_txn, stats: {column: {min, max, nulls, nan, sorted}}}]}), or with "
       "chunks=i..j&txn=N fetch their data as Arrow IPC"},
      {"security", kReadSecurity},
      {"parameters", params},
      {"responses",
       {{"200", {{"description", "the listing (JSON) or the chunks' rows (Arrow IPC stream)"}}},
        {"400", RespRef("BadRequest")},
        {"404", RespRef("NotFound")},
        {"409", {{"description", "table_changed: the table changed since txn and no lease holds it"}}}}}};
  p["/v1/tables/{name}/scans"]["post"] = {
      {"summary",
       "Start a scan lease: the table's current version stays readable by chunk requests "
       "naming its txn until the lease expires (ttl_ms after its last use, default 300000) "
       "or is released; returns {id, table, txn, ttl_ms, rows, chunks}. At most 256 live "
       "leases per server (503 past that)"},
      {"security", kReadSecurity},
      {"parameters", json::array({name_param, QueryParam("ttl_ms", "lease time to live in ms",
                                                         {{"type", "integer"}, {"minimum", 1}})})},
      {"responses",
       {{"201", {{"description", "the lease"}}},
        {"404", RespRef("NotFound")},
        {"503", {{"description", "too many live leases"}}}}}};
  p["/v1/tables/{name}/scans/{id}"]["delete"] = {
      {"summary", "Release a scan lease (its pin goes at once)"},
      {"security", kReadSecurity},
      {"parameters", json::array({name_param, id_param})},
      {"responses", {{"200", {{"description", "released"}}}, {"404", RespRef("NotFound")}}}};
  p["/v1/tables/{name}/stages/{id}"]["post"] = {
      {"summary",
       "Commit every part staged under id in one transaction, recorded under the key "
       "\"stage:{id}\" (a retried commit is answered with the first txn, \"replayed\": "
       "true); {table, stage, parts, rows, txn, replayed}. Stages live in the server's memory "
       "(at most 64, 1 GiB in all) and are lost by a restart"},
      {"security", kWriteSecurity},
      {"parameters", json::array({name_param, id_param})},
      {"responses",
       {{"200", {{"description", "committed (or replayed)"}}}, {"404", RespRef("NotFound")}}}};
  p["/v1/tables/{name}/stages/{id}"]["delete"] = {
      {"summary", "Drop a stage without committing it"},
      {"security", kWriteSecurity},
      {"parameters", json::array({name_param, id_param})},
      {"responses", {{"200", {{"description", "dropped"}}}, {"404", RespRef("NotFound")}}}};
}

// Queries, and the documents about the server.
void QueryPaths(json& p) {
  const json& read_security = kReadSecurity;
  const json name_param = NameParam();
  json q_params = FormatParams();
  p["/v1/query"]["post"] = {
      {"summary", "Run a query: {\"sql\": ...} or the JSON model with \"table\""},
      {"security", read_security},
      {"parameters", q_params},
      {"requestBody",
       {{"required", true},
        {"content",
         {{"application/json", {{"schema", Ref("JsonQuery")}}},
          {"application/sql", {{"schema", {{"type", "string"}}}}}}}}},
      {"responses", ResultResponses()}};
  json tq_params = json::array({name_param});
  for (const json& f : FormatParams()) tq_params.push_back(f);
  p["/v1/tables/{name}/query"]["post"] = {
      {"summary", "Run a JSON-model query on one table (\"table\" may be left out)"},
      {"security", read_security},
      {"parameters", tq_params},
      {"requestBody",
       {{"required", true}, {"content", {{"application/json", {{"schema", Ref("JsonQuery")}}}}}}},
      {"responses", ResultResponses()}};
  json sql_params = json::array(
      {QueryParam("q", "the SQL text: SELECT ... FROM table ...", {{"type", "string"}}, true)});
  for (const json& f : FormatParams()) sql_params.push_back(f);
  p["/v1/sql"]["get"] = {{"summary", "Run SQL given in the URL"},
                         {"security", read_security},
                         {"parameters", sql_params},
                         {"responses", ResultResponses()}};
  p["/v1/admin/backup"]["post"] = {
      {"summary",
       "Stream a consistent backup of the latest state (the X-Quiver-Txn header); "
       "`quiver pool restore` rebuilds the pool from the body"},
      {"security", kWriteSecurity},
      {"responses",
       {{"200",
         {{"description", "the backup stream format (README, \"Backup\")"},
          {"content", {{"application/octet-stream", json::object()}}}}}}}};
  p["/v1/openapi.json"]["get"] = {
      {"summary", "This document"},
      {"responses",
       {{"200",
         {{"description", "OpenAPI 3.0"}, {"content", {{"application/json", json::object()}}}}}}}};
  p["/metrics"]["get"] = {
      {"summary",
       "Prometheus metrics: requests by route and status, latency histogram, rows "
       "scanned/returned, chunks pruned, pool bytes used and capacity, txn, reader pins"},
      {"security", read_security},
      {"responses",
       {{"200",
         {{"description", "text exposition format 0.0.4"},
          {"content", {{"text/plain", {{"schema", {{"type", "string"}}}}}}}}}}}};
  p["/v1/queries"]["get"] = {
      {"summary", "The running queries: [{id, elapsed_ms, cancelled}] (id: X-Quiver-Query-Id)"},
      {"security", read_security},
      {"responses", {{"200", {{"description", "the running queries"}}}}}};
  p["/v1/queries/{id}"]["delete"] = {
      {"summary",
       "Cancel the running queries sent with X-Quiver-Query-Id: {id} (read token; the query "
       "ends with 503 cancelled and counts in quiver_queries_cancelled_total{reason="
       "\"client_request\"})"},
      {"security", read_security},
      {"parameters",
       json::array({{{"name", "id"}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}}})},
      {"responses",
       {{"200", {{"description", "{\"id\": id, \"cancelled\": n}"}}},
        {"400", RespRef("BadRequest")},
        {"404", RespRef("NotFound")}}}};
  p["/"]["get"] = {
      {"summary",
       "The web console: schema browser, SQL editor, streamed results, charts, plans "
       "(http/web/, no token needed for the page itself)"},
      {"responses",
       {{"200", {{"description", "HTML"}, {"content", {{"text/html", json::object()}}}}}}}};
  p["/web/{file}"]["get"] = {
      {"summary", "The console's scripts and styles (app.js, app.css, ...)"},
      {"parameters",
       json::array({{{"name", "file"}, {"in", "path"}, {"required", true}, {"schema", {{"type", "string"}}}}})},
      {"responses", {{"200", {{"description", "JavaScript or CSS"}}}, {"404", RespRef("NotFound")}}}};
}

json Paths() {
  json p;
  TablePaths(p);
  ChunkPaths(p);
  QueryPaths(p);
  return p;
}

json Build() {
  json doc;
  doc["openapi"] = "3.0.3";
  doc["info"] = {
      {"title", "quiverd"},
      {"version", "1"},
      {"description",
       "Quiver's HTTP/JSON API: columnar tables in a persistent-memory pool, queried in SQL or "
       "the JSON query model, results as JSON, NDJSON, CSV or Arrow IPC. Every request reads "
       "the latest committed snapshot. Responses are compressed with zstd or gzip (by "
       "Accept-Encoding) above a size threshold. Errors are {\"error\": {\"code\", \"message\"}} "
       "with line/column/offset for query text errors."}};
  doc["servers"] = json::array({{{"url", "/"}}});
  doc["components"]["securitySchemes"]["bearer"] = {{"type", "http"}, {"scheme", "bearer"}};
  doc["components"]["schemas"] = Schemas();
  doc["components"]["responses"] = Responses();
  doc["paths"] = Paths();
  return doc;
}

}  // namespace

std::string OpenApiDocument() {
  static const std::string doc = Build().dump(1) + "\n";
  return doc;
}

}  // namespace quiver::http
