#include "compiler/import/node_attrs.h"

namespace pfcomp::import {
namespace {

ir::Attribute &fresh(ir::Node &n, const std::string &name, ir::Attribute::Type type) {
  ir::Attribute *a = findIrAttr(n, name);
  if (!a) a = n.add_attrs();
  a->Clear();
  a->set_name(name);
  a->set_type(type);
  return *a;
}

}  // namespace

ir::Attribute *findIrAttr(ir::Node &n, const std::string &name) {
  for (auto &a : *n.mutable_attrs())
    if (a.name() == name) return &a;
  return nullptr;
}

void setInts(ir::Node &n, const std::string &name, const std::vector<int64_t> &v) {
  ir::Attribute &a = fresh(n, name, ir::Attribute::INTS);
  for (int64_t x : v) a.add_ints(x);
}

void setFloats(ir::Node &n, const std::string &name, const std::vector<double> &v) {
  ir::Attribute &a = fresh(n, name, ir::Attribute::FLOATS);
  for (double x : v) a.add_floats(x);
}

void setInt(ir::Node &n, const std::string &name, int64_t v, bool onlyIfMissing) {
  if (onlyIfMissing && findIrAttr(n, name)) return;
  fresh(n, name, ir::Attribute::INT).set_i(v);
}

void setFloat(ir::Node &n, const std::string &name, double v, bool onlyIfMissing) {
  if (onlyIfMissing && findIrAttr(n, name)) return;
  fresh(n, name, ir::Attribute::FLOAT).set_f(v);
}

void setString(ir::Node &n, const std::string &name, const std::string &v, bool onlyIfMissing) {
  if (onlyIfMissing && findIrAttr(n, name)) return;
  fresh(n, name, ir::Attribute::STRING).set_s(v);
}

void removeAttr(ir::Node &n, const std::string &name) {
  auto *attrs = n.mutable_attrs();
  for (int k = 0; k < attrs->size(); ++k)
    if (attrs->Get(k).name() == name) attrs->erase(attrs->begin() + k), --k;
}

std::vector<int64_t> irInts(ir::Node &n, const std::string &name, bool *found) {
  ir::Attribute *a = findIrAttr(n, name);
  if (found) *found = a != nullptr;
  if (!a) return {};
  return {a->ints().begin(), a->ints().end()};
}

std::string irString(ir::Node &n, const std::string &name, const std::string &dflt) {
  ir::Attribute *a = findIrAttr(n, name);
  return a && a->type() == ir::Attribute::STRING ? a->s() : dflt;
}

}  // namespace pfcomp::import
