// The ai.onnx.preview.training optimizers (Adagrad, Momentum / Nesterov, Adam) as elementwise
// default-domain ops, one update per optimised tensor. The step count T (int64) is cast to the
// float type on the device; "T > 0" choices become Where.
#include "compiler/import/const_eval.h"
#include "compiler/import/rewrite_builder.h"

#include <cmath>

namespace pfcomp::import {

void addDefaultOpsetForTraining(onnx::ModelProto &model) {
  bool training = false, hasDefault = false;
  for (const auto &op : model.opset_import()) {
    training |= op.domain() == "ai.onnx.preview.training";
    hasDefault |= op.domain().empty() || op.domain() == "ai.onnx";
  }
  if (!training || hasDefault) return;
  auto *op = model.add_opset_import();
  op->set_domain("");
  op->set_version(17);  // the opset of ONNX's training-domain tests (1.12)
}

bool rewriteOptimizer(RewriteContext &c, const onnx::NodeProto &n, Nodes &out) {
  const std::string &op = n.op_type();
  const int perTensor = op == "Adagrad" ? 3 : op == "Momentum" ? 3 : op == "Adam" ? 4 : 0;
  if (!perTensor || n.input_size() < 2 || (n.input_size() - 2) % perTensor) return false;
  const int count = (n.input_size() - 2) / perTensor;
  const int outputs = perTensor - 1;  // X_new, then the state tensors
  if (n.output_size() != count * outputs) return false;
  const ValueType *r = c.staticType(n.input(0));
  if (!r || !isOnnxFloatType(r->elem_type)) return false;
  const int32_t type = r->elem_type;
  NodeBuilder b(c, n, out);
  auto s = [&](double v) { return b.scalar(v, type); };
  onnx::NodeProto &cast = b.node("Cast", {n.input(1)});
  setAttr(cast, "to", static_cast<int64_t>(type));
  const std::string t = cast.output(0), R = n.input(0);
  const std::string started = b.op("Greater", {t, s(0)});
  const double norm = attrFloat(n, "norm_coefficient", 0.f);
  auto in = [&](int group, int k) { return n.input(2 + group * count + k); };
  auto outName = [&](int group, int k) { return n.output(group * count + k); };
  for (int k = 0; k < count; ++k) {
    const std::string x = in(0, k), g = in(1, k);
    const std::string greg = b.op("Add", {b.op("Mul", {x, s(norm)}), g});
    if (op == "Adagrad") {
      const std::string h = in(2, k);
      const std::string rate = b.op("Div", {R, b.op("Add", {s(1), b.op("Mul", {t, s(attrFloat(n, "decay_factor", 0.f))})})});
      const std::string hNew = b.op("Add", {h, b.op("Mul", {greg, greg})}, outName(1, k));
      const std::string hSqrt = b.op("Add", {b.op("Sqrt", {hNew}), s(attrFloat(n, "epsilon", 1e-6f))});
      b.op("Sub", {x, b.op("Div", {b.op("Mul", {rate, greg}), hSqrt})}, outName(0, k));
    } else if (op == "Momentum") {
      const double alpha = attrFloat(n, "alpha", 0.f), beta = attrFloat(n, "beta", 0.f);
      const onnx::AttributeProto *modeAttr = findAttr(n, "mode");
      const bool nesterov = modeAttr && modeAttr->s() == "nesterov";
      const std::string betaAdj = b.op("Where", {started, s(beta), s(1)});
      const std::string vNew = b.op("Add", {b.op("Mul", {in(2, k), s(alpha)}), b.op("Mul", {greg, betaAdj})}, outName(1, k));
      const std::string step = nesterov ? b.op("Add", {greg, b.op("Mul", {vNew, s(alpha)})}) : vNew;
      b.op("Sub", {x, b.op("Mul", {R, step})}, outName(0, k));
    } else {  // Adam
      const double alpha = attrFloat(n, "alpha", 0.9f), beta = attrFloat(n, "beta", 0.999f);
      const std::string vNew = b.op("Add", {b.op("Mul", {in(2, k), s(alpha)}), b.op("Mul", {greg, s(1 - alpha)})}, outName(1, k));
      const std::string hNew = b.op("Add", {b.op("Mul", {in(3, k), s(beta)}), b.op("Mul", {b.op("Mul", {greg, greg}), s(1 - beta)})}, outName(2, k));
      const std::string hSqrt = b.op("Add", {b.op("Sqrt", {hNew}), s(attrFloat(n, "epsilon", 1e-6f))});
      // R * sqrt(1 - beta^T) / (1 - alpha^T) once T > 0.
      const std::string bt = b.op("Sqrt", {b.op("Sub", {s(1), b.op("Pow", {s(beta), t})})});
      const std::string at = b.op("Sub", {s(1), b.op("Pow", {s(alpha), t})});
      const std::string rAdj = b.op("Where", {started, b.op("Div", {b.op("Mul", {R, bt}), at}), R});
      const std::string xNew = b.op("Sub", {x, b.op("Mul", {rAdj, b.op("Div", {vNew, hSqrt})})});
      b.op("Mul", {xNew, s(1 - attrFloat(n, "norm_coefficient_post", 0.f))}, outName(0, k));
    }
  }
  return true;
}

}  // namespace pfcomp::import
