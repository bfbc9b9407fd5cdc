from django.urls import path

from audit_app.accounts.views import security, sign_in, tokens, two_factor

urlpatterns = [
    path("sign-in/", sign_in.SignInView.as_view(), name="login"),
    path("sign-out/", sign_in.SignOutView.as_view(), name="logout"),
    path("healthz", sign_in.healthz, name="healthz"),
    path("account/api-tokens/", tokens.token_list, name="api_tokens"),
    path("account/api-tokens/<int:token_id>/revoke/", tokens.token_revoke, name="api_token_revoke"),
    path("account/two-factor/", two_factor.setup, name="two_factor_setup"),
    path("account/two-factor/verify/", two_factor.verify, name="two_factor_verify"),
    path("account/sign-in-security/", security.sign_in_security, name="sign_in_security"),
    path(
        "account/users/<int:user_id>/two-factor/reset/",
        security.two_factor_reset,
        name="two_factor_reset",
    ),
]
