# syntax=docker/dockerfile:1
# The broker as a container: built with the Swift toolchain, run on a slim Debian with only
# the shared libraries the binary needs, as a user of its own, data in a volume.
#   docker build -t recovery-broker .
#   docker run -p 8080:8080 -v broker-data:/var/lib/broker \
#     -e BROKER_SERVER_PUBLIC_URL=https://accounts.example.com -e BROKER_ADMIN_TOKENS=... recovery-broker
# Configuration: /etc/broker/broker.yaml (deploy/container.yaml; mount your own over it) and
# BROKER_* variables, which override any key.

FROM swift:6.3-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libsqlite3-dev libargon2-dev libcurl4-openssl-dev libssl-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# The manifest names the test and benchmark targets too: their folders must exist to resolve it.
COPY Package.swift ./
COPY Sources Sources
COPY Tests Tests
COPY Benchmarks Benchmarks
RUN swift build -c release --product broker --static-swift-stdlib \
 && mkdir /out \
 && cp "$(swift build -c release --show-bin-path)/broker" /out/ \
 && cp -R "$(swift build -c release --show-bin-path)"/*.resources /out/

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libsqlite3-0 libargon2-1 libcurl4 ca-certificates curl tzdata \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/broker --shell /usr/sbin/nologin broker \
 && mkdir -p /var/lib/broker /etc/broker \
 && chown broker:broker /var/lib/broker
# The binary finds its templates, texts and OpenAPI document in the *.resources folders beside it.
COPY --from=build /out/ /usr/local/bin/
COPY providers /usr/share/broker/providers
COPY deploy/container.yaml /etc/broker/broker.yaml
USER 10001:10001
WORKDIR /var/lib/broker
VOLUME ["/var/lib/broker"]
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s CMD ["curl", "-fs", "http://127.0.0.1:8080/health/ready"]
ENTRYPOINT ["/usr/local/bin/broker"]
CMD ["serve", "--config", "/etc/broker/broker.yaml"]
