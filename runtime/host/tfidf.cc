// TfIdfVectorizer over integer tokens: counts the pool's n-grams (with skips) per row and
// weights them per mode, with onnxruntime's rule that unigrams are counted once, not per skip.
#include "runtime/host/op_registry.h"

#include <map>

namespace pfcomp::host {

namespace {

struct NgramPool {
  std::map<std::vector<int64_t>, int64_t> column;  // n-gram -> output column
  int64_t minLength, maxLength, maxSkip, width;
};

llvm::Expected<NgramPool> poolOf(const Attrs &attrs) {
  NgramPool p;
  p.minLength = attrInt(attrs, "min_gram_length", 0);
  p.maxLength = attrInt(attrs, "max_gram_length", 0);
  p.maxSkip = attrInt(attrs, "max_skip_count", 0);
  const std::vector<int64_t> counts = attrInts(attrs, "ngram_counts"),
                             indexes = attrInts(attrs, "ngram_indexes"),
                             pool = attrInts(attrs, "pool_int64s");
  if (findAttr(attrs, "pool_strings"))
    return makeError(ErrorCode::UnsupportedOp, "TfIdfVectorizer: string pools are not supported");
  if (p.minLength < 1 || p.maxLength < p.minLength || p.maxSkip < 0)
    return specError("TfIdfVectorizer", "needs 1 <= min_gram_length <= max_gram_length and "
                     "max_skip_count >= 0 (got {0}, {1}, {2})", p.minLength, p.maxLength, p.maxSkip);
  // ngram_counts[i]: where the (i+1)-grams start in the pool; n-grams are numbered in pool order.
  int64_t ordinal = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    const int64_t n = i + 1, begin = counts[i];
    const int64_t end = i + 1 < counts.size() ? counts[i + 1] : static_cast<int64_t>(pool.size());
    if (begin < 0 || end < begin || end > static_cast<int64_t>(pool.size()) || (end - begin) % n)
      return specError("TfIdfVectorizer", "ngram_counts[{0}] = {1} does not split pool_int64s "
                       "into {2}-grams", i, begin, n);
    for (int64_t at = begin; at < end; at += n, ++ordinal) {
      if (ordinal >= static_cast<int64_t>(indexes.size()))
        return specError("TfIdfVectorizer", "ngram_indexes has fewer entries than the pool's n-grams");
      p.column[std::vector<int64_t>(pool.begin() + at, pool.begin() + at + n)] = indexes[ordinal];
    }
  }
  p.width = 0;
  for (int64_t c : indexes) p.width = std::max(p.width, c + 1);
  return p;
}

llvm::Expected<std::vector<OutputSpec>> tfidfSpecs(const Attrs &attrs, const Inputs &in) {
  auto pool = poolOf(attrs);
  if (!pool) return pool.takeError();
  const std::string mode = attrString(attrs, "mode", "");
  if (mode != "TF" && mode != "IDF" && mode != "TFIDF")
    return specError("TfIdfVectorizer", "mode '{0}' is not TF, IDF or TFIDF", mode);
  if (in[0].rank() < 1 || in[0].rank() > 2 || !isIntType(in[0].dtype))
    return specError("TfIdfVectorizer", "input must be [N] or [B, N] integers, got {0} {1}",
                     dtypeName(in[0].dtype), shapeText(*in[0].shape));
  std::vector<int64_t> shape = {pool->width};
  if (in[0].rank() == 2) shape.insert(shape.begin(), in[0].dim(0));
  return std::vector<OutputSpec>{{device::F32, shape, false}};
}

llvm::Expected<std::vector<Tensor>> tfidfRun(const Attrs &attrs, const Inputs &in,
                                             const std::vector<OutputSpec> &specs) {
  const Tensor &x = *in[0].value;
  const NgramPool pool = *poolOf(attrs);
  const std::string mode = attrString(attrs, "mode", "");
  const std::vector<double> weights = attrFloats(attrs, "weights");
  const int64_t rows = x.shape.size() == 2 ? x.shape[0] : 1, len = x.shape.back();
  Tensor out = makeTensor(device::F32, specs[0].shape);
  std::vector<double> tf(pool.width);
  std::vector<int64_t> gram;
  for (int64_t r = 0; r < rows; ++r) {
    std::fill(tf.begin(), tf.end(), 0);
    for (int64_t skip = 0; skip <= pool.maxSkip; ++skip)
      for (int64_t start = 0; start < len; ++start)
        for (int64_t n = std::max<int64_t>(pool.minLength, skip ? 2 : 1); n <= pool.maxLength; ++n) {
          if (start + (n - 1) * (skip + 1) >= len) break;
          gram.clear();
          for (int64_t k = 0; k < n; ++k) gram.push_back(loadI(x, r * len + start + k * (skip + 1)));
          auto hit = pool.column.find(gram);
          if (hit != pool.column.end()) tf[hit->second] += 1;
        }
    for (int64_t c = 0; c < pool.width; ++c) {
      const double weight = c < static_cast<int64_t>(weights.size()) ? weights[c] : 1.0;
      const double v = mode == "TF" ? tf[c] : mode == "IDF" ? (tf[c] > 0 ? weight : 0) : tf[c] * weight;
      storeF(out, r * pool.width + c, v);
    }
  }
  return std::vector<Tensor>{std::move(out)};
}

}  // namespace

// Each token starts up to (max_skip_count + 1) * max_gram_length pool look-ups (map of
// vectors: a few tens of ns each).
std::vector<HostOpDef> textOps() {
  return {{"TfIdfVectorizer", 1, 1, 1, tfidfSpecs, tfidfRun, 100.0, 1.0}};
}

}  // namespace pfcomp::host
