#include "compiler/import/importer.h"

#include "compiler/import/test_models.h"
#include "compiler/ir/graph_io.h"
#include "compiler/ir/text_dump.h"

#include <catch2/catch.hpp>

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/SHA256.h"
#include "llvm/Support/Path.h"

#include <cstring>
#include <fstream>
#include <sstream>

using namespace pfcomp;
using namespace pfcomp::import;
using namespace pfcomp::import::testing;

namespace {

const char *kHeader = R"(<ir_version: 7, opset_import: ["" : 13], producer_name: "pytorch", producer_version: "1.13.0">)";

ir::Graph importText(const std::string &body, ImportOptions options = {}) {
  const std::string path = writeModelText(std::string(kHeader) + body);
  auto result = importModel(path, options);
  if (!result) FAIL(llvm::toString(result.takeError()));
  return result->graph;
}

std::string importError(const std::string &text, ImportOptions options = {}) {
  return errorText(importModel(writeModelText(text), options));
}

const ir::Value &value(const ir::Graph &g, const std::string &name) {
  for (const auto &v : g.values())
    if (v.name() == name) return v;
  throw std::runtime_error("no value " + name);
}

const ir::Attribute *attr(const ir::Node &n, const std::string &name) {
  for (const auto &a : n.attrs())
    if (a.name() == name) return &a;
  return nullptr;
}

std::vector<float> floatsOf(const ir::Value &v) {
  std::vector<float> out(v.data().size() / 4);
  std::memcpy(out.data(), v.data().data(), out.size() * 4);
  return out;
}

std::string sha256Of(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return llvm::toHex(llvm::SHA256::hash(llvm::arrayRefFromStringRef(bytes)), true);
}

std::vector<std::string> lines(const std::string &text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace

TEST_CASE("a torch Shape->Gather->Unsqueeze->Concat->Reshape chain folds into one Reshape") {
  ir::Graph g = importText(R"(
torch_jit (float[2,3,4] x) => (float[2,12] y) {
  s = Shape(x)
  i0 = Constant <value = int64 {0}> ()
  d0 = Gather <axis = 0> (s, i0)
  ax = Constant <value = int64[1] {0}> ()
  u0 = Unsqueeze(d0, ax)
  m1 = Constant <value = int64[1] {-1}> ()
  shp = Concat <axis = 0> (u0, m1)
  y = Reshape(x, shp)
})");
  REQUIRE(g.nodes_size() == 1);
  const ir::Node &r = g.nodes(0);
  CHECK(r.op_type() == "Reshape");
  CHECK(r.name() == "Reshape_7");
  CHECK(r.inputs_size() == 1);
  const ir::Attribute *shape = attr(r, "shape");
  REQUIRE(shape);
  CHECK(std::vector<int64_t>(shape->ints().begin(), shape->ints().end()) == std::vector<int64_t>{2, 12});
  CHECK(g.values_size() == 2);  // x and y only: the shape computation left no params behind
}

TEST_CASE("the canonical text dump of a small graph") {
  const std::string path = writeModelText(std::string(kHeader) + R"(
mlp (float[2,4] x) => (float[2,3] y) {
  w = Constant <value = float[3,4] {1,2,3,4,5,6,7,8,9,10,11,12}> ()
  b = Constant <value = float[3] {0.5, -0.5, 1}> ()
  h = Gemm <transB = 1> (x, w, b)
  d = Dropout(h)
  y = Relu(d)
})");
  auto result = importModel(path, {});
  if (!result) FAIL(llvm::toString(result.takeError()));
  const std::string expected = "mngraph mlp version 1\n"
                               "meta float_dtype = float\n"
                               "meta model_sha256 = " + sha256Of(path) + "\n"
                               "meta onnx_input_dtype.x = 1\n"
                               "meta onnx_output_dtype.y = 1\n"
                               "meta opset = 13\n"
                               "meta producer_name = pytorch\n"
                               "meta producer_version = 1.13.0\n"
                               "stages onnx-import\n"
                               "input %x : f32[2x4]\n"
                               "param %w : f32[3x4]\n"
                               "param %b : f32[3]\n"
                               "value %h : f32[2x3]\n"
                               "value %d : f32[2x3]\n"
                               "value %y : f32[2x3]\n"
                               "node Gemm_2 = Gemm(%x, %w, %b) -> (%h) {transB=1, alpha=1.00, beta=1.00, transA=0}\n"
                               "node Dropout_3 = Identity(%h) -> (%d)\n"
                               "node Relu_4 = Relu(%d) -> (%y)\n"
                               "inputs x\n"
                               "outputs y\n";
  const auto got = lines(ir::dumpGraph(result->graph)), want = lines(expected);
  for (size_t k = 0; k < std::max(got.size(), want.size()); ++k) {
    INFO("line " << k + 1);
    CHECK((k < got.size() ? got[k] : "<missing>") == (k < want.size() ? want[k] : "<missing>"));
  }
}

TEST_CASE("inference BatchNormalization becomes Mul + Add with folded per-channel constants") {
  ir::Graph g = importText(R"(
bn (float[1,2,1,2] x) => (float[1,2,1,2] y) {
  gamma = Constant <value = float[2] {2.0, 0.5}> ()
  beta = Constant <value = float[2] {1.0, -1.0}> ()
  mean = Constant <value = float[2] {0.5, 2.0}> ()
  var = Constant <value = float[2] {1.0, 0.25}> ()
  y = BatchNormalization <epsilon = 0.001> (x, gamma, beta, mean, var)
})");
  REQUIRE(g.nodes_size() == 2);
  CHECK(g.nodes(0).op_type() == "Mul");
  CHECK(g.nodes(1).op_type() == "Add");
  CHECK(g.nodes(1).outputs(0) == "y");
  const ir::Value &s = value(g, g.nodes(0).inputs(1)), &b = value(g, g.nodes(1).inputs(1));
  CHECK(std::vector<int64_t>(s.shape().begin(), s.shape().end()) == std::vector<int64_t>{2, 1, 1});
  CHECK(s.kind() == ir::Value::PARAM);
  const double gamma[] = {2.0, 0.5}, beta[] = {1.0, -1.0}, mean[] = {0.5, 2.0}, var[] = {1.0, 0.25};
  const auto sv = floatsOf(s), bv = floatsOf(b);
  REQUIRE(sv.size() == 2);
  for (int c = 0; c < 2; ++c)
    for (double x : {-3.0, 0.0, 0.7, 5.0}) {
      const double want = (x - mean[c]) / std::sqrt(var[c] + 0.001) * gamma[c] + beta[c];
      CHECK(x * sv[c] + bv[c] == Approx(want).epsilon(1e-6));
    }

  ir::Graph flat = importText(R"(
bn2 (float[3,2] x) => (float[3,2] y) {
  g = Constant <value = float[2] {1.0, 1.0}> ()
  z = Constant <value = float[2] {0.0, 0.0}> ()
  y = BatchNormalization(x, g, z, z, g)
})");
  const ir::Value &s2 = value(flat, flat.nodes(0).inputs(1));
  CHECK(std::vector<int64_t>(s2.shape().begin(), s2.shape().end()) == std::vector<int64_t>{2});
}

TEST_CASE("model errors carry their codes") {
  SECTION("missing file") {
    const std::string err = errorText(importModel("/nonexistent/dir/model.onnx", {}));
    CHECK(err.find("[E101]") != std::string::npos);
    CHECK(err.find("/nonexistent/dir/model.onnx") != std::string::npos);
  }
  SECTION("truncated file") {
    const std::string bytes = parseModel(std::string(kHeader) + R"(
g (float[2,4] x) => (float[2,3] y) {
  w = Constant <value = float[3,4] {1,2,3,4,5,6,7,8,9,10,11,12}> ()
  y = Gemm <transB = 1> (x, w)
})").SerializeAsString();
    const std::string path = writeTempFile(bytes.substr(0, bytes.size() / 2));
    const std::string err = errorText(importModel(path, {}));
    CHECK(err.find("[E102]") != std::string::npos);
    CHECK(err.find(path) != std::string::npos);
  }
  SECTION("checker failure") {
    const std::string err = importError(std::string(kHeader) + R"(
g (float[2] x) => (float[2] y) {
  y = NoSuchOp(x)
})");
    CHECK(err.find("[E103]") != std::string::npos);
  }
  SECTION("every unsupported op in one error, in graph order") {
    const std::string err = importError(std::string(kHeader) + R"(
g (float[1,4,2,2] x) => (float[1,4,1,1] y) {
  a = Relu(x)
  b = LpNormalization(a)
  c = GlobalLpPool(b)
  y = Relu(c)
})");
    CHECK(err.find("[E104]") != std::string::npos);
    CHECK(err.find("LpNormalization_1 (LpNormalization), GlobalLpPool_2 (GlobalLpPool)") != std::string::npos);
    CHECK(err.find("Relu") == std::string::npos);
  }
  SECTION("integer tensors the device does not compute are unsupported") {
    const std::string err = importError(std::string(kHeader) + R"(
g (int64[2,2] a) => (int64[2,2] y) {
  y = Softmax(a)
})");
    CHECK(err.find("[E104]") != std::string::npos);
    CHECK(err.find("Softmax_0 (Softmax)") != std::string::npos);
    CHECK(err.find("a:i64 y:i64") != std::string::npos);
  }
  SECTION("integer Add and data movement run on integer tiles") {
    const std::string err = importError(std::string(kHeader) + R"(
g (int64[2] a, int64[2] b) => (int64[2] y) {
  s = Add(a, b)
  y = Identity(s)
})");
    INFO(err);
    CHECK(err.empty());
  }
  SECTION("a dynamic input dimension needs --input_shape") {
    const std::string text = std::string(kHeader) + R"(
g (float[N,4] x) => (float[N,4] y) {
  y = Relu(x)
})";
    const std::string err = importError(text);
    CHECK(err.find("[E105]") != std::string::npos);
    CHECK(err.find("'x'") != std::string::npos);
    CHECK(err.find("dimension 0 ('N')") != std::string::npos);
    CHECK(err.find("--input_shape=x=") != std::string::npos);

    ImportOptions fixed;
    fixed.input_shapes = {{"x", {3, 4}}};
    auto ok = importModel(writeModelText(text), fixed);
    REQUIRE(static_cast<bool>(ok));
    CHECK(std::vector<int64_t>(value(ok->graph, "y").shape().begin(), value(ok->graph, "y").shape().end()) ==
          std::vector<int64_t>{3, 4});

    ImportOptions unknown;
    unknown.input_shapes = {{"z", {3, 4}}};
    const std::string e1 = importError(text, unknown);
    CHECK(e1.find("[E106]") != std::string::npos);
    CHECK(e1.find("inputs are: x") != std::string::npos);
    ImportOptions rank;
    rank.input_shapes = {{"x", {3, 4, 5}}};
    const std::string e2 = importError(text, rank);
    CHECK(e2.find("[E106]") != std::string::npos);
    CHECK(e2.find("rank 2") != std::string::npos);
  }
  SECTION("--input_shape text") {
    auto s = parseInputShape("input.1=1x3x224x224");
    REQUIRE(static_cast<bool>(s));
    CHECK(s->first == "input.1");
    CHECK(s->second == std::vector<int64_t>{1, 3, 224, 224});
    CHECK(errorText(parseInputShape("x=1xq")).find("[E106]") != std::string::npos);
  }
}

TEST_CASE("float_dtype converts params and values") {
  const std::string body = R"(
g (float[2] x) => (float[2] y) {
  w = Constant <value = float[2] {1.0, 1.00048828125}> ()
  y = Mul(x, w)
})";
  ImportOptions dbl;
  dbl.float_dtype = "double";
  ir::Graph gd = importText(body, dbl);
  CHECK(value(gd, "x").dtype() == ir::F64);
  CHECK(value(gd, "w").dtype() == ir::F64);
  REQUIRE(value(gd, "w").data().size() == 16);
  double d[2];
  std::memcpy(d, value(gd, "w").data().data(), 16);
  CHECK(d[0] == 1.0);
  CHECK(d[1] == 1.00048828125);
  CHECK(gd.meta().at("float_dtype") == "double");

