#include "compiler/ir/test_values.h"

namespace pfcomp::ir::testing {

std::vector<float> addRandomF32(Graph &graph, const std::string &name,
                                const std::vector<int64_t> &shape, Value::Kind kind,
                                std::mt19937 &rng) {
  Value *v = graph.add_values();
  v->set_name(name);
  v->set_dtype(F32);
  v->set_kind(kind);
  int64_t count = 1;
  for (int64_t d : shape) v->add_shape(d), count *= d;
  if (kind != Value::PARAM && kind != Value::INPUT) return {};
  std::vector<float> data(count);
  std::uniform_real_distribution<float> dist(-1, 1);
  for (float &f : data) f = dist(rng);
  if (kind == Value::PARAM) v->set_data(std::string(reinterpret_cast<char *>(data.data()), count * 4));
  else graph.add_inputs(name);
  return data;
}

Node &addTiledNode(Graph &graph, const std::string &out, const std::string &op,
                   const std::vector<std::string> &inputs, const std::vector<int64_t> &tile,
                   const std::vector<int64_t> &chunk) {
  Node *n = graph.add_nodes();
  n->set_name("n_" + out);
  n->set_op_type(op);
  for (const auto &i : inputs) n->add_inputs(i);
  n->add_outputs(out);
  for (int64_t t : tile) n->mutable_tiling()->add_out_tile(t);
  for (int64_t r : chunk) n->mutable_tiling()->add_red_chunk(r);
  return *n;
}

}  // namespace pfcomp::ir::testing
