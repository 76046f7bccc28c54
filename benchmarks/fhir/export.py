"""One export pass in its own process: resources written per CPU-second, and peak memory.

Run by ``run.py`` (``python -m benchmarks.fhir.export --account director --passes 1``) with
Django configured from the environment. It writes the NDJSON files exactly as a Bulk Data
job does (``bulk._write_type``: chunked iterators, one file per type, renamed when
complete), as ``account`` would see them (a system export, or ``--site`` for one site's
group), ``--passes`` times over the same directory, and prints one JSON line: resources,
CPU seconds of this process, resources per CPU-second, and peak RSS before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--account", default="director")
    parser.add_argument("--site", type=int, help="a group export of this site's patients")
    parser.add_argument("--types", default="", help="comma-separated; default all")
    parser.add_argument("--passes", type=int, default=1)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketaclinic.config.settings")
    import django

    django.setup()
    from ketaclinic.apps.accounts.models import User
    from ketaclinic.fhir import bulk
    from ketaclinic.fhir.choices import ExportLevel
    from ketaclinic.fhir.models import ExportJob

    account = User.objects.get(username=args.account)
    level = ExportLevel.GROUP if args.site else ExportLevel.SYSTEM
    job = ExportJob(requested_by=account, level=level, group_site_id=args.site)  # not saved
    types = [t for t in args.types.split(",") if t] or bulk.export_types(level)
    baseline_mb = _peak_rss_mb()
    out = args.out or Path(tempfile.mkdtemp(prefix="kc-fhir-export-"))
    out.mkdir(parents=True, exist_ok=True)
    per_type: dict[str, int] = {}
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for _ in range(args.passes):
        for type_name in types:
            entry = bulk._write_type(job, type_name, out, None)
            per_type[type_name] = per_type.get(type_name, 0) + entry["count"]
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    total = sum(per_type.values())
    size = sum(f.stat().st_size for f in out.glob("*.ndjson"))
    print(
        json.dumps(
            {
                "resources": total,
                "per_type": per_type,
                "cpu_s": round(cpu, 3),
                "wall_s": round(wall, 3),
                "per_cpu_s": round(total / cpu) if cpu else None,
                "baseline_rss_mb": round(baseline_mb, 1),
                "peak_rss_mb": round(_peak_rss_mb(), 1),
                "bytes_last_pass": size,
                "out": str(out),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
