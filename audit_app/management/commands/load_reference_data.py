from django.core.management import call_command
from django.core.management.base import BaseCommand

# In dependency order. Each row has a fixed primary key, so loading again changes nothing.
REFERENCE_FIXTURES = [
    "organisation",
    "themes",
    "question_set_v1",
    "recommendations_2017",
]


class Command(BaseCommand):
    help = "Load the force, areas, teams, case themes, question set v1 and 2017 recommendations."

    def handle(self, *args, **options) -> None:
        call_command("loaddata", *REFERENCE_FIXTURES, verbosity=options["verbosity"])
