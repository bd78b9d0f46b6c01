// quiverd's admin resources: POST /v1/admin/backup (issue 19).
//
// The backup pins the latest state in the handler (its txn goes out in the
// X-Quiver-Txn header), then streams that state in the backup stream format
// (pmem/backup.h) with chunked transfer encoding, compressed as the client
// accepts (zstd, gzip). `quiver pool restore` turns the body back into a
// pool. The response's state holds the pin until the last byte is written;
// the writer keeps committing meanwhile. Needs the write token: a backup
// hands out every byte of every table.
#include "columnar/output_stream.h"
#include "http/server_state_internal.h"
#include "pmem/backup.h"

namespace quiver::http {

namespace {

// One streamed backup response.
struct BackupStream {
  ServerState* state = nullptr;
  std::string method, target, route, remote;
  Clock::time_point start;
  std::unique_ptr<pmem::PoolImage> image;
  std::unique_ptr<OutputStream> out;
  httplib::DataSink* sink = nullptr;

  // The whole body in one step of the content provider: httplib's sink
  // blocks while the socket is full, so this runs at the client's pace.
  bool Produce(httplib::DataSink& to) {
    sink = &to;
    Status s = pmem::WriteStream(
        *image, [this](const uint8_t* p, size_t n) { return out->Write(p, int64_t(n)); }, nullptr);
    if (s.ok()) s = out->Finish();
    sink = nullptr;
    if (!s.ok()) return false;  // the client sees a chunked body cut short
    to.done();
    return true;
  }

  void Release(bool success) {
    ServerState& st = *state;
    uint64_t bytes = out ? out->bytes_out() : 0;
    st.metrics.bytes_sent += bytes;
    LogRequest(st, method, target, route, remote, success ? 200 : 499, start, bytes, -1);
    image.reset();  // the pin goes before the request counts as finished
    st.LeaveRequest();
  }
};

}  // namespace

void AdminBackup(ServerState& st, Call& c) {
  auto image = pmem::PoolImage::Capture(st.store->pool());
  if (!image.ok()) return SetStatusError(c.res, image.status());
  auto s = std::make_shared<BackupStream>();
  s->state = &st;
  s->method = c.req.method;
  s->target = c.req.target;
  s->route = c.route;
  s->remote = c.req.remote_addr;
  s->start = c.start;
  s->image = std::move(*image);
  Encoding e = AcceptedEncoding(c.req);
  BackupStream* raw = s.get();
  TextSink to_client = [raw](std::string_view bytes) {
    return raw->sink->write(bytes.data(), bytes.size()) ? Status::OK()
                                                        : Status::Cancelled("the client went away");
  };
  auto out = OutputStream::Make(to_client, e);
  if (!out.ok()) {
    e = Encoding::kIdentity;
    out = OutputStream::Make(to_client);
  }
  if (!out.ok()) return SetStatusError(c.res, out.status());
  s->out = std::move(*out);
  if (e != Encoding::kIdentity) c.res.set_header("Content-Encoding", EncodingName(e));
  c.res.set_header("Vary", "Accept-Encoding");
  c.res.set_header("X-Quiver-Txn", std::to_string(s->image->txn()));
  c.res.set_header("Content-Disposition", "attachment; filename=\"quiver-backup.qvrbak\"");
  c.res.status = 200;
  c.streaming = true;
  c.res.set_chunked_content_provider(
      "application/octet-stream", [s](size_t, httplib::DataSink& sink) { return s->Produce(sink); },
      [s](bool success) { s->Release(success); });
}

}  // namespace quiver::http
