// SPDX-License-Identifier: MIT
// MedChain's prover bridge to snarkjs (node_modules): one JSON request on stdin, one JSON answer on
// stdout. {"op": "prove", "wasm", "zkey", "input"} -> {"proof", "publicSignals"} (Groth16 fullProve);
// {"op": "verify", "vkey", "proof", "publicSignals"} -> {"ok"}. Used by src/medchain/core/zk.py.
"use strict";
const path = require("path");
const fs = require("fs");
const root = process.env.MEDCHAIN_NODE_MODULES || path.join(__dirname, "..", "..", "node_modules");
const snarkjs = require(path.join(root, "snarkjs"));

async function main() {
  const req = JSON.parse(fs.readFileSync(0, "utf8"));
  const quiet = { debug() {}, info() {}, warn() {}, error(...a) { console.error(...a); } };
  let out;
  if (req.op === "prove") {
    const t0 = Date.now();
    const { proof, publicSignals } = await snarkjs.groth16.fullProve(req.input, req.wasm, req.zkey, quiet);
    out = { proof, publicSignals, seconds: (Date.now() - t0) / 1000 };
  } else if (req.op === "verify") {
    const vkey = JSON.parse(fs.readFileSync(req.vkey, "utf8"));
    out = { ok: await snarkjs.groth16.verify(vkey, req.publicSignals, req.proof, quiet) };
  } else {
    throw new Error(`unknown op ${req.op}`);
  }
  await new Promise((resolve) => process.stdout.write(JSON.stringify(out) + "\n", resolve));
}
main().then(() => process.exit(0), (e) => { console.error(String(e && e.message || e)); process.exit(1); });
