"""Demo data of the applicant side: for each demo region, the applicant's structure, one
draft and a few filed dossiers on the call open today (so the instruction side has work).
Idempotent: natural keys + get_or_create; runs under scopes_disabled (management command)."""

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled

STRUCTURES = [
    # n, name, postal code, city, main activity, aesthetics
    (1, "Les Disques du Midi", "34000", "Montpellier", "recorded_music", ["electro", "jazz"]),
    (2, "Garonne Productions", "31000", "Toulouse", "live_production", ["rock_pop", "chanson"]),
    (3, "Pic Saint-Loup Live", "34270", "Saint-Mathieu-de-Tréviers", "festival", ["world"]),
    (4, "Ch'ti Sound Records", "59000", "Lille", "recorded_music", ["hip_hop"]),
    (5, "Opale Tour", "62200", "Boulogne-sur-Mer", "live_production", ["metal", "rock_pop"]),
]


def _luhn_complete(digits: str) -> str:
    for last in "0123456789":
        candidate = digits + last
        total = sum((d - 9 if d > 9 else d) for d in (
            int(ch) * (2 if i % 2 else 1) for i, ch in enumerate(reversed(candidate))))
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


def demo_siret(n: int) -> str:
    siren = _luhn_complete(f"{98700000 + n:08d}")
    return _luhn_complete(f"{siren}{n:04d}")


def _structure(n, name, postal, city, activity, aesthetics):
    from .models import AnnualRevenue, PerformerLicence, Structure

    structure, _created = Structure.objects.get_or_create(siret=demo_siret(n), defaults={
        "name": name, "legal_form": "association", "address": f"{n} rue de la Musique",
        "postal_code": postal, "city": city, "creation_date": date(2017, 3, 1),
        "cnm_affiliation_number": f"CNM-DEMO-{n:04d}", "cnm_affiliation_date": date(2018, 1, 10),
        "fte_hours": Decimal("420"), "main_activity": activity, "aesthetics": aesthetics,
        "artists_count": 6, "regional_artists_count": 3})
    for year, amount in ((2021, "72000"), (2022, "88000")):
        AnnualRevenue.objects.get_or_create(structure=structure, year=year,
                                            defaults={"amount": Decimal(amount)})
    PerformerLicence.objects.get_or_create(structure=structure, category="2",
                                           defaults={"number": f"PLATESV-D-2019-{n:06d}"})
    return structure


def _fill(dossier, title: str, requested: Decimal):
    from .models import BudgetLine, Partner

    dossier.title = title
    dossier.summary = ("Projet de démonstration : résidences, tournée régionale et actions "
                       "culturelles mutualisées entre plusieurs structures du territoire.")
    dossier.start_date = date(timezone.localdate().year, 3, 1)
    dossier.end_date = dossier.start_date + timedelta(days=364)
    dossier.requested_amount = requested
    dossier.save()
    if not dossier.budget_lines.exists():
        total = requested * 3
        BudgetLine.objects.bulk_create([
            BudgetLine(dossier=dossier, kind="expense", label="Cachets et salaires",
                       amount=total * Decimal("0.6"), position=0),
            BudgetLine(dossier=dossier, kind="expense", label="Transport, hébergement",
                       amount=total * Decimal("0.4"), position=1),
            BudgetLine(dossier=dossier, kind="income", source="self_financing",
                       label="Fonds propres", amount=total * Decimal("0.4"), position=2),
            BudgetLine(dossier=dossier, kind="income", source="public",
                       label="Département", amount=total - requested - total * Decimal("0.4"),
                       position=3)])
    if not dossier.partners.exists():
        Partner.objects.bulk_create([
            Partner(dossier=dossier, name="La Rampe", role="Accueil en résidence", position=0),
            Partner(dossier=dossier, name="Le Krakatoa", role="Diffusion", position=1),
            Partner(dossier=dossier, name="Radio Campus", role="Médiatisation", position=2)])


