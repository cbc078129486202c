from fixtures import sms, smtp  # noqa: F401  (pytest finds fixtures by name)
