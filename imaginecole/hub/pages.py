"""Strings and variables for the hub pages and the Voilà template.

The Jinja templates in ``templates/hub`` (JupyterHub) and
``templates/voila/templates/imaginecole`` (Voilà) hold no visible text of their
own: every string comes from the tables below, translated into the workshop
language with the gettext catalogues of :mod:`imaginecole.i18n`.

Message ids are English and marked with :func:`N_` so that
``pybabel extract -k N_`` finds them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, gettext_for
from ..workshop.countries import COUNTRIES

if TYPE_CHECKING:
    from ..workshop.config import Workshop

RTL_LANGUAGES = frozenset({"ar"})


# key used in templates as {{ t.key }} -> English message id
HUB_STRINGS: dict[str, str] = {
    # page.html: navigation bar, skip link, shared dialog
    "skip_to_content": N_("Skip to main content"),
    "noscript": N_("This site needs JavaScript. Please enable it to continue."),
    "home_link": N_("Home page"),
    "main_navigation": N_("Main menu"),
    "toggle_navigation": N_("Show or hide the menu"),
    "nav_home": N_("Home"),
    "nav_token": N_("Token"),
    "nav_admin": N_("Administration"),
    "nav_services": N_("Services"),
    "toggle_dark_mode": N_("Switch between light and dark mode"),
    "logout": N_("Log out"),
    "login": N_("Log in"),
    "error": N_("Error"),
    "error_placeholder": N_("An error occurred."),
    "ok": N_("OK"),
    "close": N_("Close"),
    # login.html
    "login_title": N_("Login"),
    "login_button": N_("Sign in"),
    "login_with": N_("Sign in with {service}"),
    "insecure_warning": N_(
        "Warning: this connection is not encrypted (HTTP). "
        "Do not use a password that you use elsewhere."
    ),
    "username_label": N_("Username"),
    "password_label": N_("Password"),
    "workshop_code_label": N_("Workshop code"),
    "show_password": N_("Show password"),
    "hide_password": N_("Hide password"),
    "first_use_hint": N_("The first time you sign in, choose your password."),
    "password_length_hint": N_("It must have at least {n} characters."),
    "workshop_code_hint": N_("Type the workshop code given by your trainer."),
    "login_terms_before": N_("By signing in, you accept the"),
    "login_terms_link": N_("terms of use"),
    # reset.html (firstuseauthenticator: change password)
    "change_password_title": N_("Change your password"),
    "new_password_label": N_("New password"),
    "change_password_button": N_("Change password"),
    # home.html
    "home_title": N_("Your workspace"),
    "start_server": N_("Start my workspace"),
    "open_server": N_("Open my workspace"),
    "stop_server": N_("Stop my workspace"),
    "named_servers": N_("Other workspaces"),
    "named_servers_help": N_(
        "Besides your main workspace, you can create other named workspaces "
        "and run several of them at the same time."
    ),
    "named_servers_limit": N_("You can have up to {n} of them."),
    "invalid_server_names": N_("These workspace names are no longer accepted; please rename them:"),
    "server_name": N_("Name"),
    "server_url": N_("Address"),
    "last_activity": N_("Last activity"),
    "actions": N_("Actions"),
    "new_server_name": N_("Name of the new workspace"),
    "new_server_placeholder": N_("name-of-the-workspace"),
    "add_server": N_("Add a workspace"),
    "never": N_("Never"),
    "start": N_("Start"),
    "stop": N_("Stop"),
    "delete": N_("Delete"),
    "announcements": N_("Announcements from the trainers"),
    # spawn_pending.html
    "server_starting": N_("Your workspace is starting."),
    "redirect_when_ready": N_("You will be taken there automatically when it is ready."),
    "progress_complete": N_("complete"),
    "event_log": N_("Details of the start-up"),
    "stopping": N_("Stopping…"),
    "stopping_server": N_("Stopping your workspace…"),
    "server_stopped": N_("Your workspace is stopped."),
    "error_stopping": N_("Your workspace could not be stopped"),
    # not_running.html
    "spawn_failed": N_("The workspace did not start"),
    "server_not_running": N_("Your workspace is not running"),
    "spawn_failed_message": N_("The last attempt to start your workspace failed."),
    "retry_question": N_("Would you like to try again?"),
    "not_running_message": N_("Your workspace is stopped."),
    "restarting_auto": N_(
        "It will start again by itself. If nothing happens within a few seconds, "
        "use the button below."
    ),
    "start_question": N_("Would you like to start it?"),
    "relaunch_server": N_("Try again"),
    # stop_pending.html
    "server_stopping": N_("Your workspace is stopping."),
    "start_again_when_stopped": N_("You can start it again once it has stopped."),
    "refresh": N_("Refresh"),
    # logout.html
    "logout_title": N_("Logged out"),
    "logged_out": N_("You are logged out. Thank you and see you soon!"),
    "login_again": N_("Log in again"),
    # error.html, 404.html
    "error_title": N_("Error {code}"),
    "not_found": N_("This page does not exist. Check the address, or go back to the home page."),
    "back_home": N_("Back to the home page"),
    # token.html
    "token_title": N_("API tokens"),
    "token_note_label": N_("Note"),
    "token_note_placeholder": N_("a note to recognise your new token"),
    "token_note_help": N_("This note will help you remember what each token is for."),
    "token_expires_label": N_("Token expires in"),
    "token_expires_help": N_("You can choose when your token will expire."),
    "token_scopes_label": N_("Permissions"),
    "token_scopes_placeholder": N_("the token's scopes, separated by spaces"),
    "token_scopes_help": N_(
        "You can limit what the token may do. Without any scope, the token can do "
        "everything that you can do."
    ),
    "request_token": N_("Request a new API token"),
    "new_token": N_("Your new API token"),
    "copy_token": N_(
        "Copy this token now: you will not be able to see it again. "
        "You can always come back here to get a new one."
    ),
    "api_tokens_help": N_(
        "These tokens give access to the JupyterHub API. Revoking the token of a "
        "running workspace requires restarting that workspace."
    ),
    "last_used": N_("Last used"),
    "created": N_("Created"),
    "expires": N_("Expires"),
    "scopes": N_("scopes"),
    "not_available": N_("n/a"),
    "revoke": N_("Revoke"),
    "authorized_apps": N_("Authorized applications"),
    "authorized_apps_help": N_(
        "These applications use JupyterHub to recognise you (mostly your own "
        "workspaces). Their tokens can only identify you; they cannot act on your behalf."
    ),
    "application": N_("Application"),
    "first_authorized": N_("First authorized"),
    # imaginecole_ca.html (the workshop certificate) and the links to it
    "ca_link": N_("Secure connection: install the workshop certificate"),
    "ca_title": N_("The workshop certificate"),
    "ca_intro": N_(
        "This hub uses a secure address (https://) so that your browser lets you record "
        "with the microphone. Its certificate is made by the workshop, not by a public "
        "authority: install the workshop certificate once on each device, and the browser "
        "will trust the hub."
    ),
    "ca_fingerprint_heading": N_("Check the fingerprint"),
    "ca_fingerprint_help": N_(
        "Before installing, compare this SHA-256 fingerprint with the one your trainer "
        "reads aloud or shows. If they differ, do not install the certificate."
    ),
    "ca_fingerprint_label": N_("SHA-256 fingerprint"),
    "ca_download_heading": N_("Download the certificate"),
    "ca_download_der": N_("Certificate for Android and Windows (.crt)"),
    "ca_download_pem": N_("Certificate for iPhone, iPad, Mac, ChromeOS and Firefox (.pem)"),
    "ca_install_heading": N_("Install it"),
    "ca_android": N_("Android"),
    "ca_android_steps": N_(
        "Download the .crt file. Open Settings, Security, Encryption and credentials, "
        "Install a certificate, CA certificate; confirm, then choose the downloaded file."
    ),
    "ca_iphone": N_("iPhone and iPad"),
    "ca_iphone_steps": N_(
        "Open this page in Safari and download the .pem file; allow the download of the "
        "profile. Open Settings, Profile downloaded, Install. Then open Settings, General, "
        "About, Certificate trust settings, and turn on full trust for the workshop certificate."
    ),
    "ca_windows": N_("Windows"),
    "ca_windows_steps": N_(
        "Download the .crt file and open it. Choose Install certificate, Current user, "
        "Place all certificates in the following store, Trusted root certification "
        "authorities, then Finish. Restart the browser (Chrome or Edge)."
    ),
    "ca_chrome": N_("ChromeOS and Chrome on Linux"),
    "ca_chrome_steps": N_(
        "Download the .pem file. Open chrome://settings/certificates, Authorities, Import; "
        "choose the file and tick « Trust this certificate for identifying websites »."
    ),
    "ca_firefox": N_("Firefox"),
    "ca_firefox_steps": N_(
        "Firefox has its own list: open about:preferences#privacy, View certificates, "
        "Authorities, Import; choose the .pem file and tick « Trust this CA to identify "
        "websites »."
    ),
    "ca_after": N_(
        "Then open the hub again at its https:// address. The certificate only vouches for "
        "this workshop's local addresses; you can remove it after the workshop."
    ),
    "ca_back": N_("Back to the login page"),
}

# English messages written by JupyterHub, firstuseauthenticator and Tornado,
# shown as {{ hub_messages.get(message, message) }}.
HUB_MESSAGES: tuple[str, ...] = (
    N_("Invalid username or password"),
    N_("Your password has been changed successfully!"),
    N_("Bad Request"),
    N_("Unauthorized"),
    N_("Forbidden"),
    N_("Not Found"),
    N_("Method Not Allowed"),
    N_("Too Many Requests"),
    N_("Internal Server Error"),
    N_("Bad Gateway"),
    N_("Service Unavailable"),
    N_("Gateway Timeout"),
)
# firstuseauthenticator formats its own message with the minimum length
FIRST_USE_TOO_SHORT = "Password too short! Please choose a password at least %d characters long."
PASSWORD_TOO_SHORT = N_("Password too short: please choose a password of at least {n} characters.")

# key used in the Voilà template as {{ ic.t.key }} -> English message id
VOILA_STRINGS: dict[str, str] = {
    "loading": N_("Loading…"),
    "loading_step": N_("Loading… step {index} of {count}"),
    "noscript": N_("This application needs JavaScript. Please enable it to continue."),
    "error_title": N_("Error {code}"),
    "not_found": N_("This page does not exist. Check the address, or go back to your activities."),
    "back_home": N_("Back to my activities"),
}


def text_direction(language: str) -> str:
    """``rtl`` for Arabic, ``ltr`` otherwise: the value of ``<html dir>``."""
    return "rtl" if language in RTL_LANGUAGES else "ltr"


def _language(language: str | None) -> str:
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def translated_strings(table: dict[str, str], language: str) -> dict[str, str]:
    """`table` (key -> English message id) translated into `language`."""
    gettext = gettext_for(language)
    return {key: gettext(message) for key, message in table.items()}


def template_vars(workshop: Workshop) -> dict[str, Any]:
    """Variables for ``c.JupyterHub.template_vars``, in the workshop language.

    Keys: ``workshop_name``, ``workshop_slug``, ``workshop_country`` (French
    name), ``workshop_country_code``, ``lang``, ``dir``, ``auth_mode``
    (``first-use`` or ``workshop-code``), ``min_password_length``, ``t``
    (key -> translated string, see :data:`HUB_STRINGS`) and ``hub_messages``
    (English hub message -> translated message). With the workshop's own HTTPS,
    :func:`~imaginecole.hub.config.apply_workshop` adds ``ca_page_url`` (the
    certificate page the login and home pages link to).
    """
    language = _language(workshop.language)
    gettext = gettext_for(language)
    min_length = int(workshop.auth.get("min_password_length", 8))
    too_short = gettext(PASSWORD_TOO_SHORT).format(n=min_length)
    hub_messages = {message: gettext(message) for message in HUB_MESSAGES}
    hub_messages[FIRST_USE_TOO_SHORT % min_length] = too_short
    strings = translated_strings(HUB_STRINGS, language)
    strings["password_too_short"] = too_short
    return {
        "workshop_name": workshop.name,
        "workshop_slug": workshop.slug,
        "workshop_country": COUNTRIES.get(workshop.country, workshop.country),
        "workshop_country_code": workshop.country,
        "lang": language,
        "dir": text_direction(language),
        "auth_mode": workshop.auth.get("mode", "first-use"),
        "min_password_length": min_length,
        "t": strings,
        "hub_messages": hub_messages,
    }


def voila_resources(language: str | None) -> dict[str, Any]:
    """Strings for the ``imaginecole`` Voilà template, in `language`.

    Use the same value for ``c.VoilaConfiguration.resources`` (the app page reads
    ``resources.imaginecole``) and ``c.ServerApp.jinja_template_vars`` (Voilà's
    error pages read ``imaginecole``).
    """
    language = _language(language)
    return {
        "imaginecole": {
            "lang": language,
            "dir": text_direction(language),
            "t": translated_strings(VOILA_STRINGS, language),
        }
    }
