#include "tessera/serve/simulator.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>

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

enum class Router { RoundRobin, LeastOutstandingTokens };

Result<Router> parse_router(const std::string& name) {
  static const std::vector<std::string> names = {"rr", "round-robin", "least-outstanding-tokens"};
  if (name == "rr" || name == "round-robin") return Router::RoundRobin;
  if (name == "least-outstanding-tokens") return Router::LeastOutstandingTokens;
  return bad_input("--router: '" + name + "' is not a router" + did_you_mean(name, names) +
                   "; expected rr or least-outstanding-tokens");
}

Result<serve::SchedulerConfig> scheduler_config(const ServeOptions& o, const IterationCoster& coster) {
  const DeploymentSpec& d = o.deployment;
  static const std::vector<std::string> schedulers = {"vllm", "sarathi"};
  if (d.scheduler != "vllm" && d.scheduler != "sarathi") {
    return bad_input("--scheduler: '" + d.scheduler + "' is not a scheduler" + did_you_mean(d.scheduler, schedulers) +
                     "; expected vllm or sarathi");
  }
  if (d.max_batch < 1) return bad_input("--max-batch: '" + std::to_string(d.max_batch) + "' must be > 0");
  if (d.max_tokens < 1) return bad_input("--max-tokens: '" + std::to_string(d.max_tokens) + "' must be > 0");
  if (o.replicas < 1) return bad_input("replicas: '" + std::to_string(o.replicas) + "' must be > 0");
  if (coster.kv_blocks() < 1 || coster.block_tokens() < 1) {
    return infeasible("KV cache: " + std::to_string(coster.kv_blocks()) + " blocks of " +
                      std::to_string(coster.block_tokens()) + " tokens leave no room for any request");
  }
  return serve::SchedulerConfig{d.scheduler == "sarathi", d.max_batch, d.max_tokens, coster.kv_blocks(),
                                coster.block_tokens()};
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
  return {};
}

class Simulation {
 public:
  Simulation(IterationCoster& coster, const WorkloadSpec& w, RequestSource* trace, const ServeOptions& o,
             const serve::SchedulerConfig& cfg, Router router)
      : coster_(coster), w_(w), opts_(o), cfg_(cfg), router_(router), lengths_(w, o.seed),
        check_(o.check_invariants || kDebug) {
    replicas_.assign(static_cast<size_t>(o.replicas), Replica(cfg));
    if (w.kind == WorkloadKind::Poisson) {
      poisson_ = std::make_unique<serve::PoissonSource>(w, o.seed);
      source_ = poisson_.get();
    } else if (w.kind == WorkloadKind::Trace) {
      source_ = trace;
    }
    // The most tokens one replica's KV cache can hold.
    kv_capacity_tokens_ = cfg.kv_blocks * cfg.block_tokens;
  }

  Result<ServeResult> run();

 private:
  void start();
  int32_t create(const RequestArrival& a);
  void pull_next();
  void on_arrival(int32_t slot, double now);
  void wake(int32_t rep, double now);
  void schedule_build(int32_t rep, double now);
  void start_iteration(int32_t rep, double now);
  void on_iteration_end(int32_t rep, double now);
  void finalize(int32_t slot, double now);
  void on_request_gone(double now);
  void release(int32_t slot) { free_slots_.push_back(slot); }
  Status check_replica(int32_t rep) const;
  Result<ServeResult> collect();

  IterationCoster& coster_;
  const WorkloadSpec& w_;
  const ServeOptions& opts_;
  serve::SchedulerConfig cfg_;
  Router router_;
  serve::LengthSampler lengths_;
  bool check_;

  std::unique_ptr<serve::PoissonSource> poisson_;
  RequestSource* source_ = nullptr;  // open loop: poisson or trace
  serve::EventQueue events_;
  std::vector<Replica> replicas_;
  std::vector<LiveRequest> reqs_;
  std::vector<int32_t> free_slots_;
  std::vector<int32_t> done_;  // scratch for finished requests
  int64_t next_id_ = 0;
  int64_t kv_capacity_tokens_ = 0;
  int64_t rr_next_ = 0;
  double now_ = 0;
  std::optional<Error> fatal_;

  // Closed loop and batch rounds.
  int64_t created_ = 0;
  int64_t round_left_ = 0;
  int64_t rounds_started_ = 0;

  // Results.
  ServeResult res_;
  double first_arrival_ = 0, last_completion_ = 0;
  int64_t rejected_max_need_ = 0;
  std::vector<double> ttft_, tpot_, e2e_, queue_;
  serve::GapRecorder itl_;
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
  r = LiveRequest{};
  r.id = next_id_++;
  r.arrival_s = a.arrival_s;
  r.input_tokens = std::max<int64_t>(1, a.input_tokens);
  r.output_tokens = std::max<int64_t>(1, a.output_tokens);
  r.prompt = r.input_tokens;
  ++created_;
  events_.push(a.arrival_s, EventKind::Arrival, slot);
  return slot;
}

