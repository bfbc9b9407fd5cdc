from django.core.management import call_command
from django.core.management.base import BaseCommand

# In dependency order. Rows have fixed primary keys or natural keys, so loading again changes
# nothing (and never overwrites assessments recorded since).
REFERENCE_FIXTURES = [
    "organisation",
    "themes",
    "question_set_v1",
    "recommendations_2017",
    "recommendation_evidence_2017",
    "recommendation_assessments_2018",
]


class Command(BaseCommand):
    help = (
        "Load the force, areas, teams, case themes, question set v1, the 2017 recommendations "
        "with their evidence links, and the December 2018 review's assessments."
    )

    def handle(self, *args, **options) -> None:
        call_command("loaddata", *REFERENCE_FIXTURES, verbosity=options["verbosity"])
