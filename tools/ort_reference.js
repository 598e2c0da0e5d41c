// Reference outputs for testdata/: runs an ONNX model with onnxruntime-node (one thread).
//
// Usage: node tools/ort_reference.js MANIFEST.json
// MANIFEST: {"model": "path.onnx", "inputs": [{"name", "dims", "file"}], "out_dir": "dir"}
// where each input file holds raw little-endian float32 data. Writes, in out_dir,
// output_<i>.bin (raw float32, graph-output order) and outputs.json ({"outputs": [{"name", "dims",
// "file"}]}). make_testdata.py turns those into ONNX TensorProto files; keeping the protobuf
// work in Python (python3-onnx) avoids a second, hand-written protobuf codec here.
'use strict';

const fs = require('fs');
const path = require('path');
const ort = require('onnxruntime-node');

async function main() {
  if (process.argv.length !== 3) {
    console.error('usage: node tools/ort_reference.js MANIFEST.json');
    process.exit(2);
  }
  const manifest = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const session = await ort.InferenceSession.create(manifest.model, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'disabled',
  });
  const feeds = {};
  for (const input of manifest.inputs) {
    const bytes = fs.readFileSync(input.file);
    const raw = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
    // float32 unless the manifest says int64 (token ids and other index inputs).
    const type = input.dtype || 'float32';
    const data = type === 'int64' ? new BigInt64Array(raw) : new Float32Array(raw);
    feeds[input.name] = new ort.Tensor(type, data, input.dims);
  }
  const results = await session.run(feeds);
  const outputs = [];
  session.outputNames.forEach((name, i) => {
    const tensor = results[name];
    if (tensor.type !== 'float32') throw new Error(`output ${name} has type ${tensor.type}`);
    const file = path.join(manifest.out_dir, `output_${i}.bin`);
    fs.writeFileSync(file, Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
    outputs.push({name, dims: tensor.dims.map(Number), file});
  });
  fs.writeFileSync(path.join(manifest.out_dir, 'outputs.json'), JSON.stringify({outputs}, null, 1));
}

main().catch((err) => {
  console.error(`ort_reference: error: ${err.message || err}`);
  process.exit(1);
});
