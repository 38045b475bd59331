#include "tessera/serve/simulator.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <unordered_map>

#include "tessera/core/did_you_mean.h"
#include "tessera/serve/arrivals.h"
#include "tessera/serve/event_queue.h"

namespace tessera {
namespace {

using serve::EventKind;
using serve::LiveRequest;
using serve::Replica;

#ifdef NDEBUG
constexpr bool kDebug = false;
#else
constexpr bool kDebug = true;
#endif

// The hash every request of a `shared-prefix=N` workload carries for its first N tokens.
constexpr uint64_t kSharedPrefixHash = 0x5348415245445046ULL;

enum class Router { RoundRobin, LeastLoaded, PrefixAffinity };

Result<Router> parse_router(const std::string& name) {
  static const std::vector<std::string> names = {"rr", "round-robin", "least-loaded", "least-outstanding-tokens",
                                                 "prefix-affinity"};
  if (name == "rr" || name == "round-robin") return Router::RoundRobin;
  if (name == "least-loaded" || name == "least-outstanding-tokens") return Router::LeastLoaded;
  if (name == "prefix-affinity") return Router::PrefixAffinity;
  return bad_input("--router: '" + name + "' is not a router" + did_you_mean(name, names) +
                   "; expected rr, least-loaded or prefix-affinity");
}

Status check_engine(const ServeOptions& o, bool disaggregated) {
  const DeploymentSpec& d = o.deployment;
  static const std::vector<std::string> schedulers = {"vllm", "sarathi", "disagg"};
  if (d.scheduler != "vllm" && d.scheduler != "sarathi" && d.scheduler != "disagg") {
    return bad_input("--scheduler: '" + d.scheduler + "' is not a scheduler" + did_you_mean(d.scheduler, schedulers) +
                     "; expected vllm, sarathi or disagg");
  }
  if (d.scheduler == "disagg" && !disaggregated) {
    return bad_input("--scheduler: 'disagg' needs a prefill and a decode pool (simulate_disaggregated)");
  }
  static const std::vector<std::string> admissions = {"optimistic", "guaranteed"};
  if (d.admission != "optimistic" && d.admission != "guaranteed") {
    return bad_input("--admission: '" + d.admission + "' is not an admission policy" +
                     did_you_mean(d.admission, admissions) + "; expected guaranteed or optimistic");
  }
  if (d.max_batch < 1) return bad_input("--max-batch: '" + std::to_string(d.max_batch) + "' must be > 0");
  if (d.max_tokens < 1) return bad_input("--max-tokens: '" + std::to_string(d.max_tokens) + "' must be > 0");
  if (d.chunk_tokens < 0) return bad_input("--chunk-tokens: '" + std::to_string(d.chunk_tokens) + "' must be >= 0");
  if (o.replicas < 1) return bad_input("replicas: '" + std::to_string(o.replicas) + "' must be > 0");
  if (o.queue_limit < 0) return bad_input("--queue-limit: '" + std::to_string(o.queue_limit) + "' must be >= 0");
  if (o.spec.tokens < 0 || o.spec.tokens > 64) {
    return bad_input("--spec-tokens: '" + std::to_string(o.spec.tokens) + "' must be in [0, 64]");
  }
  if (o.spec.tokens > 0 && !(o.spec.acceptance >= 0 && o.spec.acceptance < 1)) {
    return bad_input("--spec-acceptance: '" + std::to_string(o.spec.acceptance) + "' must be in [0, 1)");
  }
  return {};
}

Result<serve::SchedulerConfig> pool_config(const ServeOptions& o, const WorkloadSpec& w, const IterationCoster& coster,
                                           PoolRole role) {
  const DeploymentSpec& d = o.deployment;
  if (coster.kv_blocks() < 1 || coster.block_tokens() < 1) {
    return infeasible("KV cache: " + std::to_string(coster.kv_blocks()) + " blocks of " +
                      std::to_string(coster.block_tokens()) + " tokens leave no room for any request");
  }
  serve::SchedulerConfig c;
  c.chunked_prefill = d.scheduler == "sarathi";
  c.guaranteed_admission = d.admission == "guaranteed";
  c.max_batch = d.max_batch;
  c.max_tokens = c.chunked_prefill && d.chunk_tokens > 0 ? d.chunk_tokens : d.max_tokens;
  c.kv_blocks = coster.kv_blocks();
  c.block_tokens = coster.block_tokens();
  c.seed = o.seed;
  if (d.prefix_caching && role != PoolRole::Decode) {
    c.prefix_block_tokens = w.kind == WorkloadKind::Trace ? w.prefix_block_tokens : w.shared_prefix;
  }
  c.handoff_after_prefill = role == PoolRole::Prefill;
  if (role != PoolRole::Prefill) {
    c.spec_tokens = o.spec.tokens;
    c.spec_acceptance = o.spec.acceptance;
    if (c.spec_tokens + 1 > c.max_tokens) {
      return bad_input("--spec-tokens: " + std::to_string(c.spec_tokens) + " drafts + 1 exceed the token budget of " +
                       std::to_string(c.max_tokens));
    }
  }
  return c;
}

Status check_workload(const WorkloadSpec& w, const RequestSource* trace) {
  switch (w.kind) {
    case WorkloadKind::Batch:
      if (w.size < 1 || w.rounds < 1) return bad_input("--workload: batch needs size >= 1 and rounds >= 1");
      break;
    case WorkloadKind::Poisson:
      if (!(w.rate > 0) || !std::isfinite(w.rate) || w.n < 1) {
        return bad_input("--workload: poisson needs rate > 0 and n >= 1");
      }
      break;
    case WorkloadKind::Closed:
      if (w.concurrency < 1 || w.n < 1) return bad_input("--workload: closed needs concurrency >= 1 and n >= 1");
      break;
    case WorkloadKind::Trace:
      if (trace == nullptr) return internal_error("simulate: trace workload without a trace source");
      break;
  }
  if (w.shared_prefix < 0 || w.prefix_block_tokens < 1) {
    return bad_input("--workload: shared-prefix must be >= 0 and the prefix block size > 0");
  }
  return {};
}

// Replicas [first, first + count) serving one role with one coster.
struct Pool {
  PoolRole role = PoolRole::Colocated;
  int32_t first = 0, count = 0;
  IterationCoster* coster = nullptr;
  serve::SchedulerConfig cfg;
  int64_t kv_capacity_tokens = 0;  // the most KV tokens one replica can hold
};

void add_scaled(IterationCost& acc, const IterationCost& x, double k) {
  acc.total += x.total * k;
  acc.weight_read += x.weight_read * k;
  acc.gemm_compute += x.gemm_compute * k;
  acc.kv_read += x.kv_read * k;
  acc.attention_compute += x.attention_compute * k;
  acc.elementwise += x.elementwise * k;
  acc.collective += x.collective * k;
  acc.overhead += x.overhead * k;
  acc.flops += x.flops * k;
  acc.hbm_bytes += x.hbm_bytes * k;
}

uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

class Simulation {
 public:
  Simulation(std::vector<Pool> pools, const WorkloadSpec& w, RequestSource* trace, const ServeOptions& o,
             Router router, std::function<double(int64_t)> kv_transfer_s)
      : pools_(std::move(pools)), w_(w), opts_(o), router_(router), kv_transfer_s_(std::move(kv_transfer_s)),
        lengths_(w, o.seed), check_(o.check_invariants || kDebug),
        skip_ahead_(o.skip_ahead && o.sink == nullptr) {
    for (size_t p = 0; p < pools_.size(); ++p) {
      for (int32_t i = 0; i < pools_[p].count; ++i) {
        replicas_.emplace_back(pools_[p].cfg, pools_[p].first + i);
        pool_of_.push_back(static_cast<int32_t>(p));
      }
    }
    link_free_.assign(replicas_.size(), 0.0);
    // Warm-up (workload `warmup=N`): the first N requests to arrive, and every gap
    // before the N+1-th arrives, are left out of the metrics.
    if (w.kind == WorkloadKind::Poisson || w.kind == WorkloadKind::Closed) warmup_ = w.warmup;
    if (warmup_ > 0) itl_.set_enabled(false);
    if (w.kind == WorkloadKind::Poisson) {
      poisson_ = std::make_unique<serve::PoissonSource>(w, o.seed);
      source_ = poisson_.get();
    } else if (w.kind == WorkloadKind::Trace) {
      source_ = trace;
    }
  }

