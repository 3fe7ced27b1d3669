# Shared by the bench scripts that start their own server (broadcast.sh, webhooks.sh, retention.sh); sourced, not run.

# Sets `dll` to the server to run: PARLEY_SERVER_DLL, or a Release build of this checkout made here.
bench_server_dll() {
  dll=${PARLEY_SERVER_DLL:-}
  if [ -z "$dll" ]; then
    dotnet build -c Release src/Parley.Server/Parley.Server.csproj -p:SkipWebBuild=true -nologo -v q
    dll=src/Parley.Server/bin/Release/net10.0/Parley.Server.dll
  fi
  dll=$(realpath "$dll")
}

# Sets `db_args` to the server's database arguments: SQLite in DATA_DIR, or with PARLEY_BENCH_DB=postgres a fresh
# database NAME on the test suite's PostgreSQL (started by scripts/test.sh if needed, 127.0.0.1:55432).
bench_database_args() { # NAME DATA_DIR
  db_args=("--DataPath=$2")
  if [ "${PARLEY_BENCH_DB:-sqlite}" = postgres ]; then
    eval "$(PARLEY_TEST_SERVICES_ONLY=1 bash scripts/test.sh | grep '^export')"
    psql -h 127.0.0.1 -p 55432 -U postgres -qc "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"
    db_args+=("--Database:Provider=postgres" "--ConnectionStrings:Database=Host=127.0.0.1;Port=55432;Username=postgres;Database=$1")
  fi
}
