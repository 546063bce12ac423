from django.urls import path

from askfirst.portal import pages, views

app_name = "portal"

# The consent page first: it is the busiest, and Django tries the patterns in
# order (none of the others matches its path, so the order changes nothing else).
urlpatterns = [
    path("consent/", pages.consent, name="consent"),
    path("", pages.home, name="home"),
    path("start/", views.start, name="start"),
    path("enter/<str:token>/", views.enter, name="enter"),
    path("link/", views.link_request, name="link"),
    path("link/sent/", views.link_sent, name="link-sent"),
    path("link/invalid/<str:reason>/", views.link_invalid, name="link-invalid"),
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("logged-out/", views.logged_out, name="logged-out"),
    path("language/", views.language, name="language"),
    path("fresh/", views.fresh, name="fresh"),
    path("email/confirm/", views.email_confirm, name="email-confirm-page"),
    path("email/confirm/<str:token>/", views.email_confirm_link, name="email-confirm"),
    path("email/changed/", views.email_changed, name="email-changed"),
    path("data/", pages.data, name="data"),
    path("email/", pages.email, name="email"),
    path("interests/", pages.interests, name="interests"),
    path("history/", pages.history, name="history"),
    path("copy/", pages.copy, name="copy"),
    path("copy/download/", pages.copy_download, name="copy-download"),
    path("password/", pages.password, name="password"),
    path("leave/", pages.leave, name="leave"),
    path("deactivate/", pages.deactivate, name="deactivate"),
    path("delete/", pages.delete, name="delete"),
]