  Result<ServeResult> run();

 private:
  [[nodiscard]] bool disaggregated() const { return pools_.size() > 1; }
  const Pool& entry_pool() const { return pools_.front(); }
  const Pool& decode_pool() const { return pools_.back(); }
  void start();
  int32_t create(const RequestArrival& a);
  void pull_next();
  int32_t route(const Pool& pool, const LiveRequest& r);
  int32_t least_loaded(const Pool& pool) const;
  void on_arrival(int32_t slot, double now);
  void reject(int32_t slot, double now);
  void on_kv_arrival(int32_t slot, double now);
  void hand_off(int32_t rep, int32_t slot, double now);
  void wake(int32_t rep, double now);
  void schedule_build(int32_t rep, double now);
  void start_iteration(int32_t rep, double now);
  double skip_decodes(int32_t rep, double now);
  double solo_prefill_s(int32_t pool, int64_t input, int64_t cached);
  double solo_prefill_total();
  void on_iteration_end(int32_t rep, double now);
  void finalize(int32_t slot, double now);
  void on_request_gone(double now);
  void release(int32_t slot) { free_slots_.push_back(slot); }
  RequestRecord record_of(const LiveRequest& r, double completion_s) const;
  Status check_replica(int32_t rep) const;
  Result<ServeResult> collect();

