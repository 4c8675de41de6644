// An in-memory VerdictStore. Every write is appended to `log` (shared with
// the test, so the test can record its own entries in the same order, e.g.
// "reply"); LoadVerdicts returns the rows as stored: tests seed it with
// really signed verdicts, as the real store returns only verified ones.
#ifndef GG_TESTS_FAKES_FAKE_VERDICT_STORE_H_
#define GG_TESTS_FAKES_FAKE_VERDICT_STORE_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "agent/store/verdict_store.h"

namespace gg::testing {

class FakeVerdictStore final : public store::VerdictStore {
 public:
  Result<std::vector<store::StoredVerdict>> LoadVerdicts() override {
    std::vector<store::StoredVerdict> all;
    for (const auto& [k, v] : verdicts) {
      all.push_back(v);
    }
    return all;
  }
  Result<std::vector<store::StoredVerdict>> LoadUnverifiedVerdicts() override {
    return LoadVerdicts();
  }
  Result<store::VerdictPage> LoadUnverifiedPage(
      const std::optional<store::VerdictKey>& after,
      std::size_t limit) override {
    ++page_reads;
    if (fail_reads) {
      return MakeError(ErrorCode::kStore, "injected read failure");
    }
    store::VerdictPage page;
    // Key() orders as (product_id, license_key) does: '\n' sorts first.
    auto it = after ? verdicts.upper_bound(Key(*after)) : verdicts.begin();
    for (; it != verdicts.end() && page.rows.size() < limit; ++it) {
      page.rows.push_back(it->second);
    }
    if (page.rows.size() == limit && limit > 0) {
      page.next_after = page.rows.back().key;
    }
    return page;
  }
  Result<std::optional<store::StoredVerdict>> LoadUnverifiedVerdict(
      const store::VerdictKey& key) override {
    log.push_back("load:" + key.license_key);
    if (fail_reads) {
      return MakeError(ErrorCode::kStore, "injected read failure");
    }
    auto it = verdicts.find(Key(key));
    if (it == verdicts.end()) {
      return std::optional<store::StoredVerdict>();
    }
    return std::optional<store::StoredVerdict>(it->second);
  }
  Result<std::size_t> CountVerdicts() override { return verdicts.size(); }
  // Fails for the license keys in `bad_signatures`, as the real store's
  // check fails for an edited row.
  Status CheckVerdict(const store::StoredVerdict& verdict) const override {
    ++checks;
    if (bad_signatures.count(verdict.key.license_key) != 0) {
      return MakeError(ErrorCode::kBadVerdict,
                       "response signature does not verify");
    }
    return Ok();
  }
  Status PutVerdict(const store::StoredVerdict& verdict) override {
    if (fail_writes) {
      return MakeError(ErrorCode::kIo, "injected write failure");
    }
    if (put_error) {
      log.push_back("put-failed:" + verdict.key.license_key);
      return tl::unexpected(*put_error);
    }
    log.push_back("put:" + verdict.key.license_key);
    if (fail_verdict_writes) {
      return MakeError(ErrorCode::kStore, "injected put failure");
    }
    verdicts[Key(verdict.key)] = verdict;
    return Ok();
  }
  Status DeleteVerdict(const store::VerdictKey& key) override {
    log.push_back("delete:" + key.license_key);
    if (fail_verdict_deletes) {
      return MakeError(ErrorCode::kStore, "injected delete failure");
    }
    verdicts.erase(Key(key));
    return Ok();
  }
  Status MarkSuperseded(const store::VerdictKey& key) override {
    log.push_back("supersede:" + key.license_key);
    if (fail_marks) {
      return MakeError(ErrorCode::kIo, "injected mark failure");
    }
    superseded.insert(Key(key));
    return Ok();
  }
  Result<std::optional<std::string>> GetState(
      const std::string& name) override {
    auto it = state.find(name);
    if (it == state.end()) {
      return std::optional<std::string>();
    }
    return std::optional<std::string>(it->second);
  }
  Status PutState(const std::string& name, const std::string& value) override {
    log.push_back("state:" + name);
    state[name] = value;
    return Ok();
  }
  Status AppendEvent(const store::UpstreamEvent& event) override {
    if (fail_writes) {
      return MakeError(ErrorCode::kIo, "injected write failure");
    }
    events.push_back(event);
    return Ok();
  }

  static std::string Key(const store::VerdictKey& k) {
    return k.product_id + '\n' + k.license_key;
  }

  // Set: PutVerdict fails with it (a full or locked disk).
  std::optional<Error> put_error;
  std::map<std::string, store::StoredVerdict> verdicts;
  std::set<std::string> bad_signatures;  // license keys CheckVerdict fails
  mutable int checks = 0;                // CheckVerdict calls
  std::map<std::string, std::string> state;
  std::vector<store::UpstreamEvent> events;
  std::vector<std::string> log;
  bool fail_writes = false;  // PutVerdict and AppendEvent fail ("IO")
  // Injected faults: PutVerdict / DeleteVerdict fail while set.
  bool fail_verdict_writes = false;
  bool fail_verdict_deletes = false;
  bool fail_marks = false;  // MarkSuperseded fails while set
  bool fail_reads = false;  // LoadUnverifiedPage / LoadUnverifiedVerdict
  int page_reads = 0;       // LoadUnverifiedPage calls
  std::set<std::string> superseded;  // Key()s MarkSuperseded marked
};

}  // namespace gg::testing

#endif  // GG_TESTS_FAKES_FAKE_VERDICT_STORE_H_