  ImportOptions half;
  half.float_dtype = "half";
  ir::Graph gh = importText(body, half);
  CHECK(value(gh, "y").dtype() == ir::F16);
  const std::string &bytes = value(gh, "w").data();
  REQUIRE(bytes.size() == 4);
  uint16_t h[2];
  std::memcpy(h, bytes.data(), 4);
  CHECK(h[0] == 0x3c00);
  CHECK(h[1] == 0x3c00);  // 1 + 2^-11 is a tie between 1 and 1 + 2^-10: even wins

  ImportOptions mixed;
  mixed.float_dtype = "mixed";
  ir::Graph gm = importText(body, mixed);
  CHECK(value(gm, "w").dtype() == ir::F32);
  CHECK(gm.meta().at("float_dtype") == "mixed");

  ImportOptions bad;
  bad.float_dtype = "bfloat";
  CHECK(importError(std::string(kHeader) + body, bad).find("[E202]") != std::string::npos);
}

TEST_CASE("a double model imported as float") {
  ir::Graph g = importText(R"(
g (double[2] x) => (double[2] y) {
  w = Constant <value = double[2] {0.25, 3.0}> ()
  y = Add(x, w)
})");
  CHECK(value(g, "w").dtype() == ir::F32);
  CHECK(floatsOf(value(g, "w")) == std::vector<float>{0.25f, 3.0f});
  CHECK(g.meta().at("onnx_input_dtype.x") == "11");
}