def _blank_pdf(title: str) -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _complete(dossier, user) -> None:
    """What filing requires beyond the project and the budget: every required document of
    the dossier's call, track and category (a small PDF each) and every declaration ticked,
    so that instructors can confirm the demo dossiers as recevables."""
    import hashlib

    from django.core.files.base import ContentFile

    from calls.models import DocumentRequirement, EligibilityCriterion

    from .models import Attachment

    for requirement in DocumentRequirement.objects.filter(call=dossier.call, required=True):
        if not requirement.applies_to(dossier.track_id, dossier.category_id):
            continue
        if dossier.attachments.filter(requirement=requirement).exists():
            continue
        content = _blank_pdf(requirement.label)
        attachment = Attachment(dossier=dossier, requirement=requirement,
                                original_name=f"{requirement.label[:80]}.pdf",
                                content_type="application/pdf", extension="pdf",
                                size=len(content), sha256=hashlib.sha256(content).hexdigest(),
                                uploaded_by=user)
        attachment.file.save("demo.pdf", ContentFile(content), save=False)
        attachment.save()
    dossier.declarations = sorted(
        c.pk for c in EligibilityCriterion.objects.filter(call=dossier.call, kind="declaration")
        if c.applies_to(dossier.track_id, dossier.category_id))
    dossier.save(update_fields=["declarations"])


def _demo_for(tenant, applicant, structures):
    from calls.models import Call

    from .checks import check_dossier
    from .enums import DossierStatus
    from .models import Dossier, StructureMember
    from .services import dossier_transition
    from .services.dossiers import reference_allocate

    now = timezone.now()
    call = next((c for c in Call.objects.filter(tenant=tenant).order_by("pk")
                 if c.is_open(now)), None)
    if call is None:
        return
    track = call.tracks.first()
    category = call.categories.filter(track__isnull=True).first() or (
        call.categories.filter(track=track).first() if track else None)
    mine = structures[0]
    if applicant is not None:
        StructureMember.objects.get_or_create(structure=mine, user=applicant,
                                              defaults={"role": "manager"})
    specs = [(mine, "Brouillon : tournée des labels", DossierStatus.DRAFT, Decimal("9000"))] + [
        (s, f"Coopération {s.name}", DossierStatus.SUBMITTED, Decimal("8000") + 1000 * i)
        for i, s in enumerate(structures)]
    for structure, title, status, requested in specs:
        dossier, created = Dossier.objects.get_or_create(
            tenant=tenant, call=call, structure=structure, title=title,
            defaults={"track": track, "category": category, "created_by": applicant})
        if not created:
            continue
        _fill(dossier, title, requested)
        if status == DossierStatus.SUBMITTED:
            with transaction.atomic():
                _complete(dossier, applicant)
                check = check_dossier(dossier, now=now)
                if not check.can_submit:
                    raise RuntimeError(f"demo dossier {title!r} cannot be filed: "
                                       f"{check.blocking_reasons}")
                dossier_transition(dossier=dossier, to=DossierStatus.SUBMITTED, now=now,
                                   quiet=True,  # demo data: nobody is told
                                   fields={"reference": reference_allocate(dossier, now),
                                           "rules_snapshot": check.snapshot,
                                           "eligibility_results": check.results_json()})


def seed() -> list[str]:
    from portal.models import Tenant, User

    regions = {"occitanie": STRUCTURES[:3], "hauts-de-france": STRUCTURES[3:]}
    logins = []
    with scopes_disabled():  # management command
        tenants = list(Tenant.objects.filter(slug__in=regions))
        for tenant in tenants:
            applicant = User.objects.filter(email=f"applicant@{tenant.slug}.demo").first()
            structures = [_structure(*spec) for spec in regions[tenant.slug]]
            with scope(tenant=tenant):
                _demo_for(tenant, applicant, structures)
            if applicant is not None:
                logins.append(applicant.email)
    return logins
