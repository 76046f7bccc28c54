"""Login, logout and password change: Django's views with our templates, throttling and audit.

After login a person returns to a page, never to a POST-only URL, is offered the drafts kept
from a form posted after their session ended, and passes two-factor where their role needs it.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.urls import reverse, reverse_lazy

from ketaclinic.apps.accounts import mfa
from ketaclinic.apps.accounts.choices import MfaState
from ketaclinic.apps.accounts.drafts import note_drafts_after_login, takes_get
from ketaclinic.apps.accounts.forms.login import ThrottledAuthenticationForm
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    authentication_form = ThrottledAuthenticationForm

    def get_redirect_url(self) -> str:
        """``next`` if it is a page (a URL that answers GET), never a POST-only URL's 405."""
        url = super().get_redirect_url()
        return url if url and takes_get(url) else ""

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        note_drafts_after_login(self.request, form.get_user())
        state = mfa.session_state(self.request.session)
        if state in (MfaState.ENROL, MfaState.VERIFY):
            name = "accounts:mfa-enrol" if state == MfaState.ENROL else "accounts:mfa-verify"
            return redirect_to_login(self.get_success_url(), reverse(name))
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        record_event(
            self.request, Action.PASSWORD_CHANGE, object_type="user", object_id=self.request.user.pk
        )
        messages.success(self.request, "Your password was changed.")
        return response
