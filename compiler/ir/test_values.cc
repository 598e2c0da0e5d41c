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

}  // namespace pfcomp::ir::testing
