from django.urls import path

from askfirst.lifecycle import views

urlpatterns = [
    path("l/<str:token>/", views.link_page, name="link"),
    path("l/<str:token>/unsubscribe/", views.link_unsubscribe, name="link-unsubscribe"),
]