TEST_CASE("opset operands become attributes in one form") {
  ir::Graph g = importText(R"(
g (float[1,4,6] x) => (float[4,3] y) {
  st = Constant <value = int64[1] {1}> ()
  en = Constant <value = int64[1] {100}> ()
  ax = Constant <value = int64[1] {-1}> ()
  sp = Constant <value = int64[1] {2}> ()
  s = Slice(x, st, en, ax, sp)
  lo = Constant <value = float {0.0}> ()
  hi = Constant <value = float {6.0}> ()
  c = Clip(s, lo, hi)
  z = Constant <value = int64[1] {0}> ()
  y = Squeeze(c, z)
})");
  REQUIRE(g.nodes_size() == 3);
  const ir::Node &slice = g.nodes(0), &clip = g.nodes(1), &sq = g.nodes(2);
  CHECK(slice.inputs_size() == 1);
  CHECK(std::vector<int64_t>(attr(slice, "starts")->ints().begin(), attr(slice, "starts")->ints().end()) == std::vector<int64_t>{1});
  CHECK(std::vector<int64_t>(attr(slice, "ends")->ints().begin(), attr(slice, "ends")->ints().end()) == std::vector<int64_t>{6});
  CHECK(std::vector<int64_t>(attr(slice, "axes")->ints().begin(), attr(slice, "axes")->ints().end()) == std::vector<int64_t>{2});
  CHECK(std::vector<int64_t>(attr(slice, "steps")->ints().begin(), attr(slice, "steps")->ints().end()) == std::vector<int64_t>{2});
  CHECK(clip.inputs_size() == 1);
  CHECK(attr(clip, "min")->f() == 0.0);
  CHECK(attr(clip, "max")->f() == 6.0);
  CHECK(sq.inputs_size() == 1);
  CHECK(attr(sq, "axes")->ints(0) == 0);
  for (const auto &v : g.values()) CHECK(v.kind() != ir::Value::PARAM);
}

