from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from askfirst.api.api import api

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("", include("askfirst.lifecycle.urls")),
    path("api/", api.urls),
    path("portal/", include("askfirst.portal.urls")),
]
