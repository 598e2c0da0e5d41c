// Editing the attributes of one MNGraph node: the setters and getters node lowering shares.
#pragma once

#include "compiler/ir/mngraph.pb.h"

#include <cstdint>
#include <string>
#include <vector>

namespace pfcomp::import {

ir::Attribute *findIrAttr(ir::Node &n, const std::string &name);
// Setters replace an attribute of the same name; with onlyIfMissing an existing one is kept.
void setInts(ir::Node &n, const std::string &name, const std::vector<int64_t> &v);
void setFloats(ir::Node &n, const std::string &name, const std::vector<double> &v);
void setInt(ir::Node &n, const std::string &name, int64_t v, bool onlyIfMissing = false);
void setFloat(ir::Node &n, const std::string &name, double v, bool onlyIfMissing = false);
void setString(ir::Node &n, const std::string &name, const std::string &v, bool onlyIfMissing = false);
void removeAttr(ir::Node &n, const std::string &name);
std::vector<int64_t> irInts(ir::Node &n, const std::string &name, bool *found = nullptr);
std::string irString(ir::Node &n, const std::string &name, const std::string &dflt);

}  // namespace pfcomp::import
