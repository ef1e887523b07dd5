import pytest

from portal.models import User

pytestmark = pytest.mark.django_db


def test_user_turns_off_reminders_and_switches_to_english(client, applicant):
    client.force_login(applicant)
    response = client.post("/mes-espaces/preferences/", {
        "first_name": "Camille", "last_name": "Durand", "language": "en",
        "reminders_opt_out": "on"})
    assert response.status_code == 302
    user = User.objects.get(pk=applicant.pk)
    assert (user.language, user.reminders_opt_out, user.first_name) == ("en", True, "Camille")
    assert response.cookies["django_language"].value == "en"


def test_invalid_language_is_refused_with_field_error(client, applicant):
    client.force_login(applicant)
    response = client.post("/mes-espaces/preferences/", {
        "first_name": "Camille", "last_name": "", "language": "de"})
    assert response.status_code == 200
    assert "language" in response.context["form"].errors
    assert 'value="Camille"' in response.content.decode()
    assert User.objects.get(pk=applicant.pk).language == "fr"


def test_preferences_require_login(client):
    response = client.get("/mes-espaces/preferences/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
