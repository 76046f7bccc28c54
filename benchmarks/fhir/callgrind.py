"""Instructions per request, for changes smaller than a loaded machine's CPU-time noise.

Run under callgrind, which counts instructions rather than time, with collection on only
inside ``functools.reduce`` — the loop of requests, after the warm-ups::

    KC_CPU_LOGIN='{"cookie": "sessionid=...", "patient": 143}' \\
    valgrind --tool=callgrind --collect-atstart=no --toggle-collect=functools_reduce \\
        --callgrind-out-file=/dev/null .venv/bin/python -m benchmarks.fhir.callgrind api 100

(``KC_CPU_LOGIN`` is what ``benchmarks.fhir.run._LOGIN`` prints; the environment is
``cpu.py``'s.) "Collected" divided by the request count is the instructions per request.
The audit is written inline — the writer thread off, so each request inserts, commits and
runs its chain pass in the one thread — so little depends on timing (with the writer on,
how many requests a chain pass covers depends on the clock); a change to the writer is
measured with ``cpu.py`` instead.
"""

from __future__ import annotations

import functools
import json
import os
import sys

from benchmarks.fhir.cpu import PATHS, _call


def main(argv: list[str]) -> int:
    import django

    django.setup()
    from ketaclinic.apps.audit.writer import audit_writer
    from ketaclinic.config.wsgi import application

    audit_writer.enabled = False
    login = json.loads(os.environ["KC_CPU_LOGIN"])
    name, count = argv[0], int(argv[1])
    path = PATHS[name].format(**login)
    for _ in range(20):
        _call(application, path, login["cookie"])
    functools.reduce(lambda _acc, _n: _call(application, path, login["cookie"]), range(count), None)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
