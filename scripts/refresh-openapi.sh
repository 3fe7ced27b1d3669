#!/usr/bin/env bash
# Writes the OpenAPI document the server serves (/openapi/v1.json) to web/openapi/v1.json, the copy the web client's
# build generates its API types from (docs/web-client.md, "API types"). Run it after changing anything the document
# describes (an endpoint, a view record, OpenApiContract), then commit the file; OpenApiDocumentTests fails until then.
set -euo pipefail
cd "$(dirname "$0")/.."
PARLEY_UPDATE_OPENAPI=1 PARLEY_TEST_DATABASE=sqlite dotnet test tests/Parley.IntegrationTests -p:SkipWebBuild=true \
  --filter "FullyQualifiedName~Parley.IntegrationTests.OpenApiDocumentTests" "$@"
git --no-pager diff --stat -- web/openapi/v1.json
