// Loads a built Functions app the way the Node.js worker does: resolves package.json `main`, provides the
// host's `@azure/functions-core` module, requires every entry file, and prints what was registered as JSON.
const Module = require('node:module');
const fs = require('node:fs');
const path = require('node:path');

const appDir = path.resolve(process.argv[2]);
const registrations = [];
const hooks = [];
const core = {
  version: '4.0.0',
  hostVersion: '4.1037.0',
  setProgrammingModel() {},
  getProgrammingModel() {},
  registerFunction(metadata) {
    registrations.push(metadata);
    return { dispose() {} };
  },
  registerHook(name) {
    hooks.push(name);
    return { dispose() {} };
  },
  log() {},
};
const load = Module._load;
Module._load = function (request, ...rest) {
  if (request === '@azure/functions-core') return core;
  return load.call(this, request, ...rest);
};

function expand(pattern) {
  const brace = /\{([^}]*)\}/.exec(pattern);
  if (brace) return brace[1].split(',').flatMap((part) => expand(pattern.replace(brace[0], part)));
  if (!pattern.includes('*')) return fs.existsSync(path.join(appDir, pattern)) ? [pattern] : [];
  const dir = path.dirname(pattern);
  const re = new RegExp(`^${path.basename(pattern).replace(/\./g, '\\.').replace(/\*/g, '[^/]*')}$`);
  return fs
    .readdirSync(path.join(appDir, dir))
    .filter((f) => re.test(f))
    .map((f) => path.join(dir, f));
}

const main = JSON.parse(fs.readFileSync(path.join(appDir, 'package.json'), 'utf8')).main;
const files = expand(main);
for (const file of files) require(path.join(appDir, file));
process.stdout.write(JSON.stringify({ main, files, registrations, hooks }));
