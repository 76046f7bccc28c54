"""Login, logout and password change: Django's views with our templates, throttling and audit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse, reverse_lazy

from ketaclinic.apps.accounts import mfa
from ketaclinic.apps.accounts.choices import MfaState
from ketaclinic.apps.accounts.forms.login import ThrottledAuthenticationForm
from ketaclinic.apps.audit.choices import Action
from ketaclinic.apps.audit.recorder import record_event


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True
    authentication_form = ThrottledAuthenticationForm

    def form_valid(self, form):
        response = super().form_valid(form)
        state = mfa.session_state(self.request.session)
        if state in (MfaState.ENROL, MfaState.VERIFY):
            name = "accounts:mfa-enrol" if state == MfaState.ENROL else "accounts:mfa-verify"
            return redirect_to_login(self.get_success_url(), reverse(name))
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        record_event(
            self.request, Action.PASSWORD_CHANGE, object_type="user", object_id=self.request.user.pk
        )
        messages.success(self.request, "Your password was changed.")
        return response
