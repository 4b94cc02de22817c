"""The board specialties, with stable codes other systems may rely on."""

from django.db import migrations

SPECIALTIES = [
    ("spine_surgery", "Spine surgery", 10),
    ("radiation_oncology", "Radiation oncology", 20),
    ("medical_oncology", "Medical oncology", 30),
    ("radiology", "Radiology", 40),
    ("pain_management", "Pain management", 50),
    ("palliative_care", "Palliative care", 60),
    ("physical_medicine", "Physical medicine & rehabilitation", 70),
]


def create(apps, schema_editor):
    Specialty = apps.get_model("cases", "Specialty")
    for code, name, order in SPECIALTIES:
        Specialty.objects.update_or_create(
            code=code, defaults={"name": name, "display_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
