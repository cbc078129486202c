from fixtures import oidc, sms, smtp  # noqa: F401  (pytest finds fixtures by name)
