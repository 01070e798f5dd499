// SPDX-License-Identifier: MIT
// Prints, as JSON, the standard circomlib Poseidon parameters (bn254, x^5, 8 full rounds) for
// t = 2..6 as circomlibjs publishes them (plus the optimised t = 3 set: C, S, M, P), and vectors of
// circomlibjs' own poseidon, to generate src/medchain/core/poseidon_constants.py
// (`python -m medchain.core.poseidon --generate`).
"use strict";
const path = require("path");
const root = process.env.MEDCHAIN_NODE_MODULES || path.join(__dirname, "..", "..", "node_modules");
const ref = require(path.join(root, "circomlibjs", "src", "poseidon_constants.json"));
const opt = require(path.join(root, "circomlibjs", "src", "poseidon_constants_opt.json"));
const circomlibjs = require(path.join(root, "circomlibjs"));

const N_ROUNDS_P = [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68];
const hex = (x) => BigInt(x).toString(16);

async function main() {
  const out = { params: {}, opt3: null, vectors: [] };
  for (let t = 2; t <= 6; t++) {
    out.params[t] = { nRoundsP: N_ROUNDS_P[t - 2], C: ref.C[t - 2].map(hex), M: ref.M[t - 2].map((r) => r.map(hex)) };
  }
  out.opt3 = { nRoundsP: N_ROUNDS_P[1], C: opt.C[1].map(hex), S: opt.S[1].map(hex),
               M: opt.M[1].map((r) => r.map(hex)), P: opt.P[1].map((r) => r.map(hex)) };
  const poseidon = await circomlibjs.buildPoseidon();
  const F = poseidon.F;
  const inputs = [[0], [1], [1, 2], [0, 0], [123456789, 987654321], [1, 2, 3, 4, 5], [5, 4, 3, 2, 1],
                  [(1n << 250n).toString(), 3, 7, 11, 13], [2, 3, 4], [9, 8, 7, 6],
                  ["21888242871839275222246405745257275088548364400416034343698204186575808495616", 1]];
  for (const ins of inputs) {
    out.vectors.push({ inputs: ins.map((x) => BigInt(x).toString()), out: F.toObject(poseidon(ins.map(BigInt))).toString() });
  }
  await new Promise((resolve) => process.stdout.write(JSON.stringify(out) + "\n", resolve));
}
main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
