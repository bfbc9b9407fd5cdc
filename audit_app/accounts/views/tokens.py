"""The signed-in user's API tokens: make one (key shown once), see when each was used, revoke."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_POST

from audit_app.accounts import tokens
from audit_app.accounts.models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        help_text="What will use it, for example 'Force BI nightly load'.",
        max_length=80,
        error_messages={
            "required": "Give the token a name",
            "max_length": "The name must be 80 characters or fewer",
        },
    )


@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST) if request.method == "POST" else TokenForm()
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_key = tokens.token_create(user=request.user, name=form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error("name", " ".join(error.messages))
        else:
            form = TokenForm()
    response = render(
        request,
        "accounts/api_tokens.html",
        {
            "form": form,
            "new_key": new_key,
            "tokens": ApiToken.objects.filter(user=request.user),
        },
        status=400 if form.errors else 200,
    )
    add_never_cache_headers(response)
    return response


@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    tokens.token_revoke(token=token)
    messages.success(request, f"The token '{token.name}' is revoked; it no longer works.")
    return redirect("api_tokens")
