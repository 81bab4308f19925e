# EventFlux in a small image: `docker build -t eventflux .` then `docker run --rm eventflux`
# (the quickstart), or `docker run --rm -v "$PWD:/apps" eventflux run /apps/app.sql`.

# Build: the shipping profile (fat LTO). Only the sources the binary needs are copied.
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY benches ./benches
RUN cargo build --locked --profile dist --bin eventflux

# Run: Debian slim with CA certificates (wss://, https:// sinks) and the example apps.
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/dist/eventflux /usr/local/bin/eventflux
COPY queries /usr/share/eventflux/queries
WORKDIR /usr/share/eventflux
USER nobody
ENTRYPOINT ["eventflux"]
CMD ["run", "queries/quickstart.sql"]
