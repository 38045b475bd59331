#include "app/mpi_cluster.h"

#include <algorithm>
#include <chrono>
#include <thread>
#include <cstdlib>
#include <string_view>

#ifdef TESSERA_HAVE_MPI
// The C API only: OpenMPI's and MPICH's deprecated C++ bindings are not used.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

namespace tessera::app {

namespace {

constexpr int kTagRows = 1;
constexpr int kTagDone = 2;

#ifdef TESSERA_HAVE_MPI
// Waits for a non-blocking operation without spinning: a rank that is done (or
// ahead) must not take the CPU from ranks still running simulations on the same
// machine, which OpenMPI's blocking calls would do by busy-polling.
void wait_quietly(MPI_Request& req) {
  for (int done = 0;;) {
    MPI_Test(&req, &done, MPI_STATUS_IGNORE);
    if (done) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}
#endif

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
}

}  // namespace

bool launched_by_mpi() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
    if (std::getenv(v) != nullptr) return true;
  return false;
}

#ifdef TESSERA_HAVE_MPI

Result<std::unique_ptr<Cluster>> Cluster::join() {
  std::unique_ptr<Cluster> c(new Cluster());
  if (!launched_by_mpi()) return c;
  int provided = 0;
  if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
    return internal_error("MPI: MPI_Init_thread failed");
  c->mpi_ = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &c->rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &c->size_);
  c->local_size_ = std::max(1, env_int("OMPI_COMM_WORLD_LOCAL_SIZE", env_int("MPI_LOCALNRANKS", 1)));
  return c;
}

Cluster::~Cluster() {
  if (mpi_) MPI_Finalize();
}

void Cluster::broadcast(std::string& bytes) const {
  if (!mpi_) return;
  unsigned long long n = bytes.size();
  MPI_Request req;
  MPI_Ibcast(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD, &req);
  wait_quietly(req);
  bytes.resize(n);
  if (n == 0) return;
  MPI_Ibcast(bytes.data(), static_cast<int>(n), MPI_CHAR, 0, MPI_COMM_WORLD, &req);
  wait_quietly(req);
}

void Cluster::send_to_root(const std::string& bytes) const {
  if (!mpi_ || rank_ == 0) return;
  MPI_Request req;
  MPI_Isend(bytes.data(), static_cast<int>(bytes.size()), MPI_CHAR, 0, kTagRows, MPI_COMM_WORLD, &req);
  wait_quietly(req);
}

void Cluster::send_done() const {
  if (!mpi_ || rank_ == 0) return;
  MPI_Request req;
  MPI_Isend(nullptr, 0, MPI_CHAR, 0, kTagDone, MPI_COMM_WORLD, &req);
  wait_quietly(req);
}

std::vector<std::string> Cluster::receive(bool wait) {
  std::vector<std::string> out;
  if (!mpi_ || rank_ != 0) return out;
  bool block = wait && !all_done();  // block for the first message only, then drain
  for (;;) {
    MPI_Status st;
    int flag = 0;
    MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
    if (!flag && block) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      continue;
    }
    if (!flag) return out;
    block = false;
    int count = 0;
    MPI_Get_count(&st, MPI_CHAR, &count);
    std::string bytes(static_cast<size_t>(count), '\0');
    MPI_Recv(bytes.data(), count, MPI_CHAR, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (st.MPI_TAG == kTagDone) {
      ++done_ranks_;
    } else {
      out.push_back(std::move(bytes));
    }
  }
}

#else  // built without MPI

Result<std::unique_ptr<Cluster>> Cluster::join() {
  if (launched_by_mpi() && env_int("OMPI_COMM_WORLD_SIZE", env_int("PMI_SIZE", 1)) > 1)
    return bad_input("mpirun: this tessera was built without MPI (install libopenmpi-dev and rebuild); "
                     "every rank would run the whole grid");
  return std::unique_ptr<Cluster>(new Cluster());
}

Cluster::~Cluster() = default;
void Cluster::broadcast(std::string&) const {}
void Cluster::send_to_root(const std::string&) const {}
void Cluster::send_done() const {}
std::vector<std::string> Cluster::receive(bool) { return {}; }

#endif

}  // namespace tessera::app
