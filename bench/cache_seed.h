// Fills a state directory's cache.db with really signed allow verdicts, as
// if the agent had received them from the API: each is signed with the demo
// fixtures' response seed over a request body that carries the agent's own
// hwid for the product, so the agent's load checks (signature, key, hwid)
// accept every row.
//
// The database must already exist with the agent's schema (start the agent
// on the state directory once, then stop it). Rows are written in one
// transaction straight into the `verdicts` table of agent/store/schema.cpp:
// PutVerdict's one fsync per row would make seeding 10,000 rows take
// minutes for no benefit.
#ifndef GG_BENCH_CACHE_SEED_H_
#define GG_BENCH_CACHE_SEED_H_

#include <filesystem>
#include <string>

#include "platform/result.h"

namespace gg::bench {

struct SeedOptions {
  std::filesystem::path database;  // <state dir>/cache.db
  std::string product_id;
  std::string hwid;        // the agent's hwid for product_id
  std::string key_prefix;  // license keys are prefix + 5-digit index
  int count = 10000;
  long long now_unix = 0;  // serverTime, response timestamp, received_at
};

[[nodiscard]] Status SeedVerdicts(const SeedOptions& options);

}  // namespace gg::bench

#endif  // GG_BENCH_CACHE_SEED_H_
