// Signal ops of opset 17: DFT, STFT and the Hann, Hamming and Blackman windows.
#include "runtime/host/fourier.h"
#include "runtime/host/op_registry.h"

#include <cmath>

namespace pfcomp::host {

namespace {

constexpr double kPi = 3.14159265358979323846;

struct DftShape {
  int64_t axis, length, bins;
};

llvm::Expected<DftShape> dftShape(const Attrs &attrs, const Inputs &in) {
  const int64_t r = in[0].rank();
  if (r < 2 || (in[0].dim(r - 1) != 1 && in[0].dim(r - 1) != 2) || !isFloatType(in[0].dtype))
    return specError("DFT", "input must be float ending in a dimension of 1 (real) or 2 "
                     "(complex), got {0} {1}", dtypeName(in[0].dtype), shapeText(*in[0].shape));
  int64_t axis = attrInt(attrs, "axis", 1);
  if (axis < -r || axis > r - 2 || axis == -1)
    return specError("DFT", "axis {0} is not a signal axis of input {1}", axis, shapeText(*in[0].shape));
  if (axis < 0) axis += r;
  int64_t length = in[0].dim(axis);
  if (in[1].present()) {
    auto l = constantScalarI(in[1]);
    if (!l) return needsConstant("DFT", "dft_length");
    length = *l;
  }
  if (length < 1) return specError("DFT", "dft_length {0} must be positive", length);
  const bool onesided = attrInt(attrs, "onesided", 0) != 0;
  return DftShape{axis, length, onesided ? length / 2 + 1 : length};
}

llvm::Expected<std::vector<OutputSpec>> dftSpecs(const Attrs &attrs, const Inputs &in) {
  auto s = dftShape(attrs, in);
  if (!s) return s.takeError();
  std::vector<int64_t> shape = *in[0].shape;
  shape[s->axis] = s->bins;
  shape.back() = 2;
  return std::vector<OutputSpec>{{in[0].dtype, shape, false}};
}

llvm::Expected<std::vector<Tensor>> dftRun(const Attrs &attrs, const Inputs &in,
                                           const std::vector<OutputSpec> &specs) {
  const Tensor &x = *in[0].value;
  const DftShape s = *dftShape(attrs, in);
  const bool inverse = attrInt(attrs, "inverse", 0) != 0;
  const int64_t comps = x.shape.back(), n = x.shape[s.axis];
  const int64_t outer = product(x.shape, 0, s.axis);
  const int64_t inner = product(x.shape, s.axis + 1, x.shape.size() - 1);
  Tensor out = makeTensor(x.dtype, specs[0].shape);
  Fourier fourier(s.length);
  std::vector<double> line(2 * n), bins(2 * s.bins);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      for (int64_t t = 0; t < n; ++t) {
        const int64_t at = ((o * n + t) * inner + i) * comps;
        line[2 * t] = loadF(x, at);
        line[2 * t + 1] = comps == 2 ? loadF(x, at + 1) : 0;
      }
      fourier.transform(line, n, s.bins, inverse, bins.data());
      for (int64_t k = 0; k < s.bins; ++k) {
        const int64_t at = ((o * s.bins + k) * inner + i) * 2;
        storeF(out, at, bins[2 * k]);
        storeF(out, at + 1, bins[2 * k + 1]);
      }
    }
  return std::vector<Tensor>{std::move(out)};
}

struct StftShape {
  int64_t step, frameLength, frames, bins;
};

llvm::Expected<StftShape> stftShape(const Attrs &attrs, const Inputs &in) {
  const InputView &signal = in[0];
  if (signal.rank() != 3 || (signal.dim(2) != 1 && signal.dim(2) != 2) || !isFloatType(signal.dtype))
    return specError("STFT", "signal must be float [batch, length, 1 or 2], got {0} {1}",
                     dtypeName(signal.dtype), shapeText(*signal.shape));
  auto step = constantScalarI(in[1]);
  if (!step) return needsConstant("STFT", "frame_step");
  int64_t frameLength = 0;
  if (in[3].present()) {
    auto l = constantScalarI(in[3]);
    if (!l) return needsConstant("STFT", "frame_length");
    frameLength = *l;
  } else if (in[2].present()) {
    frameLength = in[2].elements();
  } else {
    return specError("STFT", "needs a window or a frame_length");
  }
  if (in[2].present() && (in[2].rank() != 1 || in[2].dim(0) != frameLength))
    return specError("STFT", "window {0} does not match frame_length {1}", shapeText(*in[2].shape),
                     frameLength);
  if (*step < 1 || frameLength < 1 || frameLength > signal.dim(1))
    return specError("STFT", "frame_step {0} and frame_length {1} do not fit a signal of length {2}",
                     *step, frameLength, signal.dim(1));
  const bool onesided = attrInt(attrs, "onesided", 1) != 0;
  if (onesided && signal.dim(2) == 2)
    return specError("STFT", "onesided needs a real signal");
  return StftShape{*step, frameLength, (signal.dim(1) - frameLength) / *step + 1,
                   onesided ? frameLength / 2 + 1 : frameLength};
}

llvm::Expected<std::vector<OutputSpec>> stftSpecs(const Attrs &attrs, const Inputs &in) {
  auto s = stftShape(attrs, in);
  if (!s) return s.takeError();
  return std::vector<OutputSpec>{{in[0].dtype, {in[0].dim(0), s->frames, s->bins, 2}, false}};
}

llvm::Expected<std::vector<Tensor>> stftRun(const Attrs &attrs, const Inputs &in,
                                            const std::vector<OutputSpec> &specs) {
  const Tensor &x = *in[0].value;
  const StftShape s = *stftShape(attrs, in);
  const int64_t batch = x.shape[0], length = x.shape[1], comps = x.shape[2];
  Tensor out = makeTensor(x.dtype, specs[0].shape);
  Fourier fourier(s.frameLength);
  std::vector<double> frame(2 * s.frameLength), bins(2 * s.bins);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t f = 0; f < s.frames; ++f) {
      for (int64_t t = 0; t < s.frameLength; ++t) {
        const int64_t at = (b * length + f * s.step + t) * comps;
        const double w = in[2].present() ? loadF(*in[2].value, t) : 1.0;
        frame[2 * t] = w * loadF(x, at);
        frame[2 * t + 1] = comps == 2 ? w * loadF(x, at + 1) : 0;
      }
      fourier.transform(frame, s.frameLength, s.bins, false, bins.data());
      for (int64_t k = 0; k < 2 * s.bins; ++k) storeF(out, (b * s.frames + f) * s.bins * 2 + k, bins[k]);
    }
  return std::vector<Tensor>{std::move(out)};
}

