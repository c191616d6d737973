"""The ONISEP reference vocabularies (2024 export), so that a fresh catalogue can be filtered.

Frozen here on purpose: later exports update labels through the ONISEP import, keyed by id.
"""

from django.db import migrations
from django.utils.text import slugify

LEVELS = [
    # (ONISEP id, label, educational rank; None for "autre formation")
    ("REF.414", "sans diplôme", 0),
    ("REF.406", "3E", 1),
    ("REF.408", "Diplôme national du brevet", 2),
    ("REF.413", "CAP ou équivalent", 3),
    ("REF.404", "CAP ou équivalent + 1 an", 4),
    ("REF.412", "Bac ou équivalent", 5),
    ("REF.420", "Bac + 1", 6),
    ("REF.411", "Bac + 2", 7),
    ("REF.421", "Bac + 3", 8),
    ("REF.422", "Bac + 4", 9),
    ("REF.410", "Bac + 5", 10),
    ("REF.423", "Bac + 6", 11),
    ("REF.424", "Bac + 7", 12),
    ("REF.425", "Bac + 8", 13),
    ("REF.426", "Bac + 9 et plus", 14),
    ("REF.415", "autre formation", None),
]

STATUSES = [
    ("T-ITM.1", "fonctionnaire"),
    ("T-ITM.2", "artisan"),
    ("T-ITM.3", "militaire"),
    ("T-ITM.4", "intermittent du spectacle"),
    ("T-ITM.5", "indépendant"),
    ("T-ITM.6", "saisonnier"),
    ("T-ITM.7", "contrat de volontariat"),
    ("T-ITM.8", "libéral"),
    ("T-ITM.9", "salarié"),
]

INTERESTS = [
    ("T-IDEO2.4805", "je veux protéger la planète"),
    ("T-IDEO2.4806", "je veux travailler de mes mains"),
    ("T-IDEO2.4807", "ma vocation est de soigner"),
    ("T-IDEO2.4808", "je veux faire respecter la loi"),
    ("T-IDEO2.4809", "j'aime bouger"),
    ("T-IDEO2.4810", "je rêve de travailler à l'étranger"),
    ("T-IDEO2.4811", "je veux travailler dans le commerce"),
    ("T-IDEO2.4812", "je veux être utile aux autres"),
    ("T-IDEO2.4813", "j'aime bien faire des expériences"),
    ("T-IDEO2.4814", "j'aime organiser, gérer"),
    ("T-IDEO2.4815", "je veux m'occuper d'enfants"),
    ("T-IDEO2.4816", "j'aime jongler avec les chiffres"),
    ("T-IDEO2.4817", "j'ai le sens du contact"),
    ("T-IDEO2.4818", "j'aime les langues"),
    ("T-IDEO2.4819", "enquêter, analyser l'information, je veux en faire mon travail"),
    ("T-IDEO2.4820", "j'aime être aux commandes"),
    ("T-IDEO2.4821", "J'aime communiquer"),
    ("T-IDEO2.4822", "réparer, bricoler, j'adore ça"),
    ("T-IDEO2.4823", "j'aimerais travailler dehors"),
    ("T-IDEO2.4824", "j'aime la nature"),
    ("T-IDEO2.4825", "je me passionne pour les nouvelles technologies"),
    ("T-IDEO2.4826", "j'aime les sensations fortes"),
    ("T-IDEO2.4827", "le sport est ma passion"),
    ("T-IDEO2.4828", "je veux m'occuper d'animaux"),
    ("T-IDEO2.4829", "je rêve d'un métier artistique"),
    ("T-IDEO2.5718", "j'ai un bon coup de crayon"),
    ("T-IDEO2.5723", "je suis accro au numérique"),
]

