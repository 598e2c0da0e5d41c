#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "runtime/device/kernels/conv_batch.h"
#include "runtime/device/kernels/conv_f32.h"

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

using namespace pfcomp::device::kernels;

namespace {

// Y[n, co, oh, ow] (+)= sum W[co, c, kh, kw] * X[n, c, oh * sh + kh * dh, ow * sw + kw * dw].
void reference(const ConvGeometry &g, const ConvInputLayout &l, const float *x, const float *w,
               int64_t wStride, float *y, bool accumulate) {
  for (int64_t n = 0; n < g.n; ++n)
    for (int64_t co = 0; co < g.co; ++co)
      for (int64_t oh = 0; oh < g.oh; ++oh)
        for (int64_t ow = 0; ow < g.ow; ++ow) {
          double acc = 0;
          for (int64_t c = 0; c < g.c; ++c)
            for (int64_t kh = 0; kh < g.kh; ++kh)
              for (int64_t kw = 0; kw < g.kw; ++kw)
                acc += double(w[co * wStride + (c * g.kh + kh) * g.kw + kw]) *
                       x[n * l.batch + c * l.channel + (oh * g.sh + kh * g.dh) * l.row + ow * g.sw + kw * g.dw];
          float &out = y[((n * g.co + co) * g.oh + oh) * g.ow + ow];
          out = static_cast<float>((accumulate ? out : 0.0) + acc);
        }
}

}  // namespace

TEST_CASE("direct fp32 convolution matches the reference on tiles and strided views") {
  std::mt19937 rng(11);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  std::uniform_real_distribution<float> value(-1, 1);
  for (int trial = 0; trial < 600; ++trial) {
    ConvGeometry g;
    g.n = pick(1, 2), g.c = pick(1, 20), g.co = pick(1, 7), g.kh = pick(1, 4), g.kw = pick(1, 4);
    g.oh = pick(1, 9), g.ow = pick(1, 20), g.sh = pick(1, 3), g.sw = pick(1, 3), g.dh = pick(1, 2), g.dw = pick(1, 2);
    g.ih = (g.oh - 1) * g.sh + (g.kh - 1) * g.dh + 1 + pick(0, 2);
    g.iw = (g.ow - 1) * g.sw + (g.kw - 1) * g.dw + 1 + pick(0, 2);
    const bool view = trial % 2;
    // A view sits inside a larger buffer (wider rows, more rows); a tile is dense and ends the
    // allocation, so a read past it would be caught by the sanitizer-free check below only as
    // garbage: keep a guard of NaNs after it.
    ConvInputLayout l;
    l.row = g.iw + (view ? pick(0, 5) : 0);
    l.channel = l.row * (g.ih + (view ? pick(0, 3) : 0));
    l.batch = l.channel * g.c + (view ? pick(0, 7) : 0);
    l.bounded = !view;
    std::vector<float> x(l.batch * g.n + 64, std::nanf("")), w, y(g.n * g.co * g.oh * g.ow), ref;
    for (int64_t n = 0; n < g.n; ++n)
      for (int64_t c = 0; c < g.c; ++c)
        for (int64_t h = 0; h < g.ih; ++h)
          for (int64_t i = 0; i < g.iw; ++i) x[n * l.batch + c * l.channel + h * l.row + i] = value(rng);
    const int64_t taps = g.c * g.kh * g.kw, wStride = taps + (view ? pick(0, 9) : 0);
    w.assign(wStride * g.co, 0.0f);
    for (float &v : w) v = value(rng);
    const bool accumulate = pick(0, 1);
    for (float &v : y) v = value(rng);
    ref = y;
    std::vector<float> narrow = y;
    DirectConvF32 conv(g, l);
    conv.run(x.data(), w.data(), wStride, y.data(), accumulate);
    // The AVX-512 pairs (where the CPU has them) give the AVX2 kernel's bits.
    DirectConvF32(g, l, /*wide=*/false).run(x.data(), w.data(), wStride, narrow.data(), accumulate);
    REQUIRE(std::memcmp(narrow.data(), y.data(), y.size() * sizeof(float)) == 0);
    reference(g, l, x.data(), w.data(), wStride, ref.data(), accumulate);
    INFO("trial " << trial << " c " << g.c << " co " << g.co << " k " << g.kh << "x" << g.kw << " o " << g.oh
                  << "x" << g.ow << " s " << g.sh << "," << g.sw << " d " << g.dh << "," << g.dw << " view " << view);
    for (size_t i = 0; i < y.size(); ++i) REQUIRE(y[i] == Approx(ref[i]).margin(1e-4));
  }
}

