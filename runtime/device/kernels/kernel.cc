#include "runtime/device/kernels/kernel.h"

#include "runtime/device/kernels/kernel_util.h"
#include "runtime/device/element_convert.h"

namespace pfcomp::device {

int64_t numElements(const Kernel::Shape &shape) {
  int64_t n = 1;
  for (int64_t d : shape.dims()) n *= d;
  return n;
}

namespace {

llvm::Expected<std::unique_ptr<PreparedKernel>> prepareNative(const Kernel &k);

// fp16 operands: the PE widens each tile to fp32, computes in fp32 (the MAU accumulates fp16
// products in fp32) and rounds the result back to fp16 on the store into LM.
class HalfKernel : public PreparedKernel {
 public:
  HalfKernel(const Kernel &k, std::unique_ptr<PreparedKernel> inner, std::vector<int64_t> elems,
             std::vector<int64_t> scratch, int64_t scratchBytes)
      : inner_(std::move(inner)), addrs_(k.addrs().begin(), k.addrs().end()),
        elems_(std::move(elems)), scratch_(std::move(scratch)), scratchBytes_(scratchBytes),
        readsOutput_(k.accumulate()) {}

  KernelWork inner_work() const { return inner_->work; }

  void run(uint8_t *lm, const PeTile &tile) const override {
    thread_local std::vector<uint8_t> wide;
    if (static_cast<int64_t>(wide.size()) < scratchBytes_) wide.resize(scratchBytes_);
    const size_t out = addrs_.size() - 1;
    for (size_t i = 0; i < addrs_.size(); ++i) {
      if (i == out && !readsOutput_ && !aliasesInput(out)) continue;
      convertElements(F16, lm + addrs_[i], F32, wide.data() + scratch_[i], elems_[i]);
    }
    inner_->run(wide.data(), tile);
    convertElements(F32, wide.data() + scratch_[out], F16, lm + addrs_[out], elems_[out]);
  }

 private:
  bool aliasesInput(size_t out) const {
    for (size_t i = 0; i < out; ++i)
      if (addrs_[i] == addrs_[out]) return true;
    return false;
  }
  std::unique_ptr<PreparedKernel> inner_;
  std::vector<int64_t> addrs_, elems_, scratch_;
  int64_t scratchBytes_;
  bool readsOutput_;
};

llvm::Expected<std::unique_ptr<PreparedKernel>> prepareHalf(const Kernel &k) {
  Kernel wide = k;
  wide.set_dtype(F32);
  std::vector<int64_t> elems, scratch;
  int64_t next = 0;
  for (int i = 0; i < k.shapes_size() && i < k.addrs_size(); ++i) {
    elems.push_back(numElements(k.shapes(i)));
    // Operands that share an LM address (in-place epilogues) share their fp32 copy too.
    int64_t at = -1;
    for (int j = 0; j < i; ++j)
      if (k.addrs(j) == k.addrs(i)) at = scratch[j];
    if (at < 0) at = next, next += (elems.back() * 4 + 63) / 64 * 64;
    scratch.push_back(at);
    wide.set_addrs(i, at);
  }
  auto inner = prepareNative(wide);
  if (!inner) return inner.takeError();
  auto half = std::make_unique<HalfKernel>(k, std::move(*inner), elems, scratch, next);
  half->work = half->inner_work();
  return half;
}

}  // namespace

llvm::Expected<std::unique_ptr<PreparedKernel>> prepareKernel(const Kernel &k) {
  if (k.dtype() != F16) return prepareNative(k);
  auto half = prepareHalf(k);
  if (!half) return half.takeError();
  // Footprint in the fp16 LM, from the operand shapes.
  std::vector<kernels::Dims> shapes;
  for (const auto &s : k.shapes()) shapes.push_back(kernels::dimsOf(s));
  bool readsOut = k.accumulate();
  for (int i = 0; i + 1 < k.addrs_size(); ++i) readsOut |= k.addrs(i) == k.addrs(k.addrs_size() - 1);
  kernels::setFootprint(**half, k, shapes, readsOut);
  return half;
}

namespace {

llvm::Expected<std::unique_ptr<PreparedKernel>> prepareNative(const Kernel &k) {
  using namespace kernels;
  llvm::StringRef op = k.op();
  auto [family, fn] = op.split(':');
  if (family == "unary") return prepareUnary(k, fn);
  if (family == "binary") return prepareBinary(k, fn);
  if (family == "reduce") return prepareReduce(k, fn);
  if (op == "matmul") return prepareMatmul(k);
  if (op == "conv2d") return prepareConv2d(k);
  if (op == "pool2d") return preparePool2d(k);
  if (op == "softmax") return prepareSoftmax(k, false);
  if (op == "logsoftmax") return prepareSoftmax(k, true);
  if (op == "layernorm") return prepareLayerNorm(k);
  if (op == "instancenorm") return prepareInstanceNorm(k);
  if (op == "where") return prepareWhere(k);
  if (op == "clamp") return prepareClamp(k);
  if (family == "argreduce") return prepareArgReduce(k, fn);
  if (op == "cumsum") return prepareCumSum(k);
  if (op == "hardmax") return prepareHardmax(k);
  if (op == "trilu") return prepareTrilu(k);
  if (op == "resize") return prepareResize(k);
  if (op == "convtranspose2d") return prepareConvTranspose2d(k);
  return kernels::badKernel(k, "unknown PE kernel");
}

}  // namespace

namespace kernels {

Dims dimsOf(const Kernel::Shape &shape) { return Dims(shape.dims().begin(), shape.dims().end()); }

Dims broadcastStrides(const Dims &in, const Dims &out) {
  Dims strides(out.size(), 0);
  int64_t stride = 1;
  for (int i = static_cast<int>(in.size()) - 1; i >= 0; --i) {
    strides[i] = in[i] == 1 && out[i] != 1 ? 0 : stride;
    stride *= in[i];
  }
  return strides;
}

llvm::Error badKernel(const Kernel &k, const llvm::Twine &why) {
  return makeError(ErrorCode::BadProgram, "PE kernel '{0}': {1}", k.op(), why.str());
}

llvm::Expected<std::vector<Dims>> operandShapes(const Kernel &k, size_t minOperands,
                                                size_t maxOperands) {
  size_t n = k.addrs_size();
  if (n < minOperands || n > maxOperands || k.shapes_size() != static_cast<int>(n))
    return badKernel(k, llvm::formatv("expects {0}..{1} operands with shapes, got {2} addresses "
                                      "and {3} shapes",
                                      minOperands, maxOperands, n, k.shapes_size()));
  std::vector<Dims> shapes;
  for (const auto &s : k.shapes()) {
    for (int64_t d : s.dims())
      if (d <= 0) return badKernel(k, "operand with an empty or negative extent");
    shapes.push_back(dimsOf(s));
  }
  for (int64_t a : k.addrs())
    if (a < 0) return badKernel(k, "negative LM address");
  return shapes;
}

void setFootprint(PreparedKernel &p, const Kernel &k, const std::vector<Dims> &shapes,
                  bool outputIsRead) {
  int64_t elem = dtypeBytes(k.dtype());
  for (size_t i = 0; i < shapes.size(); ++i) {
    int64_t bytes = elem;
    for (int64_t d : shapes[i]) bytes *= d;
    std::pair<int64_t, int64_t> range{k.addrs(i), bytes};
    bool isOutput = i + 1 == shapes.size();
    if (!isOutput || outputIsRead) p.reads.push_back(range);
    if (isOutput) p.writes.push_back(range);
  }
}

}  // namespace kernels
}  // namespace pfcomp::device
