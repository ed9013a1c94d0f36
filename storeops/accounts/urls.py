from django.urls import path

from storeops.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("account/", views.settings_view, name="settings"),
    path("account/language/", views.language_view, name="language"),
    path("account/email/", views.email_view, name="email"),
    path("account/password/", views.password_change_view, name="password_change"),
    path("account/tokens/", views.token_create_view, name="token_create"),
    path("account/tokens/<int:token_id>/revoke/", views.token_revoke_view, name="token_revoke"),
    path("account/2fa/setup/", views.totp_setup_view, name="totp_setup"),
    path("account/2fa/disable/", views.totp_disable_view, name="totp_disable"),
    path("org/users/", views.user_list_view, name="user_list"),
    path("org/users/new/", views.user_create_view, name="user_create"),
    path("org/users/<int:user_id>/", views.user_edit_view, name="user_edit"),
    path("org/roles/", views.role_matrix_view, name="role_matrix"),
    path("org/stores/", views.store_list_view, name="store_list"),
]
