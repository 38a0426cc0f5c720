# syntax=docker/dockerfile:1

# Build: the whole toolchain (devDependencies) compiles src/ and providers/ into dist/.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src src
COPY providers providers
RUN npm run build

# Runtime: the compiled code and production dependencies only. The `node` devDependency (the
# Node 24 binary a development checkout brings) is not installed: the image's own Node runs it.
# Install scripts are skipped: no production dependency needs one.
FROM node:24-bookworm-slim
ENV NODE_ENV=production
# glibc keeps what the process frees in its heap unless the top of it is free, and loading the
# AWS SDK's EC2 client alone leaves ~30 MiB freed but held that way. A fixed mmap threshold gives
# allocations of 32 KiB and more their own mappings, returned on free, and stops glibc raising the
# threshold as it goes: about 30 MiB less RSS from the start on, at every size of the benchmark
# (bench/README.md, scenario 5).
ENV GLIBC_TUNABLES=glibc.malloc.mmap_threshold=32768
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY bin bin
COPY --from=build /app/dist dist
# 65532, the conventional "nonroot" uid, as deploy/base/deployment.yaml's securityContext requires.
# The files above stay owned by root: the controller cannot change its own code.
USER 65532:65532
EXPOSE 8081 9090
ENTRYPOINT ["node", "bin/ingress-bridge.js"]
CMD ["run"]
