#!/usr/bin/env node
// A native-solc look-alike over solc-js (wasm), so py-solc-x and brownie can use it offline.
// Answers `--version` like native solc and compiles `--standard-json` from stdin; imports are
// resolved against --base-path / --allow-paths and the remappings given on the command line
// (brownie passes `prefix=path` arguments). Output is written with fs.writeSync: writing with
// process.stdout.write and then exiting truncates large outputs at 64 KiB.
'use strict';
const fs = require('fs');
const path = require('path');

function loadSolc() {
  const candidates = [];
  if (process.env.MEDCHAIN_SOLCJS) candidates.push(process.env.MEDCHAIN_SOLCJS);
  if (process.env.MEDCHAIN_NODE_MODULES) candidates.push(path.join(process.env.MEDCHAIN_NODE_MODULES, 'solc'));
  let dir = __dirname;
  for (;;) {
    candidates.push(path.join(dir, 'node_modules', 'solc'));
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  candidates.push(path.join(process.cwd(), 'node_modules', 'solc'));
  for (const c of candidates) {
    if (fs.existsSync(path.join(c, 'package.json'))) return require(c);
  }
  fs.writeSync(2, 'solc-shim: cannot find the npm package "solc" (run `npm ci` in the MedChain project)\n');
  process.exit(2);
}

function writeOut(text) {
  const buf = Buffer.from(text, 'utf8');
  let off = 0;
  while (off < buf.length) off += fs.writeSync(1, buf, off, buf.length - off);
}

const args = process.argv.slice(2);
const solc = loadSolc();

if (args.includes('--version')) {
  const v = solc.version().replace(/\.Emscripten\.clang$/, '.Linux.g++');
  writeOut('solc, the solidity compiler commandline interface\nVersion: ' + v + '\n');
  process.exit(0);
}
if (!args.includes('--standard-json')) {
  fs.writeSync(2, 'solc-shim: only --version and --standard-json are supported\n');
  process.exit(2);
}

const roots = [];
const remaps = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--base-path' || a === '--include-path') roots.push(args[++i]);
  else if (a === '--allow-paths') args[++i].split(',').forEach((p) => roots.push(p));
  else if (!a.startsWith('-') && a.includes('=')) {
    const [prefix, target] = a.split('=');
    remaps.push([prefix, target]);
  }
}
roots.push(process.cwd());

function findImports(importPath) {
  let p = importPath;
  for (const [prefix, target] of remaps) {
    if (p.startsWith(prefix)) { p = target + p.slice(prefix.length); break; }
  }
  const tries = path.isAbsolute(p) ? [p] : roots.map((r) => path.resolve(r, p));
  for (const t of tries) {
    if (fs.existsSync(t)) return { contents: fs.readFileSync(t, 'utf8') };
  }
  return { error: 'File not found: ' + importPath };
}

const input = fs.readFileSync(0, 'utf8');
writeOut(solc.compile(input, { import: findImports }));
