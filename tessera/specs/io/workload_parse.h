// Parses the --workload SPEC string into a WorkloadSpec. Grammar (docs/formats.md):
//
//   batch:size=B,input=L,output=L[,rounds=R]
//   poisson:rate=R,input=L,output=L,n=N
//   closed:concurrency=C,input=L,output=L,n=N
//   trace:PATH[,rate-scale=X][,limit=N]
//
//   L := I                                    a constant token count
//      | lognormal:mean=M,sd=S[,min=A][,max=B] rounded, clamped to [A, B] (default [1, 2^20])
//      | uniform:min=A,max=B                   integers, inclusive
//
// The comma ambiguity: items are split on ',' and an item whose key is a
// distribution parameter (mean, sd, min, max) belongs to the distribution opened
// by the nearest `input=`/`output=` before it. Workload keys and distribution keys
// are disjoint, so `poisson:rate=5,input=lognormal:mean=900,sd=300,output=128,n=200`
// reads as written. ';' is accepted as an alternative separator inside a
// distribution (`input=lognormal:mean=900;sd=300`).
#pragma once

#include <cstdint>
#include <string_view>

#include "tessera/core/status.h"
#include "tessera/specs/workload.h"

namespace tessera {

// The most requests a batch (size x rounds), poisson or closed workload may ask for:
// each is held in memory while the run lasts. Traces stream and have no limit.
inline constexpr int64_t kMaxWorkloadRequests = 10'000'000;

Result<WorkloadSpec> parse_workload(std::string_view spec);

}  // namespace tessera
