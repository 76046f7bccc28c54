"""Validate NDJSON files (a bulk export's directory) with the independent FHIR R4 validator.

``python manage.py fhir_validate var/fhir-exports/<job>/`` prints valid/total per resource
type and the first errors; it fails (exit 1) if any line is not valid R4. ``--json`` prints
the validator's summary as JSON.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ketaclinic.fhir.validation import ValidatorMissing, ndjson_files, validate_ndjson


class Command(BaseCommand):
    help = "Validate FHIR NDJSON files (or export directories) with an independent R4 validator."

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, help="NDJSON files or directories")
        parser.add_argument("--json", action="store_true", help="print the summary as JSON")

    def handle(self, *args, **options) -> None:
        files = ndjson_files(options["paths"])
        missing = [str(f) for f in files if not f.is_file()]
        if missing or not files:
            raise CommandError(f"paths: no NDJSON file at {', '.join(missing) or 'those paths'}")
        try:
            summary = validate_ndjson(files)
        except ValidatorMissing as problem:
            raise CommandError(f"validator: {problem}") from None
        if options["json"]:
            self.stdout.write(json.dumps(summary, indent=2))
        else:
            self.stdout.write(f"{'resource type':<28} {'valid':>10} {'total':>10}")
            for name, counts in sorted(summary.items()):
                self.stdout.write(f"{name:<28} {counts['valid']:>10,} {counts['total']:>10,}")
            valid = sum(c["valid"] for c in summary.values())
            total = sum(c["total"] for c in summary.values())
            self.stdout.write(f"{'all':<28} {valid:>10,} {total:>10,}")
            for name, counts in sorted(summary.items()):
                for failure in counts["errors"]:
                    self.stdout.write(f"{name}/{failure['id']}: {'; '.join(failure['issues'])}")
        if any(c["valid"] != c["total"] for c in summary.values()):
            raise SystemExit(1)
