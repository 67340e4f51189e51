# counterlens: multi-stage build on Debian bookworm, with the same apt
# packages as the README. The runtime stage runs as a non-root user.
FROM golang:1.26-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libopencv-dev libtesseract-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=1 go build -ldflags "-X main.version=${VERSION}" -o /out/counterlens ./cmd/counterlens \
 # The Debian packages of the shared libraries the binary links: the runtime
 # stage installs exactly these, not the -dev packages.
 && ldd /out/counterlens | awk '/=> \//{print $3}' | xargs -r dpkg -S 2>/dev/null \
      | cut -d: -f1 | sort -u > /out/runtime-packages

FROM debian:bookworm-slim
# The runtime libraries the binary links (OpenCV, tesseract), the English
# tesseract data (add tesseract-ocr-deu etc. for more languages).
COPY --from=build /out/runtime-packages /tmp/runtime-packages
RUN apt-get update \
 && apt-get install -y --no-install-recommends $(cat /tmp/runtime-packages) tesseract-ocr-eng ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/counterlens --create-home counterlens
COPY --from=build /out/counterlens /usr/local/bin/counterlens
COPY testdata/demo /usr/share/counterlens/demo
USER counterlens
WORKDIR /var/lib/counterlens
ENV OMP_THREAD_LIMIT=1 \
    COUNTERLENS_ADDR=0.0.0.0:8080 \
    COUNTERLENS_DATA_DIR=/var/lib/counterlens
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/counterlens"]
CMD ["serve"]