TEST_CASE("opset 9 Slice attributes and opset 11 Unsqueeze attributes are kept and completed") {
  const std::string path = writeModelText(R"(<ir_version: 6, opset_import: ["" : 9]>
g (float[4,6] x) => (float[1,2,6] y) {
  s = Slice <starts = [-2], ends = [1000], axes = [0]> (x)
  y = Unsqueeze <axes = [0]> (s)
})");
  auto r = importModel(path, {});
  if (!r) FAIL(llvm::toString(r.takeError()));
  const ir::Node &slice = r->graph.nodes(0);
  CHECK(attr(slice, "starts")->ints(0) == 2);
  CHECK(attr(slice, "ends")->ints(0) == 4);
  CHECK(attr(slice, "steps")->ints(0) == 1);
  CHECK(r->graph.meta().at("opset") == "9");
}

TEST_CASE("graph outputs are always produced by a node; constant Gather indices stay params") {
  ir::Graph g = importText(R"(
g (float[4,3] x) => (float[2,3] y, float[2] c, float[4,3] x2) {
  i = Constant <value = int64[2] {3, 0}> ()
  y = Gather(x, i)
  c = Constant <value = float[2] {1.0, 2.0}> ()
  x2 = Identity(x)
})");
  CHECK(value(g, "i").kind() == ir::Value::PARAM);
  CHECK(value(g, "i").dtype() == ir::I64);
  CHECK(value(g, "c").kind() == ir::Value::ACTIVATION);
  bool produced = false;
  for (const auto &n : g.nodes())
    if (n.outputs(0) == "c") produced = n.op_type() == "Identity" && value(g, n.inputs(0)).kind() == ir::Value::PARAM;
  CHECK(produced);
  std::set<std::string> names;
  for (const auto &n : g.nodes()) CHECK(names.insert(n.name()).second);
}

