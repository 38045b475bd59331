// The ranks of an MPI launch (`mpirun -np N tessera sweep ...`), or one rank when
// the process was not started by an MPI launcher. Only the calling (main) thread
// makes MPI calls (MPI_THREAD_FUNNELED); sweep workers never do.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tessera/core/status.h"

namespace tessera::app {

class Cluster {
 public:
  // Initializes MPI when an MPI launcher started this process (OpenMPI, MPICH/PMI
  // or PMIx environment); a binary built without MPI refuses such a launch with a
  // bad-input error rather than running the whole grid on every rank.
  static Result<std::unique_ptr<Cluster>> join();
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;
  ~Cluster();  // MPI_Finalize

  int rank() const { return rank_; }
  int size() const { return size_; }
  int local_size() const { return local_size_; }  // ranks on this machine
  bool root() const { return rank_ == 0; }

  // Rank 0's `bytes` reach every rank.
  void broadcast(std::string& bytes) const;
  // Non-root: a payload for rank 0; blocking, in order.
  void send_to_root(const std::string& bytes) const;
  // Non-root: tells rank 0 this rank has sent everything.
  void send_done() const;
  // Root: payloads that have arrived (non-blocking unless `wait`: then at least one
  // message, payload or done, is received unless every rank is already done).
  std::vector<std::string> receive(bool wait);
  // Root: every other rank has sent done.
  bool all_done() const { return done_ranks_ + 1 >= size_; }

 private:
  Cluster() = default;
  int rank_ = 0, size_ = 1, local_size_ = 1;
  bool mpi_ = false;
  int done_ranks_ = 0;
};

// True when an MPI launcher started this process (set-up environment variables).
bool launched_by_mpi();

}  // namespace tessera::app
