"""``python -m benchmarks.pk`` runs ``benchmarks/pk/run.py``."""

import sys

from benchmarks.pk.run import main

sys.exit(main())
