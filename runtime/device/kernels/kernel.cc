#include "runtime/device/kernels/kernel.h"

#include "runtime/device/kernels/kernel_util.h"

namespace pfcomp::device {

int64_t numElements(const Kernel::Shape &shape) {
  int64_t n = 1;
  for (int64_t d : shape.dims()) n *= d;
  return n;
}

int64_t dtypeBytes(DType dtype) {
  switch (dtype) {
    case F64: case I64: return 8;
    case F32: case I32: return 4;
    case F16: return 2;
    case BOOL: case I8: case U8: return 1;
    default: return 0;
  }
}

llvm::Expected<std::unique_ptr<PreparedKernel>> prepareKernel(const Kernel &k) {
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
  return badKernel(k, "unknown PE kernel");
}

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
