"""Import an inspection's recommendations from JSON or CSV, all or nothing.

JSON:
    {"inspection": "lancashire-ncpi-2017"            (an existing inspection's reference)
                   or {"reference": ..., "force": "lancashire", "title": ...,
                       "published_on": "2018-03-01", "body": "HMICFRS",
                       "fieldwork_start": ..., "fieldwork_end": ...},
     "recommendations": [{"number": 1, "heading": "Investigation",
                          "timescale": "Within three months", "text": "...",
                          "points": ["...", "..."]}]}

CSV (the inspection given with --inspection REFERENCE): columns number, heading, timescale, text
and points (the bullet points, one per line inside the cell).

Headings and timescales may be given by value or label; an unknown one refuses the import with
the reason for each row, and nothing is saved.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from recommendations.services import ImportRefused, recommendations_import

CSV_COLUMNS = {"number", "heading", "timescale", "text"}


class Command(BaseCommand):
    help = "Import an inspection's recommendations from a JSON or CSV file (all or nothing)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--inspection", help="The inspection's reference (required for CSV files)."
        )

    def handle(self, *args, **options) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        if path.suffix.lower() == ".csv":
            inspection, rows = self._read_csv(path, options["inspection"])
        elif path.suffix.lower() == ".json":
            inspection, rows = self._read_json(path, options["inspection"])
        else:
            raise CommandError("The file must end in .json or .csv.")
        try:
            result = recommendations_import(inspection=inspection, rows=rows)
        except ImportRefused as refused:
            raise CommandError(
                "Nothing was imported:\n" + "\n".join(f"- {r}" for r in refused.reasons)
            ) from refused
        self.stdout.write(
            f"{result.inspection.title}: {len(result.created)} recommendation(s) imported, "
            f"{len(result.unchanged)} already recorded."
        )

    def _read_json(self, path: Path, reference: str | None):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(f"{path} is not valid JSON: {error}") from error
        if not isinstance(data, dict) or not isinstance(data.get("recommendations"), list):
            raise CommandError('The JSON must be an object with a "recommendations" list.')
        inspection = reference or data.get("inspection")
        if not inspection:
            raise CommandError('Say which inspection: an "inspection" entry or --inspection.')
        rows = data["recommendations"]
        if not all(isinstance(row, dict) for row in rows):
            raise CommandError('Each entry of "recommendations" must be an object.')
        return inspection, rows

    def _read_csv(self, path: Path, reference: str | None):
        if not reference:
            raise CommandError("A CSV file needs --inspection REFERENCE.")
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                reader = csv.DictReader(handle)
                missing = CSV_COLUMNS - set(reader.fieldnames or [])
                if missing:
                    raise CommandError(
                        f"The CSV lacks the column(s): {', '.join(sorted(missing))}."
                    )
                rows = [dict(row) for row in reader]
        except UnicodeDecodeError as error:
            raise CommandError(f"{path} is not UTF-8 text.") from error
        return reference, rows
