"""A small, bounded load generator for pages served on loopback."""

from __future__ import annotations

import http.client
import statistics
import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class LatencyReport:
    path: str
    requests: int
    median_ms: float
    p95_ms: float

    def __str__(self) -> str:
        return (
            f"{self.path:<28} n={self.requests:<4} "
            f"median {self.median_ms:6.2f} ms  p95 {self.p95_ms:6.2f} ms"
        )


def measure(
    port: int, path: str, *, cookie: str = "", concurrency: int = 4, requests_each: int = 50
) -> LatencyReport:
    """`concurrency` clients, each on its own keep-alive connection, make `requests_each` GETs."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        for _ in range(requests_each):
            started = time.perf_counter()
            connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
            response = connection.getresponse()
            response.read()
            mine.append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                errors.append(f"{path}: HTTP {response.status}")
                break
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError(errors[0])
    latencies.sort()
    return LatencyReport(
        path=path,
        requests=len(latencies),
        median_ms=statistics.median(latencies),
        p95_ms=latencies[int(len(latencies) * 0.95) - 1],
    )
