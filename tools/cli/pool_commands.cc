// quiver pool create | info | check | grow
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "config/units.h"
#include "pmem/pool.h"
#include "store/store.h"
#include "tools/cli/cli.h"

namespace quiver::cli {
namespace {

using quiver::FormatBytes;
using pmem::Pool;

int PoolCreate(const std::vector<std::string>& argv) {
  const std::string cmd = "pool create";
  auto args = Args::Parse(argv, {}, {"size"});
  if (!args.ok()) return UsageError(cmd, args.status().message());
  if (args->positional().size() != 1) return UsageError(cmd, "expected exactly one PATH");
  auto size = ParseSize(args->Get("size", "1G"));
  if (!size.ok()) return UsageError(cmd, size.status().message());
  const std::string& path = args->positional()[0];
  auto pool = Pool::Create(path, *size);
  if (!pool.ok()) return Fail(cmd, pool.status(), ErrorSource::kPool);
  pmem::PoolInfo info = (*pool)->Info();
  std::cerr << "created pool " << path << ": " << FormatBytes(info.capacity) << " capacity, uuid "
            << info.uuid << ", engine " << info.engine() << "\n";
  return kExitOk;
}

nlohmann::json InfoJson(const pmem::PoolInfo& i) {
  nlohmann::json readers = nlohmann::json::array();
  for (const auto& r : i.readers) {
    readers.push_back({{"slot", r.slot},
                       {"pid", r.pid},
                       {"txn", r.txn_id},
                       {"pinned_at", FormatTime(r.pin_time_ns)}});
  }
  return {{"path", i.path},
          {"uuid", i.uuid},
          {"format_version", i.format_version},
          {"page_size", i.page_size},
          {"created", FormatTime(i.create_time_ns)},
          {"engine", i.engine()},
          {"txn", i.txn_id},
          {"committed", FormatTime(i.commit_time_ns)},
          {"capacity_bytes", i.capacity},
          {"file_bytes", i.file_bytes},
          {"disk_bytes", i.disk_bytes},
          {"used_bytes", i.used_bytes},
          {"free_bytes", i.free_bytes},
          {"high_water", i.high_water},
          {"free_extents", i.free_extents},
          {"free_list_bytes", i.free_list_bytes},
          {"free_list_pending_bytes", i.free_list_pending},
          {"root", {{"offset", i.root.offset}, {"length", i.root.length}}},
          {"readers", readers}};
}

int PoolInfoCmd(const std::vector<std::string>& argv) {
  const std::string cmd = "pool info";
  auto args = Args::Parse(argv, {"json"}, {});
  if (!args.ok()) return UsageError(cmd, args.status().message());
  if (args->positional().size() != 1) return UsageError(cmd, "expected exactly one PATH");
  auto pool = Pool::OpenReadOnly(args->positional()[0]);
  if (!pool.ok()) return Fail(cmd, pool.status(), ErrorSource::kPool);
  pmem::PoolInfo i = (*pool)->Info();
  if (args->Has("json")) {
    std::cout << InfoJson(i).dump(2) << "\n";
    return kExitOk;
  }
  std::printf("pool            %s\n", i.path.c_str());
  std::printf("uuid            %s\n", i.uuid.c_str());
  std::printf("format          version %u, page size %llu\n", i.format_version,
              (unsigned long long)i.page_size);
  std::printf("created         %s\n", FormatTime(i.create_time_ns).c_str());
  std::printf("engine          %s (%s)\n", i.engine(),
              i.is_pmem ? "persistent memory: CPU cache flushes" : "no pmem: mmap with msync");
  std::printf("txn             %llu, committed %s\n", (unsigned long long)i.txn_id,
              FormatTime(i.commit_time_ns).c_str());
  std::printf("capacity        %s (%llu bytes)\n", FormatBytes(i.capacity).c_str(),
              (unsigned long long)i.capacity);
  std::printf("used            %s (%llu bytes)\n", FormatBytes(i.used_bytes).c_str(),
              (unsigned long long)i.used_bytes);
  std::printf("free            %s (%llu bytes)\n", FormatBytes(i.free_bytes).c_str(),
              (unsigned long long)i.free_bytes);
  std::printf("free extents    %zu (%s, %s waiting for readers)\n", i.free_extents,
              FormatBytes(i.free_list_bytes).c_str(), FormatBytes(i.free_list_pending).c_str());
  std::printf("file            %s logical, %s on disk (sparse)\n",
              FormatBytes(i.file_bytes).c_str(), FormatBytes(i.disk_bytes).c_str());
  // This command's own pin is not a reader worth listing.
  std::printf("readers         %zu\n", i.readers.size());
  for (const auto& r : i.readers) {
    std::printf("  slot %-4u pid %-8u txn %-10llu since %s\n", r.slot, r.pid,
                (unsigned long long)r.txn_id, FormatTime(r.pin_time_ns).c_str());
  }
  return kExitOk;
}

int PoolCheckCmd(const std::vector<std::string>& argv) {
  const std::string cmd = "pool check";
  auto args = Args::Parse(argv, {"quiet", "deep"}, {});
  if (!args.ok()) return UsageError(cmd, args.status().message());
  if (args->positional().size() != 1) return UsageError(cmd, "expected exactly one PATH");
  const std::string& path = args->positional()[0];
  // Through the store, so the catalog is verified and every chunk extent
  // counts as live (overlaps with free extents are damage).
  store::StoreCheck r = store::Store::Check(path, args->Has("deep"));
  if (!args->Has("quiet")) {
    for (const auto& n : r.pool.notes) std::cout << "  " << n << "\n";
  }
  if (r.healthy()) {
    std::cout << path << ": healthy" << (args->Has("deep") ? " (every chunk validated)" : "")
              << "\n";
    return kExitOk;
  }
  std::cout << path << ": DAMAGED, " << r.pool.issues.size() + r.problems.size()
            << " problem(s):\n";
  for (const auto& i : r.pool.issues) std::cout << "  " << i.where << ": " << i.problem << "\n";
  for (const auto& p : r.problems) std::cout << "  " << p << "\n";
  return kExitPool;
}

int PoolGrowCmd(const std::vector<std::string>& argv) {
  const std::string cmd = "pool grow";
  auto args = Args::Parse(argv, {}, {"size"});
  if (!args.ok()) return UsageError(cmd, args.status().message());
  if (args->positional().size() != 1 || !args->Has("size")) {
    return UsageError(cmd, "expected PATH and --size NEW_CAPACITY");
  }
  auto size = ParseSize(args->Get("size"));
  if (!size.ok()) return UsageError(cmd, size.status().message());
  auto pool = Pool::Open(args->positional()[0]);
  if (!pool.ok()) return Fail(cmd, pool.status(), ErrorSource::kPool);
  Status s = (*pool)->Grow(*size);
  if (!s.ok()) return Fail(cmd, s, ErrorSource::kPool);
  std::cerr << "pool " << args->positional()[0] << " now has "
            << FormatBytes((*pool)->Info().capacity) << " capacity\n";
  return kExitOk;
}

const bool kRegistered = [] {
  Register({"pool create", "create a new pool file",
            "Usage: quiver pool create PATH [--size SIZE]\n\n"
            "Creates a pool file of SIZE bytes (default 1G; suffixes K, M, G, T). The file is\n"
            "sparse: disk blocks are taken only as data is written. Fails if PATH exists.\n",
            PoolCreate});
  Register({"pool info", "show a pool's superblock, state, space and readers",
            "Usage: quiver pool info PATH [--json]\n\n"
            "Prints the pool's identity, the current transaction, the engine (pmem: CPU\n"
            "cache flushes on a DAX file; mmap: msync on an ordinary file), used and free\n"
            "space and the readers that pin snapshots. Opens the pool read-only.\n",
            PoolInfoCmd});
  Register({"pool check", "verify checksums and extents; exit 3 if damaged",
            "Usage: quiver pool check PATH [--deep] [--quiet]\n\n"
            "Verifies the superblock, both meta slots, the free list, the catalog, and that\n"
            "every extent (chunks included) lies inside the pool and overlaps no other.\n"
            "--deep also validates every chunk's Arrow data (offsets, lengths, indices).\n"
            "Exit 0 when healthy; 3 with a report of each damaged structure and its byte\n"
            "offset otherwise.\n",
            PoolCheckCmd});
  Register({"pool grow", "raise a pool's capacity",
            "Usage: quiver pool grow PATH --size NEW_CAPACITY\n\n"
            "Extends the pool file (sparse) and commits the new capacity. Readers see the\n"
            "larger pool at their next snapshot. Needs the writer lock.\n",
            PoolGrowCmd});
  return true;
}();

}  // namespace
}  // namespace quiver::cli
