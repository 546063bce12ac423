from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from askfirst.api.api import api
from askfirst.staff_login import StaffLoginForm, staff_login

# The staff login counts failures per username and address (askfirst/staff_login.py);
# its route comes before the admin's own, which it wraps.
admin.site.login_form = StaffLoginForm

# The portal first: its pages are the most requested, and Django tries the
# patterns in order (no other pattern starts with "portal/").
urlpatterns = [
    path("portal/", include("askfirst.portal.urls")),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/login/", staff_login, name="staff-login"),
    path("admin/", admin.site.urls),
    path("", include("askfirst.lifecycle.urls")),
    path("api/", api.urls),
]
