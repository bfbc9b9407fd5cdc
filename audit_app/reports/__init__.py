"""Monthly PVP meeting reports (compiled by Celery, rendered by WeasyPrint) and meeting actions."""
