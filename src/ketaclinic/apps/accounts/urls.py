from django.contrib.auth import views as auth_views
from django.urls import path

from ketaclinic.apps.accounts.views import idle, login, mfa, staff, tokens

app_name = "accounts"
urlpatterns = [
    path("login/", login.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", login.PasswordChangeView.as_view(), name="password-change"),
    path("two-factor/", mfa.status, name="mfa-status"),
    path("two-factor/code/", mfa.verify, name="mfa-verify"),
    path("two-factor/enrol/", mfa.enrol, name="mfa-enrol"),
    path("staff/", staff.staff_list, name="staff-list"),
    path("staff/new/", staff.staff_create, name="staff-create"),
    path("staff/<int:user_id>/", staff.staff_edit, name="staff-edit"),
    path("staff/<int:user_id>/active/", staff.staff_set_active, name="staff-set-active"),
    path("staff/<int:user_id>/reset-mfa/", staff.staff_reset_mfa, name="staff-reset-mfa"),
    path("tokens/", tokens.token_list, name="tokens"),
    path("tokens/<int:token_id>/revoke/", tokens.token_revoke, name="token-revoke"),
    path("session/", idle.session_status, name="session"),
    path("drafts/", idle.drafts, name="drafts"),
    path("drafts/<int:draft_id>/discard/", idle.draft_discard, name="draft-discard"),
]
