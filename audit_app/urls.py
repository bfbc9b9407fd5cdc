from django.contrib import admin
from django.urls import include, path

from audit_app.views import accounts, auditing, home, rounds

urlpatterns = [
    path("", home.home, name="home"),
    path("sign-in/", accounts.SignInView.as_view(), name="login"),
    path("sign-out/", accounts.SignOutView.as_view(), name="logout"),
    path("healthz", accounts.healthz, name="healthz"),
    path("my-audits/", auditing.my_audits, name="my_audits"),
    path("rounds/", rounds.round_list, name="rounds"),
    path("rounds/<int:round_id>/", rounds.round_detail, name="round_detail"),
    path("recommendations/", include("recommendations.urls")),
    path("admin/", admin.site.urls),
]
