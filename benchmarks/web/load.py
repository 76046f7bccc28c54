"""A small closed-loop load generator: N clients, each with a kept-alive connection, asking
for one path as fast as answers come, for a fixed time. Processes, not threads, so the
client is not held back by one interpreter lock on a 2-core machine."""

from __future__ import annotations

import http.client
import multiprocessing
import statistics
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class LoadResult:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if len(self.latencies_ms) < 2:
            return self.latencies_ms[0] if self.latencies_ms else float("nan")
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[int(p) - 1]


def _client(port: int, path: str, cookie: str, seconds: float, queue) -> None:
    headers = {"Cookie": cookie} if cookie else {}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies: list[float] = []
    errors = 0
    end = time.perf_counter() + seconds
    while (began := time.perf_counter()) < end:
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                errors += 1
        except (OSError, http.client.HTTPException):
            errors += 1
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        latencies.append((time.perf_counter() - began) * 1000)
    connection.close()
    queue.put((latencies, errors))


def run_load(port: int, path: str, *, cookie: str = "", clients: int = 8, seconds: float = 5.0):
    """Drive ``path`` with ``clients`` concurrent clients for ``seconds``; bounded in time."""
    queue: multiprocessing.Queue = multiprocessing.Queue()
    workers = [
        multiprocessing.Process(target=_client, args=(port, path, cookie, seconds, queue))
        for _ in range(clients)
    ]
    began = time.perf_counter()
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=seconds + 60) for _ in workers]
    for worker in workers:
        worker.join(timeout=10)
    elapsed = time.perf_counter() - began
    latencies = [ms for found, _ in results for ms in found]
    errors = sum(errors for _, errors in results)
    del elapsed  # each client asks for exactly `seconds`; start-up is not serving time
    return LoadResult(len(latencies), errors, seconds, latencies)
