"""Staff add endpoints in the admin: a URL without https is refused with a clear
error; a saved endpoint shows its signing secret and can be deactivated."""

import pytest

from askfirst.hooks.models import Endpoint

pytestmark = pytest.mark.django_db

ADD = "/admin/hooks/endpoint/add/"


def _form(url: str) -> dict:
    return {"name": "Newsletter tool", "url": url, "on_consent_changed": "on", "active": "on"}


@pytest.mark.parametrize("url", ["http://crm.example.com/hook", "ftp://crm.example.com/", "crm"])
def test_insecure_or_broken_url_is_refused(admin_client, url):
    response = admin_client.post(ADD, _form(url))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "url" in errors
    assert Endpoint.objects.count() == 0


def test_the_error_says_what_to_use(admin_client):
    response = admin_client.post(ADD, _form("http://crm.example.com/hook"))
    assert "Use an https:// address" in response.content.decode()


def test_german_error(admin_client):
    admin_client.cookies["django_language"] = "de"
    response = admin_client.post(
        ADD, _form("http://crm.example.com/hook"), HTTP_ACCEPT_LANGUAGE="de"
    )
    assert "https://" in response.context["adminform"].form.errors["url"][0]
    assert "Use an https" not in response.content.decode()


def test_no_event_chosen_is_refused(admin_client):
    form = _form("https://crm.example.com/hook")
    del form["on_consent_changed"]
    response = admin_client.post(ADD, form)
    assert response.status_code == 200 and Endpoint.objects.count() == 0


@pytest.mark.parametrize("url", ["https://crm.example.com/hook", "http://127.0.0.1:9000/hook"])
def test_saved_endpoint_shows_its_secret(admin_client, url):
    response = admin_client.post(ADD, _form(url), follow=True)
    endpoint = Endpoint.objects.get()
    assert endpoint.url == url and len(endpoint.secret) >= 43
    assert response.request["PATH_INFO"] == f"/admin/hooks/endpoint/{endpoint.pk}/change/"
    assert endpoint.secret in response.content.decode()


def test_deactivate_action(admin_client):
    endpoint = Endpoint.objects.create(name="CRM", url="https://crm.example.com/hook")
    admin_client.post(
        "/admin/hooks/endpoint/",
        {"action": "deactivate_selected", "_selected_action": [endpoint.pk]},
    )
    endpoint.refresh_from_db()
    assert endpoint.active is False
