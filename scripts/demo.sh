#!/bin/sh
# The demo: acusim (the Acumatica simulator) with generated data; erpsync
# loads it into a SQLite file (the initial load); a few records change in
# "Acumatica"; erpsync syncs again (incremental) and shows what it did.
# Everything stays in demo-data/ (removed at the start of each demo).
set -eu
BUILD=${1:-build}
ROOT=$(pwd)
ACUSIM="$ROOT/$BUILD/acusim"
ERPSYNC="$ROOT/$BUILD/erpsync"
for b in "$ACUSIM" "$ERPSYNC"; do
    [ -x "$b" ] || { echo "demo: $b is missing; run 'make' first" >&2; exit 1; }
done

DIR="$ROOT/demo-data"
rm -rf "$DIR"
mkdir -p "$DIR"
cd "$DIR"
"$ACUSIM" --port 0 --control --dataset small --timezone America/New_York \
    --reference "$ROOT/reference/acumatica" >acusim.out 2>acusim.log &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT INT TERM
i=0
until grep -q listening acusim.out; do
    i=$((i + 1)); [ $i -lt 300 ] || { echo "demo: acusim did not start" >&2; exit 1; }
    sleep 0.1
done
BASE=$(sed -n 's/^acusim listening on //p' acusim.out)
say() { printf '\n== %s\n' "$*"; }
control() { curl -sS -X "$1" -H 'Content-Type: application/json' "$BASE/_sim/$2" ${3:+-d "$3"}; }

say "acusim serves $BASE: a small company (500 customers, 2,000 sales orders, ...)"
say "erpsync init, then point it at acusim"
"$ERPSYNC" init
sed -i "s#^url = http://127.0.0.1:8080#url = $BASE#" erpsync.ini
"$ERPSYNC" config check

say "erpsync sync: the initial load (master data, and 3 years of documents)"
"$ERPSYNC" sync

say "Meanwhile in Acumatica: 3 customers change, one is deleted, an order is added"
for c in C000000003 C000000004 C000000005; do
    control PUT records/Customer \
        "{\"CustomerID\":{\"value\":\"$c\"},\"CreditLimit\":{\"value\":25000}}" >/dev/null
done
item=$(sqlite3 erpsync.db "SELECT inventory_id FROM stock_items ORDER BY 1 LIMIT 1")
control PUT records/SalesOrder \
    "{\"OrderType\":{\"value\":\"SO\"},\"CustomerID\":{\"value\":\"C000000003\"},\"CustomerOrder\":{\"value\":\"WEB-1001\"},\"Details\":[{\"InventoryID\":{\"value\":\"$item\"},\"OrderQty\":{\"value\":2}}]}" \
    | jq -r '"  new sales order \(.OrderType.value) \(.OrderNbr.value) for \(.CustomerID.value)"'
control DELETE records/Customer/C000000007

say "erpsync sync --full --only customers: the changes, and the deletion found by key reconciliation"
"$ERPSYNC" sync --full --only customers

say "erpsync sync: incremental, every set (one request for each set without changes)"
"$ERPSYNC" sync

say "In the store (plain SQL on demo-data/erpsync.db)"
sqlite3 -header -column erpsync.db \
    "SELECT customer_id, name, credit_limit, city, sync_status FROM customers
     WHERE customer_id IN ('C000000003','C000000004','C000000007') ORDER BY 1;"
sqlite3 -header -column erpsync.db \
    "SELECT o.order_nbr, o.customer_order, o.status, l.inventory_id, l.order_qty
     FROM sales_orders o JOIN sales_order_lines l ON l.parent_id = o.id
     WHERE o.customer_order = 'WEB-1001';"

say "The application adds a customer and two orders (plain SQL), marked pending; one names an item Acumatica does not have"
sqlite3 erpsync.db "
  INSERT INTO customers(sync_status, customer_id, name, customer_class, email, city, country)
    VALUES('pending', 'WEB0001', 'Web Shop Buyer', 'DEFAULT', 'buyer@example.com', 'Boston', 'US');
  INSERT INTO sales_orders(sync_status, customer_id, description) VALUES('pending', 'WEB0001', 'first web order');
  INSERT INTO sales_order_lines(parent_id, inventory_id, order_qty, unit_price)
    VALUES(last_insert_rowid(), '$item', 3, 19.5);
  INSERT INTO sales_orders(sync_status, customer_id, description) VALUES('pending', 'WEB0001', 'order with a typo');
  INSERT INTO sales_order_lines(parent_id, inventory_id, order_qty) VALUES(last_insert_rowid(), 'NO-SUCH-ITEM', 1);"

say "erpsync sync --push: the customer first, then its orders (exit 1: one record failed)"
"$ERPSYNC" sync --push || echo "(exit status $?)"

say "Written back: Acumatica's keys, numbers and the reference erpsync gave each order"
sqlite3 -header -column erpsync.db \
    "SELECT customer_id, erp_id, sync_status FROM customers WHERE customer_id = 'WEB0001';"
sqlite3 -header -column erpsync.db \
    "SELECT id, order_nbr, customer_order, status, sync_status, attempts FROM sales_orders
     WHERE customer_id = 'WEB0001' ORDER BY id;"
curl -sS "$BASE/_sim/extref/SalesOrder?field=CustomerOrder" |
    jq -r '"  in acusim: \(.documents) sales orders, \(.duplicated_references) references used twice"'

say "erpsync failed: the refused order with Acumatica's reason and the field it belongs to"
"$ERPSYNC" failed

say "erpsync runs"
"$ERPSYNC" runs --limit 3 | grep -vE '^    .* 0 fetched .* 0 failed$'

say "Done. erpsync --help lists the commands; docs/pull.md, docs/push.md and docs/schema.md explain them."
