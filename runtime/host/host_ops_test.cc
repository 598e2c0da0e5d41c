// Runs ONNX's backend node tests of every host op (single-node models) through hostOutputSpecs
// and runHostOp, comparing with the expected outputs.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include "runtime/api/tensor_file.h"
#include "runtime/host/host_ops.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>

using namespace pfcomp;
using namespace pfcomp::host;

namespace {

std::string suiteDir() {
  const char *env = std::getenv("ONNX_NODE_TESTS");
  return env ? env : "/usr/share/libonnx-testdata/data/node";
}

struct Case {
  std::string name, dir;
  onnx::NodeProto node;
  std::vector<std::string> graphInputs, graphOutputs;
};

// Single-node models of host ops, by directory name.
std::vector<Case> hostCases() {
  std::vector<Case> cases;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(suiteDir(), ec), end; it != end && !ec; it.increment(ec)) {
    Case c;
    c.dir = it->path();
    c.name = llvm::sys::path::filename(c.dir).str();
    std::ifstream in(c.dir + "/model.onnx", std::ios::binary);
    onnx::ModelProto model;
    if (!in || !model.ParseFromIstream(&in) || model.graph().node_size() != 1) continue;
    c.node = model.graph().node(0);
    if (!isHostOp(c.node.op_type())) continue;
    for (const auto &v : model.graph().input()) c.graphInputs.push_back(v.name());
    for (const auto &v : model.graph().output()) c.graphOutputs.push_back(v.name());
    cases.push_back(std::move(c));
  }
  std::sort(cases.begin(), cases.end(), [](const Case &a, const Case &b) { return a.name < b.name; });
  return cases;
}

Attrs attrsOf(const onnx::NodeProto &node) {
  Attrs attrs;
  for (const auto &a : node.attribute()) {
    Attr x;
    x.name = a.name();
    switch (a.type()) {
      case onnx::AttributeProto::INT: x.kind = Attr::INT; x.i = a.i(); break;
      case onnx::AttributeProto::FLOAT: x.kind = Attr::FLOAT; x.f = a.f(); break;
      case onnx::AttributeProto::STRING: x.kind = Attr::STRING; x.s = a.s(); break;
      case onnx::AttributeProto::INTS: x.kind = Attr::INTS; x.ints.assign(a.ints().begin(), a.ints().end()); break;
      case onnx::AttributeProto::FLOATS: x.kind = Attr::FLOATS; x.floats.assign(a.floats().begin(), a.floats().end()); break;
      case onnx::AttributeProto::STRINGS: x.kind = Attr::STRINGS; x.strings.assign(a.strings().begin(), a.strings().end()); break;
      default: FAIL("attribute " << a.name() << " has an unexpected type");
    }
    attrs.push_back(std::move(x));
  }
  return attrs;
}

Tensor tensorFile(const std::string &path) {
  auto t = runtime::readTensorFile(path);
  if (!t) FAIL(llvm::toString(t.takeError()));
  return Tensor{t->dtype, t->dims, t->bytes};
}

double valueAt(const Tensor &t, int64_t i) {
  auto get = [&](auto v) {
    std::memcpy(&v, t.bytes.data() + i * sizeof(v), sizeof(v));
    return static_cast<double>(v);
  };
  switch (t.dtype) {
    case device::F32: return get(float());
    case device::F64: return get(double());
    case device::I64: return get(int64_t());
    case device::I32: return get(int32_t());
    case device::U32: return get(uint32_t());
    case device::U64: return get(uint64_t());
    case device::I16: return get(int16_t());
    case device::U16: case device::F16: case device::BF16: return get(uint16_t());  // bit patterns
    case device::I8: return get(int8_t());
    default: return get(uint8_t());
  }
}

// Empty when equal; else what differs.
std::string compare(const Tensor &got, const Tensor &want) {
  if (got.dtype != want.dtype)
    return "dtype " + std::to_string(got.dtype) + " != " + std::to_string(want.dtype);
  if (got.shape != want.shape) return "shape differs";
  const bool isFloat = want.dtype == device::F32 || want.dtype == device::F64;
  for (int64_t i = 0; i < want.elements(); ++i) {
    double g = valueAt(got, i), w = valueAt(want, i);
    bool ok = isFloat ? (std::isnan(w) ? std::isnan(g) : std::fabs(g - w) <= 1e-7 + 1e-3 * std::fabs(w))
                      : g == w;
    if (!ok) return "element " + std::to_string(i) + ": " + std::to_string(g) + " != " + std::to_string(w);
  }
  return "";
}

