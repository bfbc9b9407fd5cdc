import sys

from benchmarks import aggregates, walk_latency

BENCHMARKS = [walk_latency.run, aggregates.run]


def main() -> int:
    for benchmark in BENCHMARKS:
        benchmark()
    return 0


if __name__ == "__main__":
    sys.exit(main())
