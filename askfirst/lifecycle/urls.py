from django.urls import path

from askfirst.lifecycle import views

urlpatterns = [
    path("l/<str:token>/", views.link_page, name="link"),
    path("l/<str:token>/yes/", views.link_page, {"action": "yes"}, name="link-yes"),
    path(
        "l/<str:token>/deactivate/",
        views.link_page,
        {"action": "deactivate"},
        name="link-deactivate",
    ),
    path("l/<str:token>/unsubscribe/", views.link_unsubscribe, name="link-unsubscribe"),
]