// Generalised cosine windows: w[n] = a0 - a1 cos(2 pi n / D) + a2 cos(4 pi n / D), D = N
// (periodic) or N - 1 (symmetric).
struct CosineWindow {
  double a0, a1, a2;
};

template <const char *Op>
llvm::Expected<std::vector<OutputSpec>> windowSpecs(const Attrs &attrs, const Inputs &in) {
  if (in[0].elements() != 1)
    return specError(Op, "size must hold one element, its shape is {0}", shapeText(*in[0].shape));
  const device::DType dtype = dtypeFromOnnx(attrInt(attrs, "output_datatype", 1));
  if (dtype == device::DT_UNDEFINED)
    return specError(Op, "unsupported output_datatype {0}", attrInt(attrs, "output_datatype", 1));
  auto size = constantScalarI(in[0]);
  if (!size) return needsConstant(Op, "size");
  if (*size < 0) return specError(Op, "size {0} is negative", *size);
  return std::vector<OutputSpec>{{dtype, {*size}, false}};
}

template <const char *Op, const CosineWindow &W>
llvm::Expected<std::vector<Tensor>> windowRun(const Attrs &attrs, const Inputs &,
                                              const std::vector<OutputSpec> &specs) {
  Tensor out = makeTensor(specs[0].dtype, specs[0].shape);
  const int64_t n = specs[0].shape[0];
  const double d = attrInt(attrs, "periodic", 1) ? n : n - 1;
  for (int64_t i = 0; i < n; ++i) {
    const double x = d > 0 ? 2 * kPi * i / d : 0;
    storeF(out, i, W.a0 - W.a1 * std::cos(x) + W.a2 * std::cos(2 * x));
  }
  return std::vector<Tensor>{std::move(out)};
}

constexpr char kHann[] = "HannWindow", kHamming[] = "HammingWindow", kBlackman[] = "BlackmanWindow";
constexpr CosineWindow kHannW{0.5, 0.5, 0}, kHammingW{25.0 / 46, 21.0 / 46, 0},
    kBlackmanW{0.42, 0.5, 0.08};

}  // namespace

// DFT/STFT: an FFT costs ~log2(n) butterflies per element (lengths that are not powers of two
// use the direct sum, which the model undercharges); windows are a cosine or two per element.
std::vector<HostOpDef> signalOps() {
  return {{"BlackmanWindow", 1, 1, 1, windowSpecs<kBlackman>, windowRun<kBlackman, kBlackmanW>, 0, 10},
          {"DFT", 1, 2, 1, dftSpecs, dftRun, 3.0, 1.0, true},
          {"HammingWindow", 1, 1, 1, windowSpecs<kHamming>, windowRun<kHamming, kHammingW>, 0, 8},
          {"HannWindow", 1, 1, 1, windowSpecs<kHann>, windowRun<kHann, kHannW>, 0, 8},
          {"STFT", 2, 4, 1, stftSpecs, stftRun, 3.0, 1.0, true}};
}

}  // namespace pfcomp::host
