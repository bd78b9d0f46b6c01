// Private to store/: one catalog-changing transaction as Store::Mutate runs
// it (create, drop, rename, truncate, compact).
#pragma once

#include <string>

#include "store/catalog_internal.h"
#include "store/store.h"

namespace quiver::store {

// The transaction, the catalog it changes and the time it stamps on tables.
// Owned by Store::Mutate for the duration of one call.
struct Store::Mutation {
  pmem::Transaction* txn;
  CatalogState catalog;
  uint64_t now_ns;
  Result<TableState*> Find(const std::string& name) {
    auto it = catalog.tables.find(name);
    if (it == catalog.tables.end()) {
      return UnknownTable(name, catalog);
    }
    return &it->second;
  }
  Status FreeChunks(TableState& t) {
    for (const ChunkInfo& c : t.chunks) QUIVER_RETURN_NOT_OK(txn->Free({c.offset, c.length}));
    t.chunks.clear();
    return Status::OK();
  }
  void Touch(TableState& t) {
    t.modified_ns = now_ns;
    t.modified_txn = txn->txn_id();
  }
};

}  // namespace quiver::store