TEST_CASE("batched fp32 convolution over PEs sharing windows matches the reference") {
  std::mt19937 rng(5);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  std::uniform_real_distribution<float> value(-1, 1);
  auto serial = [](int64_t tasks, llvm::function_ref<void(int64_t)> fn) {
    for (int64_t t = 0; t < tasks; ++t) fn(t);
  };
  for (int trial = 0; trial < 100; ++trial) {
    ConvGeometry g;
    g.c = pick(1, 40), g.co = pick(1, 3), g.kh = pick(1, 3), g.kw = pick(1, 3);
    g.oh = pick(1, 5), g.ow = pick(1, 20), g.sh = pick(1, 2), g.sw = pick(1, 2), g.dh = pick(1, 2), g.dw = pick(1, 2);
    g.ih = (g.oh - 1) * g.sh + (g.kh - 1) * g.dh + 1;
    g.iw = (g.ow - 1) * g.sw + (g.kw - 1) * g.dw + 1;
    // A few windows of one padded buffer, each shared by several PEs with their own weights, or
    // (every other trial) the same output channels in every window.
    ConvInputLayout l{0, 0, g.iw + pick(0, 9), false};
    l.channel = l.row * (g.ih + pick(0, 4));
    l.batch = l.channel * g.c;
    const int windows = pick(1, 4), pes = windows * pick(1, 20);
    const int64_t taps = g.c * g.kh * g.kw, wStride = taps + pick(0, 5);
    std::vector<float> x(l.batch + windows * 3 + 64), w(pes * g.co * wStride + 64);
    for (float &v : x) v = value(rng);
    for (float &v : w) v = value(rng);
    std::vector<const float *> xs(pes), ws(pes);
    const bool shared = trial % 2;
    for (int p = 0; p < pes; ++p)
      xs[p] = x.data() + (p % windows) * 3, ws[p] = w.data() + (shared ? p / windows : p) * g.co * wStride;
    const int64_t tile = g.co * g.oh * g.ow;
    std::vector<float> out(pes * tile), ref(pes * tile, 0.0f);
    convBatchF32(g, l, wStride, xs.data(), ws.data(), groupByWindow(pes, xs.data()), out.data(), serial);
    for (int p = 0; p < pes; ++p) reference(g, l, xs[p], ws[p], wStride, ref.data() + p * tile, false);
    INFO("trial " << trial);
    for (size_t i = 0; i < out.size(); ++i) REQUIRE(out[i] == Approx(ref[i]).margin(1e-4));
    // Bit for bit: one fused multiply-add per tap, in tap order, from zero (however the PEs
    // are grouped, paired or vectorised).
    for (int p = 0; p < pes; ++p)
      for (int64_t co = 0; co < g.co; ++co)
        for (int64_t oh = 0; oh < g.oh; ++oh)
          for (int64_t ow = 0; ow < g.ow; ++ow) {
            float acc = 0.0f;
            for (int64_t c = 0, t = 0; c < g.c; ++c)
              for (int64_t kh = 0; kh < g.kh; ++kh)
                for (int64_t kw = 0; kw < g.kw; ++kw, ++t)
                  acc = std::fmaf(ws[p][co * wStride + t],
                                  xs[p][c * l.channel + (oh * g.sh + kh * g.dh) * l.row + ow * g.sw + kw * g.dw], acc);
            const float got = out[p * tile + (co * g.oh + oh) * g.ow + ow];
            REQUIRE(std::memcmp(&got, &acc, sizeof(float)) == 0);
          }
  }
}

TEST_CASE("PEs side by side run their output rows as wide rows with the bits of their own runs") {
  std::mt19937 rng(17);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  std::uniform_real_distribution<float> value(-1, 1);
  int joined = 0;
  for (int trial = 0; trial < 300; ++trial) {
    ConvGeometry g;
    g.c = pick(1, 40), g.co = pick(1, 7), g.kh = pick(1, 3), g.kw = pick(1, 3);
    g.oh = pick(1, 5), g.ow = pick(1, 8), g.sh = pick(1, 2), g.sw = pick(1, 2), g.dh = pick(1, 2), g.dw = pick(1, 2);
    g.ih = (g.oh - 1) * g.sh + (g.kh - 1) * g.dh + 1;
    g.iw = (g.ow - 1) * g.sw + (g.kw - 1) * g.dw + 1;
    const int pes = pick(2, 9);
    // A view into a buffer whose rows hold every PE's window side by side.
    ConvInputLayout l{0, 0, pes * g.ow * g.sw + g.iw + pick(0, 5), false};
    l.channel = l.row * (g.ih + pick(0, 2));
    l.batch = l.channel * g.c;
    std::vector<float> x(l.batch + 64), w;
    for (float &v : x) v = value(rng);
    const int64_t taps = g.c * g.kh * g.kw, wStride = taps + pick(0, 5);
    w.resize(wStride * g.co);
    for (float &v : w) v = value(rng);
    const bool accumulate = pick(0, 1);
    const int64_t tile = g.co * g.oh * g.ow;
    std::vector<float> together(pes * tile), alone;
    for (float &v : together) v = value(rng);
    alone = together;
    DirectConvF32 conv(g, l);
    for (int p = 0; p < pes; ++p)
      conv.run(x.data() + p * g.ow * g.sw, w.data(), wStride, alone.data() + p * tile, accumulate);
    if (!conv.joinsRows()) continue;
    ++joined;
    std::vector<float *> ys;
    for (int p = 0; p < pes; ++p) ys.push_back(together.data() + p * tile);
    conv.runRow(x.data(), pes, w.data(), wStride, ys.data(), accumulate);
    INFO("trial " << trial << " c " << g.c << " co " << g.co << " k " << g.kh << "x" << g.kw << " o " << g.oh << "x"
                  << g.ow << " s " << g.sh << "," << g.sw);
    REQUIRE(std::memcmp(together.data(), alone.data(), together.size() * sizeof(float)) == 0);
  }
  // On a CPU without AVX-512 no geometry joins; with it, every one here does.
  CHECK((joined == 0 || joined == 300));
}
