"""The pages' language: Flask-Babel with gettext catalogs (kazkg/web/translations).

A page is shown in kk, ru or en, chosen by `?lang=`, then by the choice kept from an earlier
`?lang=` (a cookie, so it holds while browsing), then by the browser's Accept-Language. The
same choice picks the data's labels. `_()` works in templates and in Python.

The catalogs: kazkg/web/translations/{kk,ru}/LC_MESSAGES/messages.po, compiled to the .mo
beside them (committed, so an installed wheel carries them). After changing a text:
    pybabel extract -F kazkg/web/babel.cfg -k _l -o kazkg/web/translations/messages.pot kazkg/web
    pybabel update -i kazkg/web/translations/messages.pot -d kazkg/web/translations
    (translate the new entries)  pybabel compile -d kazkg/web/translations
tests/web/test_web_i18n.py checks that every text has both translations and the .mo are current.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from flask import Flask, g, request
from flask_babel import Babel, format_number, gettext, lazy_gettext  # noqa: F401  (re-exported)

from .pageparams import VALUES, known_args, own_value

LANGS = ("kk", "ru", "en")
DEFAULT = "en"
COOKIE = "kazkg_lang"
TRANSLATIONS = Path(__file__).with_name("translations")
_ = gettext


def page_lang() -> str:
    """The language this request's page is shown in."""
    cached = g.get("page_lang")
    if cached is None:
        cached = g.page_lang = choose()
    return cached


def choose() -> str:
    asked = request.args.get("lang")
    if asked in LANGS:
        return asked
    kept = request.cookies.get(COOKIE)
    if kept in LANGS:
        return kept
    return request.accept_languages.best_match(LANGS) or DEFAULT


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=page_lang, default_translation_directories=str(TRANSLATIONS))
    app.context_processor(lambda: {"lang": page_lang(), "langs": LANGS})
    app.add_template_global(lang_url)
    app.add_template_global(format_number)  # 14,543 in English, 14 543 in kk and ru
    app.after_request(_keep)


def _keep(response):
    """A `?lang=` choice is kept in a cookie; an HTML answer depends on it and on Accept-Language."""
    asked = request.args.get("lang")
    if asked in LANGS and request.cookies.get(COOKIE) != asked:
        response.set_cookie(COOKIE, asked, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    if response.mimetype == "text/html":
        response.vary.update(("Accept-Language", "Cookie"))
    return response


def lang_url(lang: str) -> str:
    """This page's address in another language (the parameters the page reads kept)."""
    names = known_args(request.endpoint)
    args = {k: v for k, v in request.args.to_dict(flat=False).items()
            if names is None or k in names}
    for name in VALUES.keys() & args.keys():  # as the page reads it: noise is left out
        value = own_value(name)
        if value is None:
            del args[name]
        else:
            args[name] = [value]
    args["lang"] = [lang]
    return request.path + "?" + urlencode(args, doseq=True)
