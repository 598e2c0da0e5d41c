#include "tools/dashboard/server.h"

#include "tools/dashboard/assets.h"
#include "tools/dashboard/onnx_json.h"
#include "support/error.h"
#include "support/version.h"

#include <httplib.h>

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>

namespace pfcomp::dashboard {
namespace {

using nlohmann::json;

const char *kPages[] = {"summary", "graph", "nodes", "logs", "timeline", "tools", "compare"};

// Nothing on a page may come from elsewhere: the dashboard works offline by construction.
void secureHeaders(httplib::Response &res) {
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Cache-Control", "no-store");
}

// Bodies go out as a fixed-length content provider, which httplib never compresses: its
// brotli runs at quality 11 (seconds for a few MB) and compression buys nothing on loopback.
void sendBody(httplib::Response &res, std::string body, const std::string &type) {
  auto shared = std::make_shared<std::string>(std::move(body));
  res.set_content_provider(shared->size(), type.c_str(),
                           [shared](size_t offset, size_t length, httplib::DataSink &sink) {
                             sink.write(shared->data() + offset, std::min(length, shared->size() - offset));
                             return true;
                           });
}

void sendError(httplib::Response &res, int status, const std::string &message) {
  res.status = status;
  res.set_content(message + "\n", "text/plain; charset=utf-8");
}

void sendJson(httplib::Response &res, const json &j) {
  sendBody(res, j.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

std::string baseName(const std::string &path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

class Routes {
public:
  explicit Routes(const std::vector<CodegenDir> &dirs) : dirs_(dirs) {}

  void install(httplib::Server &svr) {
    svr.Get("/", [](const httplib::Request &, httplib::Response &res) {
      res.set_redirect("/summary");
    });
    for (const char *page : kPages)
      svr.Get(std::string("/") + page, [](const httplib::Request &, httplib::Response &res) {
        const Asset *a = findAsset("index.html");
        secureHeaders(res);
        res.set_header("Content-Security-Policy",
                       "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:");
        sendBody(res, std::string(a->body), "text/html; charset=utf-8");
      });
    svr.Get("/favicon.ico", [](const httplib::Request &, httplib::Response &res) {
      res.set_redirect("/assets/favicon.svg");
    });
    svr.Get(R"(/assets/([A-Za-z0-9_.\-]+))", [](const httplib::Request &req, httplib::Response &res) {
      const Asset *a = findAsset(req.matches[1].str());
      if (!a) return sendError(res, 404, "no such asset");
      secureHeaders(res);
      sendBody(res, std::string(a->body), std::string(mimeType(a->name)));
    });
    svr.Get("/api/dirs", [this](const httplib::Request &, httplib::Response &res) {
      json out = {{"version", kToolVersion}, {"dirs", json::array()}};
      for (size_t i = 0; i < dirs_.size(); ++i) {
        json files = json::array();
        for (const DirFile &f : dirs_[i].files())
          files.push_back({{"name", f.name}, {"zst", f.zst}, {"bytes", f.bytes}});
        out["dirs"].push_back({{"index", i},
                               {"path", dirs_[i].path()},
                               {"name", baseName(dirs_[i].path())},
                               {"files", files}});
      }
      sendJson(res, out);
    });
    svr.Get(R"(/api/report/(\d+))", [this](const httplib::Request &req, httplib::Response &res) {
      const CodegenDir *dir = pick(req.matches[1].str());
      if (!dir) return sendError(res, 404, "no such codegen_dir");
      sendJson(res, dir->report());
    });
    svr.Get(R"(/api/onnx/(\d+)/(.+))", [this](const httplib::Request &req, httplib::Response &res) {
      onnxRoute(req, res);
    });
    svr.Get(R"(/files/(\d+)/(.*))", [this](const httplib::Request &req, httplib::Response &res) {
      fileRoute(req, res);
    });
    // Read-only: every other method is refused.
    auto refuse = [](const httplib::Request &, httplib::Response &res) {
      sendError(res, 405, "read-only");
    };
    svr.Post(".*", refuse);
    svr.Put(".*", refuse);
    svr.Patch(".*", refuse);
    svr.Delete(".*", refuse);
  }

private:
  const CodegenDir *pick(const std::string &index) const {
    size_t i = std::stoul(index);
    return i < dirs_.size() ? &dirs_[i] : nullptr;
  }

  // Resolves the file part of a request; sends the refusal itself and returns false.
  bool resolve(const httplib::Request &req, httplib::Response &res, const CodegenDir *&dir,
               DirFile &file) {
    dir = pick(req.matches[1].str());
    if (!dir) return sendError(res, 404, "no such codegen_dir"), false;
    switch (dir->resolve(req.matches[2].str(), file)) {
      case Refusal::Forbidden: return sendError(res, 403, "forbidden path"), false;
      case Refusal::NotFound: return sendError(res, 404, "no such file"), false;
      case Refusal::None: return true;
    }
    return false;
  }

  void fileRoute(const httplib::Request &req, httplib::Response &res) {
    const CodegenDir *dir;
    DirFile file;
    if (!resolve(req, res, dir, file)) return;
    bool raw = req.has_param("raw") && req.get_param_value("raw") != "0";
    auto body = dir->read(file, raw);
    if (!body) return sendError(res, 500, llvm::toString(body.takeError()));
    secureHeaders(res);
    std::string name = raw ? file.stored : file.name;
    if (raw || req.has_param("download"))
      res.set_header("Content-Disposition", "attachment; filename=\"" + baseName(name) + "\"");
    // Served HTML tools may run their own scripts but never reach the dashboard's APIs.
    if (!raw && mimeType(name).rfind("text/html", 0) == 0)
      res.set_header("Content-Security-Policy", "sandbox allow-scripts; default-src 'self' 'unsafe-inline' data:");
    sendBody(res, std::move(*body), std::string(mimeType(name)));
  }

  void onnxRoute(const httplib::Request &req, httplib::Response &res) {
    const CodegenDir *dir;
    DirFile file;
    if (!resolve(req, res, dir, file)) return;
    std::string key = dir->path() + "/" + file.stored;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = onnxCache_.find(key);
      if (it != onnxCache_.end()) return sendBody(res, it->second, "application/json");
    }
    auto bytes = dir->read(file, false);
    if (!bytes) return sendError(res, 500, llvm::toString(bytes.takeError()));
    auto j = onnxToJson(*bytes, file.name);
    if (!j) return sendError(res, 422, llvm::toString(j.takeError()));
    std::string text = j->dump(-1, ' ', false, json::error_handler_t::replace);
    std::lock_guard<std::mutex> lock(mu_);
    onnxCache_[key] = text;
    sendBody(res, text, "application/json");
  }

  const std::vector<CodegenDir> &dirs_;
  std::mutex mu_;
  std::map<std::string, std::string> onnxCache_;  // file → its JSON, files never change
};

}  // namespace

llvm::Error serve(const std::vector<CodegenDir> &dirs, const ServeOptions &options,
                  const std::function<void(const std::string &url)> &onListening) {
  httplib::Server svr;
  Routes routes(dirs);
  routes.install(svr);
  // httplib's default adds SO_REUSEPORT, which would let a second dashboard share the port
  // silently; keep SO_REUSEADDR only (quick restarts) so a busy port is an error.
  svr.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<void *>(&yes), sizeof(yes));
  });
  int port = options.port;
  if (port == 0) {
    port = svr.bind_to_any_port(options.host);
    if (port < 0) port = 0;
  } else if (!svr.bind_to_port(options.host, port)) {
    port = 0;
  }
  if (port == 0)
    return makeError(ErrorCode::DashboardBindFailed, "cannot listen on {0}:{1} (port in use?)",
                     options.host, options.port);
  std::string host = options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host;
  onListening("http://" + host + ":" + std::to_string(port) + "/");
  if (!svr.listen_after_bind())
    return makeError(ErrorCode::DashboardBindFailed, "server on {0}:{1} stopped", options.host, port);
  return llvm::Error::success();
}

}  // namespace pfcomp::dashboard
