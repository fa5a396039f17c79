#!/bin/sh
# The demo: start acusim with generated data and read it back through the
# same APIs erpsync uses — a cookie sign-in, the contract-based REST API with
# $filter/$select/$expand, an OAuth token, OData for a generic inquiry — then
# sign out and stop. (Once erpsync's pull lands, the demo syncs into SQLite.)
set -eu
BUILD=${1:-build}
ACUSIM="$BUILD/acusim"
[ -x "$ACUSIM" ] || { echo "demo: $ACUSIM is missing; run 'make' first" >&2; exit 1; }

out=$(mktemp)
"$ACUSIM" --port 0 --dataset small --timezone America/New_York >"$out" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -f "$out" "$jar"' EXIT INT TERM
jar=$(mktemp)
i=0
until grep -q listening "$out"; do
    i=$((i + 1)); [ $i -lt 300 ] || { echo "demo: acusim did not start" >&2; exit 1; }
    sleep 0.1
done
BASE=$(sed -n 's/^acusim listening on //p' "$out")
EP="$BASE/entity/Default/24.200.001"
say() { printf '\n== %s\n' "$*"; }
get() { curl -sS -b "$jar" -c "$jar" -H 'Accept: application/json' -G "$@"; }

say "acusim is serving $BASE (the API user's zone: America/New_York)"
curl -sS "$BASE/entity" | jq -c '.endpoints[] | {name, version}'

say "Sign in: POST /entity/auth/login -> 204 and session cookies"
curl -sS -o /dev/null -w 'HTTP %{http_code}\n' -b "$jar" -c "$jar" \
     -H 'Content-Type: application/json' \
     -d '{"name":"admin","password":"123","tenant":"Company"}' "$BASE/entity/auth/login"

say "Five active customers, with their main contact's e-mail and city"
get "$EP/Customer" \
    --data-urlencode "\$filter=Status eq 'Active'" \
    --data-urlencode '$select=CustomerID,CustomerName,LastModifiedDateTime,MainContact/Email,MainContact/Address/City' \
    --data-urlencode '$expand=MainContact,MainContact/Address' \
    --data-urlencode '$top=5' |
    jq -r '.[] | [.CustomerID.value, .CustomerName.value, .MainContact.Email.value,
                  .MainContact.Address.City.value, .LastModifiedDateTime.value] | @tsv'

say "Customers changed since the mass update 20 days ago (many share one timestamp)"
since=$(date -u -d '-21 days' +%Y-%m-%dT%H:%M:%S+00:00)
get "$EP/Customer" --data-urlencode "\$filter=LastModifiedDateTime gt datetimeoffset'$since'" \
    --data-urlencode '$select=CustomerID,LastModifiedDateTime' |
    jq -r 'group_by(.LastModifiedDateTime.value) | map({modified: .[0].LastModifiedDateTime.value, count: length})
           | sort_by(-.count) | .[0:3][] | "\(.count) customers modified at \(.modified)"'

say "A sales order with its lines (the wrapped JSON as Acumatica sends it, abridged)"
get "$EP/SalesOrder/SO/000001" --data-urlencode '$expand=Details' |
    jq '{OrderType, OrderNbr, Status, CustomerID, Date, LastModified, OrderTotal,
         Details: [.Details[] | {LineNbr, InventoryID, OrderQty, UnitPrice, Amount}]}'

say "Sign out (frees the API-user slot)"
curl -sS -o /dev/null -w 'HTTP %{http_code}\n' -b "$jar" -c "$jar" -X POST \
     -H 'Content-Length: 0' "$BASE/entity/auth/logout"

say "OAuth 2.0 password grant, then OData (v4) over the SalesOrderLines inquiry"
tok=$(curl -sS -d grant_type=password \
    --data-urlencode 'client_id=B8A2C6D4-1F3E-4A5B-9C7D-0E1F2A3B4C5D@Company' \
    -d client_secret=acusim-secret -d username=admin -d password=123 \
    --data-urlencode 'scope=api offline_access' "$BASE/identity/connect/token" | jq -r .access_token)
curl -sS -H "Authorization: Bearer $tok" -G "$BASE/t/Company/api/odata/gi/SalesOrderLines" \
    --data-urlencode '$top=4' --data-urlencode '$orderby=Amount desc' \
    --data-urlencode '$select=OrderNbr,InventoryID,OrderQty,Amount' | jq -c '.value[]'
curl -sS -o /dev/null -H "Authorization: Bearer $tok" -H 'Content-Length: 0' -X POST \
     "$BASE/entity/auth/logout"

say "Done. acusim --help lists every option; docs/acusim.md describes the simulator."
