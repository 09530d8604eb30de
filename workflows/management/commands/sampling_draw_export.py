"""Write a spot-check draw as published: its seed, inputs (with the register checkpoint that
gave the seed) and selection, for ``scripts/verify_draw.py`` and anyone who checks it."""

import json

from django.core.management.base import BaseCommand, CommandError

from workflows.verification.models import SamplingDraw


class Command(BaseCommand):
    help = "Print a sampling draw's published inputs as JSON."

    def add_arguments(self, parser):
        parser.add_argument("draw", type=int, help="the draw's number")

    def handle(self, *args, draw: int, **options):
        found = SamplingDraw.objects.filter(pk=draw).first()
        if found is None:
            raise CommandError(f"There is no sampling draw {draw}.")
        published = {
            "draw": found.pk,
            "drawn_at": found.drawn_at.isoformat(),
            "seed": found.seed,
            "inputs": found.inputs,
            "selected": found.selected,
        }
        self.stdout.write(json.dumps(published, ensure_ascii=False, indent=1))