SECTORS = [
    ("T-IDEO2.4830", "Artisanat d'art"),
    ("T-IDEO2.4831", "Maintenance"),
    ("T-IDEO2.4832", "Industrie pharmaceutique"),
    ("T-IDEO2.4833", "Enseignement"),
    ("T-IDEO2.4834", "Verre, béton, céramique"),
    ("T-IDEO2.4835", "Informatique et réseaux"),
    ("T-IDEO2.4836", "Architecture urbanisme paysage"),
    ("T-IDEO2.4837", "Hôtellerie - Restauration"),
    ("T-IDEO2.4838", "Audiovisuel"),
    ("T-IDEO2.4839", "Défense"),
    ("T-IDEO2.4840", "Culture - Patrimoine"),
    ("T-IDEO2.4841", "Logistique et transport"),
    ("T-IDEO2.4842", "Comptabilité, gestion, ressources humaines"),
    ("T-IDEO2.4843", "Industrie chimique"),
    ("T-IDEO2.4844", "Mode et luxe"),
    ("T-IDEO2.4845", "Recherche"),
    ("T-IDEO2.4846", "Fonction publique"),
    ("T-IDEO2.4847", "Sécurité"),
    ("T-IDEO2.4848", "Énergie"),
    ("T-IDEO2.4849", "Agroéquipement"),
    ("T-IDEO2.4850", "Arts du spectacle"),
    ("T-IDEO2.4851", "Banque - Assurances"),
    ("T-IDEO2.4852", "Agriculture"),
    ("T-IDEO2.4853", "Papiers Cartons"),
    ("T-IDEO2.4854", "Audit - Conseil"),
    ("T-IDEO2.4855", "Construction aéronautique, ferroviaire et navale"),
    ("T-IDEO2.4856", "Social"),
    ("T-IDEO2.4857", "Environnement"),
    ("T-IDEO2.4858", "Édition, librairie, bibliothèque"),
    ("T-IDEO2.4859", "Automobile"),
    ("T-IDEO2.4860", "Filière bois"),
    ("T-IDEO2.4861", "Électronique"),
    ("T-IDEO2.4862", "Sport"),
    ("T-IDEO2.4863", "Bâtiment et travaux publics (BTP)"),
    ("T-IDEO2.4864", "Marketing , publicité"),
    ("T-IDEO2.4865", "Commerce et distribution"),
    ("T-IDEO2.4866", "Droit et justice"),
    ("T-IDEO2.4867", "Mécanique"),
    ("T-IDEO2.4868", "Industrie alimentaire"),
    ("T-IDEO2.4869", "Santé"),
    ("T-IDEO2.4870", "Tourisme"),
    ("T-IDEO2.4871", "Bien-être"),
    ("T-IDEO2.5668", "Industries"),
    ("T-IDEO2.5709", "Art et design"),
    ("T-IDEO2.5710", "Communication"),
    ("T-IDEO2.5711", "Immobilier"),
    ("T-IDEO2.5712", "Journalisme"),
    ("T-IDEO2.5713", "Jeu vidéo"),
    ("T-IDEO2.5714", "Traduction, interprétation"),
]


def _slug(label: str) -> str:
    return slugify(label.replace("'", " ").replace("’", " "))


def load(apps, schema_editor):
    AccessLevel = apps.get_model("catalogue", "AccessLevel")
    Status = apps.get_model("catalogue", "Status")
    Interest = apps.get_model("catalogue", "Interest")
    Sector = apps.get_model("catalogue", "Sector")
    AccessLevel.objects.bulk_create(
        AccessLevel(onisep_id=onisep_id, name=name, slug=_slug(name), rank=rank) for onisep_id, name, rank in LEVELS
    )
    for model, rows in ((Status, STATUSES), (Interest, INTERESTS), (Sector, SECTORS)):
        model.objects.bulk_create(model(onisep_id=onisep_id, name=name, slug=_slug(name)) for onisep_id, name in rows)


def unload(apps, schema_editor):
    for model_name, rows in (
        ("AccessLevel", LEVELS),
        ("Status", STATUSES),
        ("Interest", INTERESTS),
        ("Sector", SECTORS),
    ):
        apps.get_model("catalogue", model_name).objects.filter(onisep_id__in=[row[0] for row in rows]).delete()


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
