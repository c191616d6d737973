from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalogue.services.search_quality import engine_ranking, evaluate, naive_ranking, read_cases


class Command(BaseCommand):
    help = "Mesure la pertinence de la recherche (top-1, top-3, MRR@10) sur un jeu de requêtes TSV."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Fichier TSV : requête, identifiant(s) attendu(s) séparés par |, catégorie.")
        parser.add_argument("--misses", type=int, default=50, help="Nombre de requêtes manquées à lister.")

    def handle(self, *args, file: str, misses: int, **options):
        path = Path(file)
        try:
            cases = read_cases(path)
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"{path} : fichier illisible ({error}).") from error
        if not cases:
            raise CommandError(f"{path} : aucune requête.")
        engine = evaluate(cases, engine_ranking, "recherche")
        baseline = evaluate(cases, naive_ranking, "référence naïve")
        self.stdout.write(f"{len(cases)} requêtes")
        self.stdout.write(f"{'':18} {'top-1':>7} {'top-3':>7} {'MRR@10':>7}")
        for score in (engine, baseline):
            self.stdout.write(f"{score.name:18} {score.top1_rate:7.1%} {score.top3_rate:7.1%} {score.mrr:7.3f}")
        if engine.misses:
            self.stdout.write(f"\nRequêtes hors du top 3 ({len(engine.misses)}) :")
            for case, got in engine.misses[:misses]:
                expected = "|".join(sorted(case.expected))
                self.stdout.write(f"  {case.query!r} [{case.category}] attendu {expected}, obtenu {got}")