// Output specs match the expected outputs: exact when static, bounds when dynamic.
void checkSpecs(const std::vector<OutputSpec> &specs, const std::vector<const Tensor *> &want) {
  for (size_t i = 0; i < want.size(); ++i) {
    if (!want[i]) continue;
    INFO("output " << i);
    CHECK(specs[i].dtype == want[i]->dtype);
    REQUIRE(specs[i].shape.size() == want[i]->shape.size());
    for (size_t d = 0; d < want[i]->shape.size(); ++d) {
      if (specs[i].dynamic) CHECK(specs[i].shape[d] >= want[i]->shape[d]);
      else CHECK(specs[i].shape[d] == want[i]->shape[d]);
    }
  }
}

}  // namespace

TEST_CASE("host ops pass ONNX's backend node tests") {
  static const std::vector<Case> cases = hostCases();  // sections re-enter the test case
  // Guards against a missing or moved suite: ONNX 1.12 has 71 single-node cases of host ops.
  REQUIRE(cases.size() >= 71);
  std::set<std::string> ops;
  for (const Case &c : cases) {
    DYNAMIC_SECTION(c.name) {
      ops.insert(c.node.op_type());
      const Attrs attrs = attrsOf(c.node);
      const std::string data = c.dir + "/test_data_set_0";
      std::map<std::string, Tensor> files;
      for (size_t i = 0; i < c.graphInputs.size(); ++i)
        files[c.graphInputs[i]] = tensorFile(data + "/input_" + std::to_string(i) + ".pb");
      std::vector<Tensor> inputs;
      for (const std::string &name : c.node.input()) {
        if (name.empty()) inputs.emplace_back();  // omitted optional input
        else inputs.push_back(files.at(name));
      }
      std::vector<Tensor> expected(c.graphOutputs.size());
      std::vector<const Tensor *> want(c.node.output_size(), nullptr);
      for (size_t i = 0; i < c.graphOutputs.size(); ++i) {
        expected[i] = tensorFile(data + "/output_" + std::to_string(i) + ".pb");
        for (int k = 0; k < c.node.output_size(); ++k)
          if (c.node.output(k) == c.graphOutputs[i]) want[k] = &expected[i];
      }
      const int numOutputs = c.node.output_size();

      // Compile time, inputs unknown: bounds (or a request for constants), then all constant.
      std::vector<InputSpec> unknown, known;
      for (const Tensor &t : inputs) {
        unknown.push_back(InputSpec{t.dtype, t.shape, std::nullopt});
        known.push_back(InputSpec{t.dtype, t.shape, t.present() ? std::optional<Tensor>(t) : std::nullopt});
      }
      auto specs = hostOutputSpecs(c.node.op_type(), attrs, unknown, numOutputs);
      if (specs) {
        checkSpecs(*specs, want);
      } else {
        std::string msg = llvm::toString(specs.takeError());
        INFO(msg);
        CHECK(llvm::StringRef(msg).contains("--constant_input"));
      }
      auto constSpecs = hostOutputSpecs(c.node.op_type(), attrs, known, numOutputs);
      if (!constSpecs) FAIL(llvm::toString(constSpecs.takeError()));
      checkSpecs(*constSpecs, want);

      auto outs = runHostOp(c.node.op_type(), attrs, inputs, numOutputs);
      if (!outs) FAIL(llvm::toString(outs.takeError()));
      REQUIRE(static_cast<int>(outs->size()) == numOutputs);
      for (int k = 0; k < numOutputs; ++k) {
        if (!want[k]) continue;
        INFO("output " << k);
        CHECK(compare((*outs)[k], *want[k]) == "");
      }
    }
  }
}

TEST_CASE("host op errors name the op and the problem") {
  Tensor x{device::F32, {2, 3}, std::vector<uint8_t>(24, 0)};
  Tensor k{device::I64, {1}, std::vector<uint8_t>(8, 0)};
  k.bytes[0] = 5;
  Attrs axis1{Attr{"axis", Attr::INT, 1}};
  auto r = runHostOp("TopK", axis1, {x, k}, 2);
  REQUIRE(!r);
  std::string msg = llvm::toString(r.takeError());
  CHECK(llvm::StringRef(msg).startswith("[E509] host op TopK: k = 5"));

  auto s = hostOutputSpecs("Foo", {}, {}, 1);
  REQUIRE(!s);
  CHECK(llvm::StringRef(llvm::toString(s.takeError())).startswith("[E104]"));
  CHECK(!isHostOp("Bernoulli"));
  CHECK(std::is_sorted(hostOps().begin(), hostOps().end()));
  CHECK(hostComputeCycles("TopK", 1000, 10, 1.0) > hostComputeCycles("TopK", 10, 10, 1.0));
}
