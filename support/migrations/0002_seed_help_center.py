"""Seed the help center with the shipped articles. Idempotent: articles already there are left alone."""
from django.db import migrations


def seed(apps, schema_editor):
    from support.services import help_center_seed

    help_center_seed(article_model=apps.get_model("support", "HelpArticle"))


class Migration(migrations.Migration):
    dependencies = [("support", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