  std::vector<Pool> pools_;
  const WorkloadSpec& w_;
  const ServeOptions& opts_;
  Router router_;
  std::function<double(int64_t)> kv_transfer_s_;
  serve::LengthSampler lengths_;
  bool check_;

  std::unique_ptr<serve::PoissonSource> poisson_;
  RequestSource* source_ = nullptr;  // open loop: poisson or trace
  serve::EventQueue events_;
  std::vector<Replica> replicas_;
  std::vector<int32_t> pool_of_;
  std::vector<double> link_free_;  // per prefill replica: when its KV link is free
  std::vector<LiveRequest> reqs_;
  std::vector<int32_t> free_slots_;
  std::vector<int32_t> done_, handoff_;  // scratch for finished requests
  int64_t next_id_ = 0;
  int64_t rr_next_ = 0, rr_decode_ = 0;
  double now_ = 0;
  std::optional<Error> fatal_;

  // Closed loop and batch rounds.
  int64_t created_ = 0;
  int64_t round_left_ = 0;
  int64_t rounds_started_ = 0;

  // Results.
  ServeResult res_;
  double first_arrival_ = 0, last_completion_ = 0;
  int64_t warmup_ = 0;                          // requests left out of the metrics
  int64_t measured_input_ = 0, measured_output_ = 0;
  int64_t rejected_max_need_ = 0;
  double transfer_sum_ = 0, ttft_sum_ = 0;
  std::vector<double> ttft_, tpot_, e2e_, queue_;
  serve::GapRecorder itl_;
  double queue_sum_ = 0;
  // Completed requests per (pool, input, cached prefix): their solo prefill is priced
  // once per key at the end, so the breakdown adds no coster call per request.
  std::unordered_map<uint64_t, int64_t> solo_counts_;
  // The cost of the step a decode run stopped before, priced already (skip_decodes).
  std::optional<IterationCost> pending_cost_;
  // Closed-loop follow-ups of the iteration being finished, sent after the replica
  // built its next step (see on_iteration_end).
  int64_t deferred_gone_ = 0;
  bool skip_ahead_ = false;
  double next_arrival_s_ = INFINITY;  // open loop: the one pending arrival's time
};

int32_t Simulation::create(const RequestArrival& a) {
  int32_t slot;
  if (free_slots_.empty()) {
    slot = static_cast<int32_t>(reqs_.size());
    reqs_.emplace_back();
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
  }
  LiveRequest& r = reqs_[slot];
  std::vector<uint64_t> prefix = std::move(r.prefix);  // keep its capacity: no allocation per request
  r = LiveRequest{};
  r.prefix = std::move(prefix);
  r.prefix.assign(a.prefix_hashes.begin(), a.prefix_hashes.end());
  r.id = next_id_++;
  r.arrival_s = a.arrival_s;
  r.input_tokens = std::max<int64_t>(1, a.input_tokens);
  r.output_tokens = std::max<int64_t>(1, a.output_tokens);
  r.prompt = r.input_tokens;
  if (w_.kind != WorkloadKind::Trace && w_.shared_prefix > 0) r.prefix.push_back(kSharedPrefixHash);
  ++created_;
  events_.push(a.arrival_s, EventKind::Arrival, slot);
  return slot;
}

void Simulation::pull_next() {
  if (source_ == nullptr) return;
  next_arrival_s_ = INFINITY;
  if (auto a = source_->next()) {
    // The stream is sorted, but a hand-written source might not be: never go back in time.
    a->arrival_s = std::max(a->arrival_s, now_);
    next_arrival_s_ = a->arrival_s;
    create(*a);
  } else if (!source_->error().empty()) {
    fatal_ = bad_input(source_->error());
  }
}

void Simulation::start() {
  switch (w_.kind) {
    case WorkloadKind::Batch:
      on_request_gone(0);  // starts round 1
      break;
    case WorkloadKind::Closed:
      for (int64_t i = 0; i < std::min(w_.concurrency, w_.n); ++i) on_request_gone(0);
      break;
    case WorkloadKind::Poisson:
    case WorkloadKind::Trace:
      pull_next();
      break;
  }
}

// A request left the system (completed or rejected): closed-loop clients send
// their next request, and a finished batch round releases the next one.
void Simulation::on_request_gone(double now) {
  RequestArrival a;
  a.arrival_s = now;
  if (w_.kind == WorkloadKind::Closed) {
    if (created_ >= w_.n) return;
    lengths_.draw(a);
    create(a);
  } else if (w_.kind == WorkloadKind::Batch) {
    if (round_left_ > 0 && --round_left_ > 0) return;
    if (rounds_started_ >= w_.rounds) return;
    ++rounds_started_;
    round_left_ = w_.size;
    for (int64_t i = 0; i < w_.size; ++i) {
      lengths_.draw(a);
      create(a);
    }
  }
}

int32_t Simulation::least_loaded(const Pool& pool) const {
  int32_t best = pool.first;
  for (int32_t i = pool.first + 1; i < pool.first + pool.count; ++i) {
    if (replicas_[i].outstanding_tokens() < replicas_[best].outstanding_tokens()) best = i;
  }
  return best;
}

// Prefix affinity keys on the hash of the request's second prefix block (the first
// when it has one): in Mooncake's chained ids that names the first two blocks, and
// every request of the conversation trace shares its first block (a common system
// prompt), which alone would send everything to one replica. A replica whose
// outstanding tokens exceed twice the least loaded one's plus one iteration's budget
// is "much longer": the request goes to the least loaded replica instead.
int32_t Simulation::route(const Pool& pool, const LiveRequest& r) {
  if (pool.count == 1) return pool.first;
  switch (router_) {
    case Router::RoundRobin: {
      int64_t& next = &pool == &entry_pool() ? rr_next_ : rr_decode_;
      return pool.first + static_cast<int32_t>(next++ % pool.count);
    }
    case Router::LeastLoaded:
      return least_loaded(pool);
    case Router::PrefixAffinity: {
      const int32_t least = least_loaded(pool);
      if (r.prefix.empty() || pool.role == PoolRole::Decode) return least;
      const uint64_t key = r.prefix[std::min<size_t>(1, r.prefix.size() - 1)];
      const int32_t chosen = pool.first + static_cast<int32_t>(mix(key) % static_cast<uint64_t>(pool.count));
      const int64_t limit = 2 * replicas_[least].outstanding_tokens() + pool.cfg.max_tokens;
      return replicas_[chosen].outstanding_tokens() > limit ? least : chosen;
    }
  }
  return pool.first;
}

void Simulation::on_arrival(int32_t slot, double now) {
  if (res_.requests++ == 0) first_arrival_ = now;
  pull_next();  // open loop keeps exactly one arrival pending
  LiveRequest& r = reqs_[slot];
  if (warmup_ > 0 && r.id == warmup_) {  // the measurement window opens
    first_arrival_ = now;
    itl_.set_enabled(true);
  }
  // Its KV peaks at input + output - 1 tokens (the last token is never fed back),
  // plus k drafts in flight; a prefill pool holds the prompt only.
  const int64_t peak = r.input_tokens + r.output_tokens - 1 + opts_.spec.tokens;
  if (peak > decode_pool().kv_capacity_tokens || r.input_tokens > entry_pool().kv_capacity_tokens) {
    rejected_max_need_ = std::max(rejected_max_need_, peak);
    reject(slot, now);
    return;
  }
  const int32_t rep = route(entry_pool(), r);
  if (opts_.queue_limit > 0 && replicas_[rep].waiting() >= opts_.queue_limit) {
    ++res_.rejected_queue;
    reject(slot, now);
    return;
  }
  r.replica = rep;
  replicas_[rep].enqueue(slot, r);
  wake(rep, now);
}

void Simulation::reject(int32_t slot, double now) {
  ++res_.rejected;
  if (opts_.sink != nullptr) {
    RequestRecord rec = record_of(reqs_[slot], -1);
    rec.rejected = true;
    opts_.sink->on_request(rec);
  }
  release(slot);
  on_request_gone(now);
}

// The prompt KV leaves a prefill replica over its link, one transfer at a time.
void Simulation::hand_off(int32_t rep, int32_t slot, double now) {
  LiveRequest& r = reqs_[slot];
  const double start = std::max(now, link_free_[rep]);
  const double end = start + kv_transfer_s_(r.context);
  link_free_[rep] = end;
  r.kv_transfer_s = end - now;
  r.first_token_s = end;
  r.last_token_s = end;
  events_.push(end, EventKind::KvArrival, slot);
}

void Simulation::on_kv_arrival(int32_t slot, double now) {
  LiveRequest& r = reqs_[slot];
  const int32_t rep = route(decode_pool(), r);
  r.decode_replica = rep;
  replicas_[rep].enqueue(slot, r);
  wake(rep, now);
}

void Simulation::wake(int32_t rep, double now) {
  if (replicas_[rep].busy()) return;  // it will build at its next iteration end
  schedule_build(rep, now);
}

// Builds now if no other event shares this instant; otherwise queues a Wake behind
// them, so that everything arriving at `now` joins the batch.
void Simulation::schedule_build(int32_t rep, double now) {
  if (events_.empty() || events_.top().time_s > now) {
    start_iteration(rep, now);
    return;
  }
  replicas_[rep].set_busy(true);
  events_.push(now, EventKind::Wake, rep);
}

void Simulation::start_iteration(int32_t rep, double now) {
  Replica& R = replicas_[rep];
  if (!R.build_batch(now, reqs_)) {
    R.set_busy(false);
    if (R.has_work()) fatal_ = internal_error("simulate: replica " + std::to_string(rep) + " stalled with work queued");
    return;
  }
  if (skip_ahead_ && R.steady_decode_batch()) {
    const double t = skip_decodes(rep, now);
    if (fatal_) return;
    if (t != now) {
      now = t;  // not now_: other replicas' events before t are still to run
      if (!R.build_batch(now, reqs_)) {
        fatal_ = internal_error("simulate: replica " + std::to_string(rep) + " lost its batch after a decode run");
        return;
      }
    }
  }
  const Pool& pool = pools_[pool_of_[rep]];
  IterationCost c = pending_cost_ ? *pending_cost_ : pool.coster->cost(R.shape());
  pending_cost_.reset();
  double draft_s = 0;
  if (IterationCoster* draft = opts_.spec.draft; draft != nullptr && pool.cfg.spec_tokens > 0) {
    // The draft model runs on the same ranks before the verification: its prefill of
    // new prompt chunks, then k one-token steps over the speculating sequences.
    const double before = c.total.value();
    if (!R.draft_prefill().empty()) add_scaled(c, draft->cost(R.draft_prefill()), 1.0);
    if (!R.draft_decode().empty()) add_scaled(c, draft->cost(R.draft_decode()), pool.cfg.spec_tokens);
    draft_s = c.total.value() - before;
  }
  if (!(c.total.value() >= 0) || !std::isfinite(c.total.value())) {
    fatal_ = internal_error("simulate: iteration cost " + std::to_string(c.total.value()) + " s is not a time");
    return;
  }
  R.account(c, draft_s);
  R.set_busy(true);
  const double end = now + c.total.value();
  if (opts_.sink != nullptr) {
    IterationRecord it;
    it.replica = rep;
    it.role = pool.role;
    it.start_s = now;
    it.end_s = end;
    it.draft_s = draft_s;
    it.shape = R.shape();
    it.waiting = R.waiting();
    if (pool.cfg.kv_blocks > 0)
      it.kv_used_fraction = 1.0 - static_cast<double>(R.free_blocks()) / static_cast<double>(pool.cfg.kv_blocks);
    opts_.sink->on_iteration(it);
  }
  events_.push(end, EventKind::IterationEnd, rep);
}

// The replica builds its next step before the clients whose requests finished here
// send their next ones: an engine starts step k + 1 as soon as step k's outputs are
// out, and a follow-up can only exist after its predecessor's last token reached the
// client, so it waits for the step in flight (docs/models/serving.md).
void Simulation::on_iteration_end(int32_t rep, double now) {
  done_.clear();
  handoff_.clear();
  replicas_[rep].finish_iteration(now, reqs_, itl_, done_, handoff_);
  for (int32_t slot : handoff_) hand_off(rep, slot, now);
  deferred_gone_ = 0;
  for (int32_t slot : done_) finalize(slot, now);
  if (check_) {
    if (Status s = check_replica(rep); !s) {
      fatal_ = s.error();
      return;
    }
  }
  const int64_t gone = deferred_gone_;
  schedule_build(rep, now);
  deferred_gone_ = 0;
  for (int64_t i = 0; i < gone; ++i) on_request_gone(now);
}

// Runs the steady decode batch just built for as many steps as end before the next
// event and finish no request, pricing each step (attention grows with the KV) but
// building no batch and pushing no event. Returns the time the run reached (`now`
// when it ran no step); the caller builds the next step there, as the loop would.
double Simulation::skip_decodes(int32_t rep, double now) {
  Replica& R = replicas_[rep];
  // A closed-loop follow-up or batch round sent at `now` (deferred, not yet in the
  // heap) arrives during this step; open-loop completions send nothing.
  const bool sends = w_.kind == WorkloadKind::Closed || w_.kind == WorkloadKind::Batch;
  if (sends && deferred_gone_ > 0) return now;
  // Open loop on one pool: only the pending arrival can reach this replica (other
  // replicas' steps change nothing it reads, and the router reads its load only at
  // arrivals), so the run may pass their events. Otherwise any event may.
  const bool open = (w_.kind == WorkloadKind::Poisson || w_.kind == WorkloadKind::Trace) && !disaggregated();
  const double bound = open ? next_arrival_s_ : events_.empty() ? INFINITY : events_.top().time_s;
  if (!(now < bound)) return now;
  const int64_t limit = R.steady_decode_steps(reqs_);
  if (limit < 2) return now;  // one step is the ordinary path
  IterationCoster& coster = *pools_[pool_of_[rep]].coster;
  BatchShape s = R.shape();
  const int64_t n = s.decode_seqs;
  double t = now, first_end = now;
  int64_t k = 0;
  for (; k < limit; ++k) {
    const IterationCost c = coster.cost(s);
    if (!(c.total.value() >= 0) || !std::isfinite(c.total.value())) {
      fatal_ = internal_error("simulate: iteration cost " + std::to_string(c.total.value()) + " s is not a time");
      return now;
    }
    const double end = t + c.total.value();
    if (!(end < bound)) {
      pending_cost_ = c;  // the step the caller runs next has this very shape
      break;
    }
    R.account(c, 0);
    if (k == 0) first_end = end;
    else itl_.add(end - t, n);
    t = end;
    s.decode_kv_tokens += n;
  }
  if (k == 0) return now;
  R.advance_decodes(k, first_end, t, reqs_, itl_);
  if (check_) {
    if (Status st = check_replica(rep); !st) fatal_ = st.error();
  }
  return t;
}

RequestRecord Simulation::record_of(const LiveRequest& r, double completion_s) const {
  RequestRecord q;
  q.id = r.id;
  q.arrival_s = r.arrival_s;
  q.first_token_s = r.first_token_s;
  q.completion_s = completion_s;
  q.input_tokens = r.input_tokens;
  q.output_tokens = r.output_tokens;
  q.preemptions = r.preemptions;
  q.replica = r.replica;
  q.admitted_s = r.admitted_s;
  q.prefill_end_s = r.prefill_end_s;
  q.kv_transfer_s = r.kv_transfer_s;
  q.cached_tokens = std::max<int64_t>(0, r.cached_tokens);
  q.decode_replica = r.decode_replica;
  return q;
}

void Simulation::finalize(int32_t slot, double now) {
  const LiveRequest& r = reqs_[slot];
  replicas_[r.decode_replica >= 0 ? r.decode_replica : r.replica].on_completed(r);
  ++res_.completed;
  res_.input_tokens += r.input_tokens;
  res_.output_tokens += r.output_tokens;
  res_.preemptions += r.preemptions;
  last_completion_ = std::max(last_completion_, now);
  if (r.id < warmup_) {  // completed (conserved) but not measured
    if (opts_.keep_request_records) res_.records.push_back(record_of(r, now));
    if (opts_.sink != nullptr) opts_.sink->on_request(record_of(r, now));
    release(slot);
    ++deferred_gone_;
    return;
  }
  measured_input_ += r.input_tokens;
  measured_output_ += r.output_tokens;
  const double ttft = r.first_token_s - r.arrival_s;
  const double e2e = now - r.arrival_s;
  ttft_.push_back(ttft);
  e2e_.push_back(e2e);
  queue_.push_back(r.admitted_s - r.arrival_s);
  queue_sum_ += r.admitted_s - r.arrival_s;
  const int64_t cached = std::max<int64_t>(0, r.cached_tokens);
  ++solo_counts_[(uint64_t(pool_of_[r.replica]) << 62) ^ (uint64_t(r.input_tokens) << 31) ^ uint64_t(cached)];
  transfer_sum_ += r.kv_transfer_s;
  ttft_sum_ += ttft;
  if (r.output_tokens > 1) tpot_.push_back((e2e - ttft) / static_cast<double>(r.output_tokens - 1));
  if (opts_.keep_request_records || opts_.sink != nullptr) {
    const RequestRecord rec = record_of(r, now);
    if (opts_.keep_request_records) res_.records.push_back(rec);
    if (opts_.sink != nullptr) opts_.sink->on_request(rec);
  }
  release(slot);
  ++deferred_gone_;  // on_iteration_end sends the follow-up; r is dead once it does
}

// A request's prefill alone on an idle replica of its (entry) pool: its uncached
// prompt tokens in chunks of the step budget when chunking, else in one step (a
// prompt longer than the budget runs alone, see replica.h), plus the draft model's
// prefill of the same tokens.
double Simulation::solo_prefill_s(int32_t p, int64_t input, int64_t cached) {
  const Pool& pool = pools_[p];
  const int64_t budget = pool.cfg.chunked_prefill ? pool.cfg.max_tokens : input;
  IterationCoster* draft = pool.cfg.spec_tokens > 0 ? opts_.spec.draft : nullptr;
  double total = 0;
  for (int64_t done = cached; done < input;) {
    BatchShape b;
    b.prefill_seqs = 1;
    b.prefill_tokens = std::min(budget, input - done);
    b.prefill_context = done;
    b.prefill_pairs = causal_pairs(done, b.prefill_tokens);
    total += pool.coster->cost(b).total.value();
    if (draft != nullptr) total += draft->cost(b).total.value();
    done += b.prefill_tokens;
  }
  return total;
}

double Simulation::solo_prefill_total() {
  std::vector<std::pair<uint64_t, int64_t>> keys(solo_counts_.begin(), solo_counts_.end());
  std::sort(keys.begin(), keys.end());  // a fixed summation order: deterministic output
  double sum = 0;
  constexpr uint64_t kMask31 = (uint64_t{1} << 31) - 1;
  for (const auto& [key, count] : keys) {
    const auto pool = static_cast<int32_t>(key >> 62);
    const auto input = static_cast<int64_t>((key >> 31) & kMask31);
    const auto cached = static_cast<int64_t>(key & kMask31);
    sum += solo_prefill_s(pool, input, cached) * static_cast<double>(count);
  }
  return sum;
}

Status Simulation::check_replica(int32_t rep) const {
  if (!replicas_[rep].kv_consistent(reqs_)) {
    return internal_error("simulate: replica " + std::to_string(rep) + " KV blocks used + free != total at t=" +
                          std::to_string(now_));
  }
  return {};
}

Result<ServeResult> Simulation::run() {
  start();
  while (!events_.empty() && !fatal_) {
    const serve::Event e = events_.pop();
    ++res_.events;
    if (check_ && e.time_s < now_) {
      return internal_error("simulate: time went back from " + std::to_string(now_) + " to " +
                            std::to_string(e.time_s));
    }
    now_ = e.time_s;
    switch (e.kind) {
      case EventKind::Arrival: on_arrival(e.ref, now_); break;
      case EventKind::IterationEnd: on_iteration_end(e.ref, now_); break;
      case EventKind::Wake: start_iteration(e.ref, now_); break;
      case EventKind::KvArrival: on_kv_arrival(e.ref, now_); break;
    }
  }
  if (fatal_) return *fatal_;
  return collect();
}

Result<ServeResult> Simulation::collect() {
  ServeResult& r = res_;
  int64_t produced = 0, prompt = 0, hits = 0, proposed = 0, accepted = 0;
  for (const Replica& rep : replicas_) {
    if (rep.has_work() || rep.busy()) return internal_error("simulate: a replica still has work after the last event");
    produced += rep.tokens_produced();
    const ReplicaStats s = rep.stats();
    prompt += s.prefill_prompt_tokens;
    hits += s.prefix_hit_tokens;
    proposed += s.spec_proposed;
    accepted += s.spec_accepted;
    r.replicas.push_back(s);
    r.kv_cache_peak_fraction = std::max(r.kv_cache_peak_fraction, s.kv_peak_fraction);
    add_scaled(r.busy_breakdown, s.time_breakdown, 1.0);
  }
  if (r.completed + r.rejected != r.requests || produced != r.output_tokens) {
    return internal_error("simulate: " + std::to_string(r.requests) + " requests, " + std::to_string(r.completed) +
                          " completed, " + std::to_string(r.rejected) + " rejected; " + std::to_string(produced) +
                          " tokens produced for " + std::to_string(r.output_tokens) + " requested");
  }
  r.prefill_replicas = disaggregated() ? entry_pool().count : 0;
  if (opts_.deployment.prefix_caching) r.prefix_cache_hit_rate = prompt > 0 ? double(hits) / double(prompt) : 0.0;
  if (disaggregated()) r.kv_transfer_share = ttft_sum_ > 0 ? transfer_sum_ / ttft_sum_ : 0.0;
  if (opts_.spec.tokens > 0) r.spec_acceptance = proposed > 0 ? double(accepted) / double(proposed) : 0.0;
  r.warmup_requests = std::min(warmup_, r.completed);
  if (warmup_ > 0) {  // throughput over the measured requests and window only
    r.input_tokens = measured_input_;
    r.output_tokens = measured_output_;
  }
  r.duration_s = r.completed > r.warmup_requests ? last_completion_ - first_arrival_ : 0;
  r.ttft = summarize(ttft_);
  r.tpot = summarize(tpot_);
  r.e2e = summarize(e2e_);
  r.queue = summarize(queue_);
  if (!ttft_.empty()) {
    const double n = static_cast<double>(ttft_.size());
    r.ttft_breakdown.queue_s = queue_sum_ / n;
    r.ttft_breakdown.prefill_s = solo_prefill_total() / n;
    r.ttft_breakdown.interference_s = ttft_sum_ / n - r.ttft_breakdown.queue_s - r.ttft_breakdown.prefill_s;
  }
  r.itl = itl_.summarize();
  std::sort(r.records.begin(), r.records.end(), [](const RequestRecord& a, const RequestRecord& b) { return a.id < b.id; });
  const int64_t kv_rejected = r.rejected - r.rejected_queue;
  if (kv_rejected > 0) {
    const Pool& p = decode_pool();
    r.warnings.push_back(std::to_string(kv_rejected) + " request(s) rejected: input + output - 1 of up to " +
                         std::to_string(rejected_max_need_) + " tokens exceeds the KV cache of one replica (" +
                         std::to_string(p.cfg.kv_blocks) + " blocks x " + std::to_string(p.cfg.block_tokens) +
                         " tokens = " + std::to_string(p.kv_capacity_tokens) + ")");
  }
  if (r.rejected_queue > 0) {
    r.warnings.push_back(std::to_string(r.rejected_queue) + " request(s) rejected: the replica's queue held " +
                         std::to_string(opts_.queue_limit) + " waiting requests (--queue-limit)");
  }
  return std::move(res_);
}

Result<Pool> make_pool(const ServeOptions& o, const WorkloadSpec& w, IterationCoster& coster, PoolRole role,
                       int32_t first, int count) {
  auto cfg = pool_config(o, w, coster, role);
  if (!cfg) return cfg.error();
  Pool p;
  p.role = role;
  p.first = first;
  p.count = count;
  p.coster = &coster;
  p.cfg = *cfg;
  p.kv_capacity_tokens = cfg->kv_blocks * cfg->block_tokens;
  return p;
}

}  // namespace

Result<ServeResult> simulate(IterationCoster& coster, const WorkloadSpec& workload, RequestSource* trace_source,
                             const ServeOptions& options) {
  ServeOptions opts = options;  // serving fields no runtime profile set get the built-in defaults
  opts.deployment = with_serving_defaults(opts.deployment);
  auto router = parse_router(opts.router);
  if (!router) return router.error();
  TESSERA_TRY(check_engine(opts, false));
  auto pool = make_pool(opts, workload, coster, PoolRole::Colocated, 0, opts.replicas);
  if (!pool) return pool.error();
  TESSERA_TRY(check_workload(workload, trace_source));
  Simulation sim({*pool}, workload, trace_source, opts, *router, nullptr);
  return sim.run();
}

Result<ServeResult> simulate_disaggregated(IterationCoster& prefill, IterationCoster& decode,
                                           const WorkloadSpec& workload, RequestSource* trace_source,
                                           const ServeOptions& options, const DisaggOptions& disagg) {
  ServeOptions opts = options;
  opts.deployment = with_serving_defaults(opts.deployment);
  auto router = parse_router(opts.router);
  if (!router) return router.error();
  TESSERA_TRY(check_engine(opts, true));
  if (disagg.prefill_replicas < 1 || disagg.decode_replicas < 1) {
    return bad_input("--prefill-replicas/--decode-replicas: " + std::to_string(disagg.prefill_replicas) + "/" +
                     std::to_string(disagg.decode_replicas) + " must be > 0");
  }
  if (!disagg.kv_transfer_s) return internal_error("simulate_disaggregated: no KV transfer model");
  auto p = make_pool(opts, workload, prefill, PoolRole::Prefill, 0, disagg.prefill_replicas);
  if (!p) return p.error();
  auto d = make_pool(opts, workload, decode, PoolRole::Decode, disagg.prefill_replicas, disagg.decode_replicas);
  if (!d) return d.error();
  TESSERA_TRY(check_workload(workload, trace_source));
  Simulation sim({*p, *d}, workload, trace_source, opts, *router, disagg.kv_transfer_s);
  return sim.run();
}

}  // namespace tessera
