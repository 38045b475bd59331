#include "tessera/serve/event_queue.h"

#include <gtest/gtest.h>

namespace tessera::serve {
namespace {

TEST(EventQueue, OrdersByTimeThenInsertion) {
  EventQueue q;
  q.push(2.0, EventKind::Arrival, 0);
  q.push(1.0, EventKind::IterationEnd, 1);
  q.push(1.0, EventKind::Arrival, 2);
  q.push(0.5, EventKind::Arrival, 3);
  q.push(1.0, EventKind::Arrival, 4);
  std::vector<int32_t> order;
  while (!q.empty()) order.push_back(q.pop().ref);
  EXPECT_EQ(order, (std::vector<int32_t>{3, 1, 2, 4, 0}));
}

TEST(EventQueue, ManyTiesStayFifo) {
  EventQueue q;
  for (int i = 0; i < 1000; ++i) q.push(7.0, EventKind::Arrival, i);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(q.pop().ref, i);
}

}  // namespace
}  // namespace tessera::serve
