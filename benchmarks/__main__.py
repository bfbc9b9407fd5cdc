"""`python -m benchmarks [name ...]`: run every benchmark, or those named."""

import argparse
import sys

from benchmarks import (
    aggregates,
    import_bounds,
    import_select,
    report_render,
    staff_import,
    walk_latency,
)

BENCHMARKS = {
    "walk_latency": walk_latency.run,
    "import_select": import_select.run,
    "import_bounds": import_bounds.run,
    "staff_import": staff_import.run,
    "report_render": report_render.run,
    "aggregates": aggregates.run,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "names", nargs="*", metavar="name",
        help="which to run (default: all): " + ", ".join(BENCHMARKS),
    )  # fmt: skip
    names = parser.parse_args(argv).names or list(BENCHMARKS)
    if unknown := [name for name in names if name not in BENCHMARKS]:
        choices = ", ".join(BENCHMARKS)
        parser.error(f"no benchmark named {', '.join(unknown)}; choose from {choices}")
    for name in names:
        BENCHMARKS[name]()
    return 0


if __name__ == "__main__":
    sys.exit(main())
