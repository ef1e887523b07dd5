import pytest
from tests.factories import OrganizationFactory, SignatoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_contract(tenant):
    drac = OrganizationFactory(tenant=tenant, kind="drac", name="DRAC Hauts-de-France")
    SignatoryFactory(tenant=tenant, organization=drac, person_name="Georges-François Leclerc",
                     title="Préfet de la région Hauts-de-France")
    return tenant


def test_platform_home_lists_tenants_with_contract(client, signed_contract, other_tenant):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Hauts-de-France" in html and "Occitanie" in html
    assert "210\u00a0000,00\u00a0€" in html
    assert "2023–2026" in html
    assert "DRAC Hauts-de-France" in html


def test_platform_home_query_count_does_not_grow_with_tenants(client, django_assert_max_num_queries,
                                                              signed_contract):
    from tests.factories import TenantFactory

    for _ in range(5):
        t = TenantFactory()
        SignatoryFactory(tenant=t)
    with django_assert_max_num_queries(4):
        client.get("/")


def test_tenant_home_shows_contract_and_signatories(client, signed_contract):
    response = client.get("/hauts-de-france/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Georges-François Leclerc, Préfet de la région Hauts-de-France" in html
    assert "210\u00a0000,00\u00a0€" in html
    assert '<html lang="fr"' in html


def test_tenant_home_in_english(client, signed_contract):
    client.cookies["django_language"] = "en"
    response = client.get("/hauts-de-france/", HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="en"' in response.content.decode()


def test_healthz_reports_database_and_broker(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {
        "database": {"ok": True}, "broker": {"ok": True, "mode": "eager"}}}


def test_healthz_with_real_redis(client, settings):
    import os

    settings.REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == {"ok": True, "mode": "redis"}


def test_healthz_answers_503_when_broker_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["database"] == {"ok": True}


def test_my_spaces_lists_each_tenant_and_role(client, tenant, other_tenant, make_member,
                                              no_staff_2fa):
    user = make_member(tenant, "instructor")
    from tests.factories import MembershipFactory

    MembershipFactory(user=user, tenant=tenant, role="committee")
    MembershipFactory(user=user, tenant=other_tenant, role="admin")
    client.force_login(user)
    html = client.get("/mes-espaces/").content.decode()
    assert "Hauts-de-France" in html and "Occitanie" in html
    assert "Instructeur·rice" in html and "Membre du comité" in html
    assert "Administrateur·rice du contrat" in html


def test_my_spaces_does_not_show_other_peoples_tenants(client, tenant, other_tenant, make_member,
                                                       no_staff_2fa):
    user = make_member(tenant, "instructor")
    make_member(other_tenant, "admin")
    client.force_login(user)
    html = client.get("/mes-espaces/").content.decode()
    assert "Hauts-de-France" in html
    assert "/occitanie/" not in html


def test_my_spaces_requires_login(client, db):
    response = client.get("/mes-espaces/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_pages_carry_a_strict_content_security_policy(client, tenant):
    policy = client.get("/").headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