void Simulation::pull_next() {
  if (source_ == nullptr) return;
  if (auto a = source_->next()) {
    // The stream is sorted, but a hand-written source might not be: never go back in time.
    a->arrival_s = std::max(a->arrival_s, now_);
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

void Simulation::on_arrival(int32_t slot, double now) {
  if (res_.requests++ == 0) first_arrival_ = now;
  pull_next();  // open loop keeps exactly one arrival pending
  LiveRequest& r = reqs_[slot];
  // Its KV peaks at input + output - 1 tokens (the last token is never fed back).
  const int64_t peak = r.input_tokens + r.output_tokens - 1;
  if (peak > kv_capacity_tokens_) {
    ++res_.rejected;
    rejected_max_need_ = std::max(rejected_max_need_, peak);
    release(slot);
    on_request_gone(now);
    return;
  }
  int32_t rep = 0;
  if (router_ == Router::RoundRobin) {
    rep = static_cast<int32_t>(rr_next_++ % static_cast<int64_t>(replicas_.size()));
  } else {
    for (size_t i = 1; i < replicas_.size(); ++i) {
      if (replicas_[i].outstanding_tokens() < replicas_[rep].outstanding_tokens()) rep = static_cast<int32_t>(i);
    }
  }
  r.replica = rep;
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
  const IterationCost c = coster_.cost(R.shape());
  if (!(c.total.value() >= 0) || !std::isfinite(c.total.value())) {
    fatal_ = internal_error("simulate: iteration cost " + std::to_string(c.total.value()) + " s is not a time");
    return;
  }
  R.account(c);
  R.set_busy(true);
  events_.push(now + c.total.value(), EventKind::IterationEnd, rep);
}

void Simulation::on_iteration_end(int32_t rep, double now) {
  done_.clear();
  replicas_[rep].finish_iteration(now, reqs_, itl_, done_);
  for (int32_t slot : done_) finalize(slot, now);
  if (check_) {
    if (Status s = check_replica(rep); !s) {
      fatal_ = s.error();
      return;
    }
  }
  schedule_build(rep, now);
}

void Simulation::finalize(int32_t slot, double now) {
  const LiveRequest& r = reqs_[slot];
  replicas_[r.replica].on_completed(r);
  ++res_.completed;
  res_.input_tokens += r.input_tokens;
  res_.output_tokens += r.output_tokens;
  res_.preemptions += r.preemptions;
  last_completion_ = std::max(last_completion_, now);
  const double ttft = r.first_token_s - r.arrival_s;
  const double e2e = now - r.arrival_s;
  ttft_.push_back(ttft);
  e2e_.push_back(e2e);
  queue_.push_back(r.admitted_s - r.arrival_s);
  if (r.output_tokens > 1) tpot_.push_back((e2e - ttft) / static_cast<double>(r.output_tokens - 1));
  if (opts_.keep_request_records) {
    res_.records.push_back(RequestRecord{r.id, r.arrival_s, r.first_token_s, now, r.input_tokens, r.output_tokens,
                                         r.preemptions, r.replica});
  }
  release(slot);
  on_request_gone(now);  // may create a request, reusing this slot: r is dead now
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
    if (check_ && e.time_s < now_) {
      return internal_error("simulate: time went back from " + std::to_string(now_) + " to " +
                            std::to_string(e.time_s));
    }
    now_ = e.time_s;
    switch (e.kind) {
      case EventKind::Arrival: on_arrival(e.ref, now_); break;
      case EventKind::IterationEnd: on_iteration_end(e.ref, now_); break;
      case EventKind::Wake: start_iteration(e.ref, now_); break;
    }
  }
  if (fatal_) return *fatal_;
  return collect();
}

Result<ServeResult> Simulation::collect() {
  ServeResult& r = res_;
  int64_t produced = 0;
  for (const Replica& rep : replicas_) {
    if (rep.has_work() || rep.busy()) return internal_error("simulate: a replica still has work after the last event");
    produced += rep.tokens_produced();
    const ReplicaStats& s = rep.stats();
    r.replicas.push_back(s);
    r.kv_cache_peak_fraction = std::max(r.kv_cache_peak_fraction, s.kv_peak_fraction);
    IterationCost& b = r.busy_breakdown;
    const IterationCost& t = s.time_breakdown;
    b.total += t.total;
    b.weight_read += t.weight_read;
    b.gemm_compute += t.gemm_compute;
    b.kv_read += t.kv_read;
    b.attention_compute += t.attention_compute;
    b.elementwise += t.elementwise;
    b.collective += t.collective;
    b.overhead += t.overhead;
    b.flops += t.flops;
    b.hbm_bytes += t.hbm_bytes;
  }
  if (r.completed + r.rejected != r.requests || produced != r.output_tokens) {
    return internal_error("simulate: " + std::to_string(r.requests) + " requests, " + std::to_string(r.completed) +
                          " completed, " + std::to_string(r.rejected) + " rejected; " + std::to_string(produced) +
                          " tokens produced for " + std::to_string(r.output_tokens) + " requested");
  }
  r.duration_s = r.completed > 0 ? last_completion_ - first_arrival_ : 0;
  r.ttft = summarize(ttft_);
  r.tpot = summarize(tpot_);
  r.e2e = summarize(e2e_);
  r.queue = summarize(queue_);
  r.itl = itl_.summarize();
  std::sort(r.records.begin(), r.records.end(), [](const RequestRecord& a, const RequestRecord& b) { return a.id < b.id; });
  if (r.rejected > 0) {
    r.warnings.push_back(std::to_string(r.rejected) + " request(s) rejected: input + output - 1 of up to " +
                         std::to_string(rejected_max_need_) + " tokens exceeds the KV cache of one replica (" +
                         std::to_string(cfg_.kv_blocks) + " blocks x " + std::to_string(cfg_.block_tokens) +
                         " tokens = " + std::to_string(kv_capacity_tokens_) + ")");
  }
  return std::move(res_);
}

}  // namespace

Result<ServeResult> simulate(IterationCoster& coster, const WorkloadSpec& workload, RequestSource* trace_source,
                             const ServeOptions& opts) {
  auto router = parse_router(opts.router);
  if (!router) return router.error();
  auto cfg = scheduler_config(opts, coster);
  if (!cfg) return cfg.error();
  TESSERA_TRY(check_workload(workload, trace_source));
  Simulation sim(coster, workload, trace_source, opts, *cfg, *router);
  return sim.run();
}

}  // namespace tessera
