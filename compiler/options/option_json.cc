#include "compiler/options/option_json.h"

#include "compiler/options/option_schema.h"
#include "support/atomic_file.h"
#include "support/error.h"

#include <nlohmann/json.hpp>

namespace pfcomp::options {
namespace {

llvm::Error badJson(llvm::StringRef path, const llvm::Twine &what) {
  return makeError(ErrorCode::BadOptionJson, "option_json {0}: {1}", path, what.str());
}

}  // namespace

llvm::Expected<OptionFile> parseOptionFile(llvm::StringRef text, llvm::StringRef path) {
  nlohmann::json doc = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded()) return badJson(path, "not valid JSON");
  if (!doc.is_object()) return badJson(path, "top level must be an object");
  OptionFile file;
  file.path = path.str();
  for (const auto &[key, value] : doc.items()) {
    if (key == "envs") {
      if (!value.is_object()) return badJson(path, "\"envs\" must be an object");
      for (const auto &[var, v] : value.items()) {
        if (v.is_string())
          file.envs[var] = v.get<std::string>();
        else if (v.is_number_integer())
          file.envs[var] = std::to_string(v.get<int64_t>());
        else
          return badJson(path, "envs." + var + " must be a string or an integer");
      }
    } else if (key == "args") {
      if (!value.is_array()) return badJson(path, "\"args\" must be an array of strings");
      for (const auto &arg : value) {
        if (!arg.is_string()) return badJson(path, "\"args\" must be an array of strings");
        file.args.push_back(arg.get<std::string>());
      }
    } else if (key == "name" || key == "description") {
      if (!value.is_string()) return badJson(path, "\"" + key + "\" must be a string");
      (key == "name" ? file.name : file.description) = value.get<std::string>();
    } else {
      return badJson(path, "unknown key \"" + key + "\" (expected envs, args, name, description)");
    }
  }
  return file;
}

llvm::Expected<OptionFile> readOptionFile(llvm::StringRef path) {
  auto text = readWholeFile(path);
  if (!text) {
    std::string why = llvm::toString(text.takeError());
    return badJson(path, "cannot read: " + why);
  }
  return parseOptionFile(*text, path);
}

std::string toOptionJson(const CompileOptions &options) {
  nlohmann::ordered_json doc;
  nlohmann::ordered_json envs = nlohmann::ordered_json::object();
  for (const auto &[var, value] : options.codegen_env) envs[var] = value;  // std::map: sorted
  doc["envs"] = envs;
  nlohmann::ordered_json args = nlohmann::ordered_json::array();
  for (const auto &spec : compileOptionSchema())
    for (const auto &value : spec.render(options)) args.push_back("--" + spec.name + "=" + value);
  doc["args"] = args;
  doc["name"] = options.name;
  return doc.dump(2) + "\n";
}

}  // namespace pfcomp::options
