# A Jenkins inbound agent with keyless-aws on PATH (and the AWS CLI). Pin the version you tested:
#   docker build -f agent.Dockerfile --build-arg KEYLESS_AWS_VERSION=1.0.0 -t jenkins-agent-aws .
# The token service's URL and admin secret are controller configuration; nothing secret goes into this image.

# Stage 1: install the package with the official Node image's npm (Debian's own nodejs is older than 20.19).
FROM node:24-bookworm-slim AS keyless
ARG KEYLESS_AWS_VERSION=1
RUN npm install --global "keyless-aws@${KEYLESS_AWS_VERSION}"

# Stage 2: the agent gets Node's binary and the self-contained package, no npm.
FROM jenkins/inbound-agent:latest-jdk21
USER root
RUN apt-get update && apt-get install -y --no-install-recommends awscli && rm -rf /var/lib/apt/lists/*
COPY --from=keyless /usr/local/bin/node /usr/local/bin/node
COPY --from=keyless /usr/local/lib/node_modules/keyless-aws /opt/keyless-aws
RUN ln -s /opt/keyless-aws/dist/index.js /usr/local/bin/keyless-aws && keyless-aws --version
USER jenkins
