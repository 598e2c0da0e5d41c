// fp32 matmul over PE groups (PreparedKernel::runPes): PEs reading one A view and neighbouring
// column blocks of one B view, computed together, give each PE the bits it computes alone.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "runtime/device/kernels/kernel.h"

#include <cstring>
#include <random>
#include <vector>

using namespace pfcomp::device;

TEST_CASE("matmul PE groups give every PE the bits of its own run") {
  std::mt19937 rng(3);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  std::uniform_real_distribution<float> value(-1, 1);
  constexpr int kOps = PreparedKernel::kMaxOperands;
  for (int trial = 0; trial < 300; ++trial) {
    const int64_t batches = pick(1, 2), m = pick(1, 3), k = pick(1, 40), n = pick(1, 9), pes = pick(2, 12);
    const bool bBroadcast = pick(0, 1), accumulate = pick(0, 1), scaled = pick(0, 1);
    Kernel kernel;
    kernel.set_op("matmul");
    kernel.set_dtype(F32);
    kernel.set_accumulate(accumulate);
    if (scaled) kernel.set_finalize(true), kernel.add_floats(0.5);
    const int64_t cAddr = 64;
    for (int64_t addr : {int64_t(0), int64_t(0), cAddr}) kernel.add_addrs(addr);  // A and B are views
    for (auto dims : {std::vector<int64_t>{batches, m, k}, std::vector<int64_t>{bBroadcast ? 1 : batches, k, n},
                      std::vector<int64_t>{batches, m, n}}) {
      auto *s = kernel.add_shapes();
      for (int64_t d : dims) s->add_dims(d);
    }
    auto prepared = prepareKernel(kernel);
    REQUIRE(static_cast<bool>(prepared));
    PreparedKernel &kern = **prepared;
    // DRAM: A [batches, m, k] with padded rows, B [batches, k, pes * n (+ pad)] whose column
    // blocks the PEs read; 16 floats of slack after each.
    const int64_t aRow = k + pick(0, 3), aBatch = m * aRow, bRow = pes * n + pick(0, 5), bBatch = k * bRow;
    std::vector<float> a(batches * aBatch + 16), b(batches * bBatch + 16);
    for (float &v : a) v = value(rng);
    for (float &v : b) v = value(rng);
    REQUIRE(kern.acceptView(0, {aBatch, aRow, 1}));
    REQUIRE(kern.acceptView(1, {bBroadcast ? 0 : bBatch, bRow, 1}));
    const int64_t stride = 1024;
    std::vector<uint8_t> lm(pes * stride), alone;
    for (int64_t p = 0; p < pes; ++p)
      for (int64_t i = 0; i < batches * m * n; ++i)
        reinterpret_cast<float *>(&lm[p * stride + cAddr])[i] = value(rng);
    alone = lm;
    std::vector<const uint8_t *> views(pes * kOps, nullptr);
    for (int64_t p = 0; p < pes; ++p) {
      views[p * kOps] = reinterpret_cast<const uint8_t *>(a.data());
      views[p * kOps + 1] = reinterpret_cast<const uint8_t *>(b.data() + p * n);
    }
    for (int64_t p = 0; p < pes; ++p) kern.run(&alone[p * stride], PeTile{}, &views[p * kOps]);
    if (!kern.peGroups || !kern.runPes(pes, lm.data(), stride, views.data()))
      for (int64_t p = 0; p < pes; ++p) kern.run(&lm[p * stride], PeTile{}, &views[p * kOps]);
    INFO("trial " << trial << " batches " << batches << " m " << m << " k " << k << " n " << n << " pes " << pes);
    REQUIRE(std::memcmp(lm.data(), alone.data(), lm.size()) == 0);
  }
}
