"""Secrets the site has to keep (her CalDAV password, the Jitsi app secret) are stored encrypted.

A database or a backup that leaks must not leak the passwords to her calendars with it. The
keys come from DJANGO_ENCRYPTION_KEYS, apart from SECRET_KEY (which signs links and sessions
and may be shown to more people) and never in a backup: comma-separated Fernet keys, the first
encrypts, every one decrypts. To change keys, put a new one in front, run
`manage.py rotate_encryption_keys` (everything is then encrypted with the new key), and drop
the old one.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, models, transaction

MAKE_A_KEY = "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
# The placeholder in deploy/env.example: it is not a key, so a copied example never starts.
PLACEHOLDER = "change-me-see-README"


KEY_MISSING = (
    "A stored secret cannot be decrypted with DJANGO_ENCRYPTION_KEYS: the key it was encrypted with is "
    "missing. Put that key back (after the new one) and run manage.py rotate_encryption_keys."
)


class CannotDecrypt(ImproperlyConfigured):
    """A stored secret was encrypted with a key that DJANGO_ENCRYPTION_KEYS no longer holds."""


def key_problem(keys: list[str], *, debug: bool) -> str | None:
    """What is wrong with the configured keys, in a word, or None. Public keys are only a problem
    in production: development and the tests use the fixed development key on purpose."""
    if not keys:
        return "missing"
    for key in keys:
        try:
            Fernet(key)
        except ValueError:
            return "invalid"
    if not debug and keys[0] in (settings.DEV_ENCRYPTION_KEY, PLACEHOLDER):
        return "public"
    return None


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured(f"DJANGO_ENCRYPTION_KEYS is empty. Make a key with: {MAKE_A_KEY}")
    return MultiFernet([Fernet(key) for key in keys])


def _current() -> MultiFernet:
    # Read from the settings every time (cached per key list), so a changed setting counts at once.
    return _fernet(tuple(settings.ENCRYPTION_KEYS))


def encrypt(text: str) -> str:
    return _current().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _current().decrypt(token.encode()).decode()
    except InvalidToken:
        # Never the value itself in the message: it may be a password stored before encryption.
        raise CannotDecrypt(KEY_MISSING) from None


def is_encrypted(value: str) -> bool:
    try:
        _current().decrypt(value.encode())
    except InvalidToken:
        return False
    return True


def rotate(token: str) -> str:
    """The same secret, encrypted with the first key."""
    try:
        return _current().rotate(token.encode()).decode()
    except InvalidToken:
        raise CannotDecrypt(KEY_MISSING) from None


class EncryptedTextField(models.TextField):
    """Text that is encrypted on its way into the database and decrypted on its way out.

    An empty value stays empty, so 'is it filled in' can still be asked (and checked by the
    database). Every encryption is different, so the column cannot be searched or compared.
    """

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)


def encrypted_columns() -> list[tuple[type[models.Model], models.Field]]:
    """Every stored copy of a secret: each concrete column of this type, history tables included."""
    return [
        (model, field)
        for model in apps.get_models(include_auto_created=True)
        if not model._meta.proxy
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    ]


def rotate_all(*, using: str = "default") -> int:
    """Encrypts every stored secret again with the first key; returns how many were rewritten."""
    connection = connections[using]
    quote = connection.ops.quote_name
    rewritten = 0
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for model, field in encrypted_columns():
            table, column, pk = quote(model._meta.db_table), quote(field.column), quote(model._meta.pk.column)
            # The raw tokens: rotating needs them, and the condition on the old token leaves a secret
            # that was changed meanwhile alone (it is already under a current key).
            cursor.execute(f"SELECT {pk}, {column} FROM {table} WHERE {column} <> ''")  # noqa: S608 - names from the models
            for key, token in cursor.fetchall():
                cursor.execute(
                    f"UPDATE {table} SET {column} = %s WHERE {pk} = %s AND {column} = %s",  # noqa: S608
                    [rotate(token), key, token],
                )
                rewritten += cursor.rowcount
    return rewritten
