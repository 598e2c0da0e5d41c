#include "runtime/device/pe_pool.h"

#include <immintrin.h>

namespace pfcomp::device {

PePool::PePool(unsigned threads) {
  for (unsigned i = 1; i < threads; ++i) workers_.emplace_back([this] { work(); });
}

PePool::~PePool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (std::thread &t : workers_) t.join();
}

void PePool::drain(uint64_t generation) {
  for (;;) {
    uint64_t v = claim_.load(std::memory_order_acquire);
    if ((v >> 32) != (generation & 0xffffffff)) return;
    const int64_t i = static_cast<int64_t>(v & 0xffffffff);
    if (i >= n_) return;
    // A successful claim pins the loop: the caller cannot move on before this task is done.
    if (!claim_.compare_exchange_weak(v, v + 1, std::memory_order_acq_rel)) continue;
    fn_(i);
    done_.fetch_add(1, std::memory_order_release);
  }
}

void PePool::parallelFor(int64_t n, llvm::function_ref<void(int64_t)> fn) {
  if (workers_.empty() || n <= 1) {
    for (int64_t i = 0; i < n; ++i) fn(i);
    return;
  }
  uint64_t generation;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    generation = ++generation_;
    fn_ = fn;
    n_ = n;
    done_.store(0, std::memory_order_relaxed);
    claim_.store((generation & 0xffffffff) << 32, std::memory_order_release);
  }
  wake_.notify_all();
  drain(generation);
  // Only tasks a worker has started are waited for; spin briefly, then give the CPU away.
  for (int spins = 0; done_.load(std::memory_order_acquire) < n; ++spins) {
    if (spins < 4096) _mm_pause();
    else std::this_thread::yield();
  }
}

void PePool::work() {
  uint64_t seen = 0;
  for (;;) {
    uint64_t generation;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      generation = seen = generation_;
    }
    drain(generation);
  }
}

}  // namespace pfcomp::device
