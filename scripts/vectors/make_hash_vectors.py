"""Makes Tests/BrokerCryptoTests/Fixtures/hash-vectors.json with the real libraries:
Django's hashers, Python bcrypt, argon2-cffi, and Keycloak's PBKDF2 credential
format (hashlib.pbkdf2_hmac with Keycloak's documented parameters).
Run once: pip install django bcrypt argon2-cffi; python scripts/vectors/make_hash_vectors.py"""
import base64
import hashlib
import json
import os
import sys

import argon2
import bcrypt
from django.conf import settings

settings.configure(PASSWORD_HASHERS=[
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
])
from django.contrib.auth.hashers import make_password  # noqa: E402

PASSWORD = "correct horse battery staple ✓"
vectors = []


def add(name, stored):
    vectors.append({"name": name, "password": PASSWORD, "hash": stored})


add("django pbkdf2_sha256", make_password(PASSWORD, hasher="pbkdf2_sha256"))
add("django pbkdf2_sha1", make_password(PASSWORD, hasher="pbkdf2_sha1"))
add("django argon2", make_password(PASSWORD, hasher="argon2"))
add("django bcrypt_sha256", make_password(PASSWORD, hasher="bcrypt_sha256"))
for prefix in (b"2a", b"2b", b"2y"):
    h = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4, prefix=b"2a" if prefix == b"2y" else prefix)).decode()
    if prefix == b"2y":
        h = "$2y$" + h[4:]  # PHP's label for the same algorithm
    add(f"bcrypt {prefix.decode()}", h)
add("argon2-cffi argon2id", argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD))
add("argon2-cffi argon2i", argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=argon2.Type.I).hash(PASSWORD))
for algorithm, digest, length in (("pbkdf2-sha256", "sha256", 64), ("pbkdf2-sha512", "sha512", 64), ("pbkdf2-sha256", "sha256", 32)):
    salt = os.urandom(16)
    iterations = 27500
    value = hashlib.pbkdf2_hmac(digest, PASSWORD.encode(), salt, iterations, dklen=length)
    vectors.append({"name": f"keycloak {algorithm} dklen {length}", "password": PASSWORD, "hash": {
        "algorithm": algorithm, "iterations": iterations,
        "salt": base64.b64encode(salt).decode(), "value": base64.b64encode(value).decode()}})

out = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "BrokerCryptoTests", "Fixtures", "hash-vectors.json")
with open(out, "w") as f:
    json.dump(vectors, f, indent=2, ensure_ascii=False)
    f.write("\n")
print(f"wrote {len(vectors)} vectors", file=sys.stderr)
