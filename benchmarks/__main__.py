import sys

from benchmarks import aggregates, import_select, report_render, walk_latency

BENCHMARKS = [walk_latency.run, import_select.run, report_render.run, aggregates.run]


def main() -> int:
    for benchmark in BENCHMARKS:
        benchmark()
    return 0


if __name__ == "__main__":
    sys.exit(main())