TEST_CASE("initializers listed as graph inputs are params") {
  onnx::ModelProto m = parseModel(std::string(kHeader) + R"(
g (float[2] x) => (float[2] y) {
  y = Add(x, w)
})");
  onnx::TensorProto *w = m.mutable_graph()->add_initializer();
  w->set_name("w"), w->set_data_type(onnx::TensorProto::FLOAT), w->add_dims(2);
  w->add_float_data(1), w->add_float_data(2);
  auto *in = m.mutable_graph()->add_input();
  in->set_name("w");
  in->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  in->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(2);
  auto r = importModel(writeModel(m), {});
  REQUIRE(static_cast<bool>(r));
  CHECK(r->graph.inputs_size() == 1);
  CHECK(value(r->graph, "w").kind() == ir::Value::PARAM);
}

TEST_CASE("runImport writes the graph, its text dump and the optimized ONNX") {
  llvm::SmallString<128> dir;
  REQUIRE(!llvm::sys::fs::createUniqueDirectory("import_run", dir));
  const std::string out = (dir + "/mngraph.import.pb").str();
  const std::string model = writeModelText(std::string(kHeader) + R"(
g (float[2,3] x) => (float[6] y) {
  s = Constant <value = int64[1] {-1}> ()
  y = Reshape(x, s)
})");
  ImportOptions options;
  options.out_onnx = "optimized.onnx";
  auto err = runImport(model, out, options);
  REQUIRE(errorText(std::move(err)) == "");
  auto g = ir::readGraph(out);
  REQUIRE(static_cast<bool>(g));
  CHECK(g->stages(0) == "onnx-import");
  CHECK(llvm::sys::fs::exists(out + ".txt"));
  std::ifstream in((dir + "/optimized.onnx").str(), std::ios::binary);
  onnx::ModelProto opt;
  REQUIRE(opt.ParseFromIstream(&in));
  CHECK(opt.graph().node_size() == 1);
  CHECK(opt.graph().initializer_size() == 1);  // the folded shape, still an ONNX input
}

TEST_CASE("Softmax before opset 13 normalises over trailing axes: rewritten to the one-axis form") {
  const std::string path = writeModelText(R"(<ir_version: 7, opset_import: ["" : 11]>
g (float[2,3,4] x) => (float[2,3,4] y, float[2,3,4] z) {
  y = Softmax(x)
  z = LogSoftmax <axis = -1> (x)
})");
  auto r = importModel(path, {});
  if (!r) FAIL(llvm::toString(r.takeError()));
  const ir::Graph &g = r->graph;
  REQUIRE(g.nodes_size() == 4);
  CHECK(g.nodes(0).op_type() == "Reshape");
  CHECK(attr(g.nodes(0), "shape")->ints(1) == 12);
  CHECK(g.nodes(1).op_type() == "Softmax");
  CHECK(attr(g.nodes(1), "axis")->i() == 1);
  CHECK(g.nodes(2).op_type() == "Reshape");
  CHECK(g.nodes(2).outputs(0) == "y");
  CHECK(g.nodes(3).op_type() == "LogSoftmax");
  CHECK(attr(g.nodes(3), "axis")->i() == 2);
}

TEST_CASE("the stage file is the same bytes for the same model wherever it sits") {
  const std::string text = std::string(kHeader) + R"(
g (float[2,3] x) => (float[2,3] y, float[2,3] z) {
  y = Relu(x)
  z = Sigmoid(x)
})";
  const std::string a = writeModelText(text), b = writeModelText(text);
  std::vector<std::string> files;
  for (const std::string &model : {a, a, b}) {
    llvm::SmallString<128> dir;
    REQUIRE(!llvm::sys::fs::createUniqueDirectory("import_det", dir));
    const std::string out = (dir + "/mngraph.import.pb").str();
    REQUIRE(errorText(runImport(model, out, {})) == "");
    std::ifstream in(out, std::ios::binary);
    files.emplace_back((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  CHECK(files[0] == files[1]);
  CHECK(files[0] == files[2]);
}

TEST_CASE("a graph input that is also a graph output is copied by an Identity") {
  ir::Graph g = importText(R"(
g (float[2] x) => (float[2] x, float[2] y) {
  y = Relu(x)
})");
  REQUIRE(g.outputs_size() == 2);
  CHECK(g.outputs(0) == "x_out");
  CHECK(g.meta().at("onnx_output_name.x_out") == "x");
  bool found = false;
  for (const auto &n : g.nodes())
    found |= n.op_type() == "Identity" && n.inputs(0) == "x" && n.outputs(0) == "x_out";
  CHECK(found);
  CHECK(value(g, "x_out").kind() == ir::Value::ACTIVATION);
}
