#!/usr/bin/env node
// Reads an Arrow IPC stream or file (e.g. written by Quiver) with apache-arrow
// and prints every value as canonical JSON (see arrow_json.js).
// Usage: node read_ipc.js FILE
'use strict';
const fs = require('fs');
const arrow = require('apache-arrow');
const { tableJson } = require('./arrow_json');

const path = process.argv[2];
if (!path) {
  console.error('usage: read_ipc.js FILE');
  process.exit(2);
}
const table = arrow.tableFromIPC(fs.readFileSync(path));
const out = tableJson(table);
out.schema_metadata = Object.fromEntries(table.schema.metadata);
out.field_metadata = table.schema.fields.map(f => Object.fromEntries(f.metadata));
process.stdout.write(JSON.stringify(out) + '\n');
