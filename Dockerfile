# The driftwarden CLI in a container: `docker run --rm -v "$PWD:/work" driftwarden scan --terraform plan.json`.
FROM node:22-alpine
WORKDIR /opt/driftwarden
COPY package.json package-lock.json ./
COPY bin ./bin
COPY scripts ./scripts
COPY cli ./cli
COPY lib ./lib
COPY rules ./rules
COPY remediations ./remediations
COPY demo ./demo
COPY settings ./settings
COPY tsconfig.json ./
RUN npm ci --no-audit --no-fund && node scripts/build-cli.js && npm prune --omit=dev && npm cache clean --force
WORKDIR /work
USER node
ENTRYPOINT ["node", "/opt/driftwarden/bin/driftwarden.js"]
CMD ["scan", "--demo"]
