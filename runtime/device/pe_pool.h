// A small persistent thread pool for the emulator: one parallel loop at a time over blocks of
// PEs, the calling thread taking blocks too. The caller never waits for a worker to wake up:
// blocks are claimed from a shared counter, and the loop ends when every block is done, by
// whoever took it. On a busy host a worker that is not scheduled in time simply finds no work.
#pragma once

#include "llvm/ADT/STLFunctionalExtras.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace pfcomp::device {

class PePool {
 public:
  // `threads` counts the caller: 1 = no workers, everything runs inline.
  explicit PePool(unsigned threads);
  ~PePool();
  PePool(const PePool &) = delete;
  PePool &operator=(const PePool &) = delete;

  unsigned threads() const { return static_cast<unsigned>(workers_.size()) + 1; }
  // Calls fn(i) once for every i in [0, n), spread over the pool; returns when all are done.
  void parallelFor(int64_t n, llvm::function_ref<void(int64_t)> fn);

 private:
  void work();
  // Claims and runs tasks of loop `generation` until none is left.
  void drain(uint64_t generation);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  uint64_t generation_ = 0;  // loops started; guarded by mutex_ for the sleepers
  bool stop_ = false;
  // Current loop: the caller writes these before it publishes the loop in claim_, and changes
  // them only after all n_ tasks are done, so whoever claimed a task sees this loop's values.
  llvm::function_ref<void(int64_t)> fn_;
  int64_t n_ = 0;
  std::atomic<uint64_t> claim_{0};  // (generation << 32) | next task index
  std::atomic<int64_t> done_{0};    // tasks of the current loop finished
};

}  // namespace pfcomp::device
