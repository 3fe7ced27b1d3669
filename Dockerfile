# Parley: the server with its web client, in three stages (docs/deployment.md).
#
#   docker build -t parley .
#   docker run -p 8080:8080 -v parley-data:/data parley
#
# The base images are build arguments, so that a machine that cannot pull them can substitute its own
# (scripts/container-test.sh builds the runtime stage from a Debian base made with debootstrap and the
# server published on the host: APP_FROM names an image holding /app).
ARG NODE_IMAGE=node:20-bookworm-slim
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0
ARG APP_FROM=publish

# --- the web client (Vite) ---------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY web/ ./
RUN npm run build

# --- the server, published framework-dependent with the client in wwwroot ----------------------------------
FROM ${SDK_IMAGE} AS publish
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/Parley.Server/Parley.Server.csproj src/Parley.Server/
RUN dotnet restore src/Parley.Server/Parley.Server.csproj
COPY src/Parley.Server/ src/Parley.Server/
COPY --from=web /src/web/dist/ web/dist/
RUN dotnet publish src/Parley.Server -c Release -o /app --no-restore -p:SkipWebBuild=true -p:UseAppHost=false

FROM ${APP_FROM} AS app

# --- the runtime: the ASP.NET Core runtime and /app, as a non-root user ------------------------------------
FROM ${RUNTIME_IMAGE} AS runtime
# Configuration by environment only (docs/configuration.md); these are the container's defaults.
ENV ASPNETCORE_URLS=http://0.0.0.0:8080 \
    DataPath=/data \
    DOTNET_NOLOGO=1 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
# uid 1654 is the official images' "app" user; created here when the base has none.
RUN (getent passwd 1654 >/dev/null || useradd --uid 1654 --user-group --no-create-home --home-dir /app --shell /usr/sbin/nologin app) \
    && mkdir -p /data && chown 1654:1654 /data
WORKDIR /app
COPY --from=app /app/ /app/
VOLUME /data
EXPOSE 8080
# No curl in the runtime image: bash asks /healthz on the port of ASPNETCORE_URLS.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["bash", "-c", "p=${ASPNETCORE_URLS##*:}; p=${p%%[/;]*}; exec 3<>/dev/tcp/127.0.0.1/${p:-8080} && printf 'GET /healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
USER 1654
ENTRYPOINT ["dotnet", "/app/Parley.Server.dll"]
