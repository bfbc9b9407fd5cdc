import sys

BENCHMARKS: list = []


def main() -> int:
    if not BENCHMARKS:
        print("no benchmarks yet")
        return 0
    for benchmark in BENCHMARKS:
        benchmark()
    return 0


if __name__ == "__main__":
    sys.exit(main())
