#!/usr/bin/env node
'use strict';
// Usage: node deploy/k8s/crd-to-jsonschema.js OUT_DIR CRD.yaml...
// Writes one JSON schema per served CRD version, named as kubeconform looks them up:
// <kind>-<first label of group>-<version>.json (e.g. cluster-postgresql-v1.json). "Strict" like
// kubeconform's own converter: objects with declared properties refuse unknown fields unless the CRD
// says x-kubernetes-preserve-unknown-fields.
const fs = require('node:fs');
const path = require('node:path');

function loadYaml(text) {
  // js-yaml / yaml are in node_modules through the dev toolchain (jest, nx); no dependency of our own.
  try {
    return require('js-yaml').load(text);
  } catch (e) {
    if (e && e.code !== 'MODULE_NOT_FOUND') throw e;
    return require('yaml').parse(text);
  }
}

function strict(node) {
  if (Array.isArray(node)) return node.map(strict);
  if (!node || typeof node !== 'object') return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === 'enum' || k === 'default' || k === 'example' ? v : strict(v);
  if (out.properties && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields']) out.additionalProperties = false;
  return out;
}

const [outDir, ...files] = process.argv.slice(2);
if (!outDir || !files.length) {
  console.error('usage: crd-to-jsonschema.js OUT_DIR CRD.yaml...');
  process.exit(2);
}
fs.mkdirSync(outDir, { recursive: true });
for (const file of files) {
  const crd = loadYaml(fs.readFileSync(file, 'utf8'));
  if (!crd || crd.kind !== 'CustomResourceDefinition') throw new Error(`${file}: not a CustomResourceDefinition`);
  const kind = crd.spec.names.kind.toLowerCase();
  const group = crd.spec.group.split('.')[0];
  for (const v of crd.spec.versions) {
    const schema = v.schema && v.schema.openAPIV3Schema;
    if (!schema) continue;
    const s = strict(schema);
    s.properties = { ...s.properties, apiVersion: { type: 'string', enum: [`${crd.spec.group}/${v.name}`] }, kind: { type: 'string', enum: [crd.spec.names.kind] } };
    s.required = [...new Set([...(s.required || []), 'apiVersion', 'kind', 'metadata'])];
    fs.writeFileSync(path.join(outDir, `${kind}-${group}-${v.name}.json`), JSON.stringify(s));
  }
}
