#!/usr/bin/env bash
# Tests the plugin's "Apply to cart" link ({shop}/?loyalty_apply=CODE) on a real WordPress +
# WooCommerce: brings the harness up, installs and activates loyalty-widget.php, creates coupons
# over REST, then drives a shopper's browser with curl and a cookie jar.
# Prints "N passed, M failed", exits non-zero on failure, and always stops the harness.
#
# Environment: WC_HARNESS_STATE (default /tmp/loyalty-woo-apply-<checkout>), WC_HARNESS_DIR (default /work/shared/woocommerce).
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
HARNESS="${WC_HARNESS_DIR:-/work/shared/woocommerce}"
# The shop's state folder is this checkout's own: two checkouts' test runs
# can share a machine.
checkout=$(printf '%s' "$(cd "$HERE/../.." && pwd)" | sha1sum | cut -c1-8)
export WC_HARNESS_STATE="${WC_HARNESS_STATE:-/tmp/loyalty-woo-apply-$checkout}"
T0=$(date +%s)
TMP=$(mktemp -d)
cleanup() {
	# --purge: each real-shop suite's state folder is ~460 MB (WOO_KEEP_STATE=1 keeps it to read).
	if [ -n "${WOO_KEEP_STATE:-}" ]; then "$HARNESS/down.sh" >&2 || true; else "$HARNESS/down.sh" --purge >&2 || true; fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "  ok   $1"; }
bad() { fail=$((fail + 1)); echo "  FAIL $1"; }
expect() { # description expected actual
	if [ "$2" = "$3" ]; then ok "$1 ($3)"; else bad "$1: expected '$2', got '$3'"; fi
}

echo "== harness"
if ! "$HARNESS/up.sh" >"$TMP/up.log" 2>&1; then
	tail -5 "$TMP/up.log"
	bad "up.sh"
	echo "$pass passed, $fail failed"
	exit 1
fi
# shellcheck disable=SC1091
. "$WC_HARNESS_STATE/env"
SITE="$WC_HARNESS_STATE/site"
HOSTPORT="${WC_URL#http://}"
AUTH="$WC_CONSUMER_KEY:$WC_CONSUMER_SECRET"
RUN=$(date +%s)
echo "  WooCommerce $WC_VERSION on WordPress $WP_VERSION at $WC_URL"

# --- install + activate the plugin (no wp-cli: WordPress's own activate_plugin() through wp-load.php)
mkdir -p "$SITE/wp-content/plugins/loyalty-widget"
cp "$HERE/loyalty-widget.php" "$SITE/wp-content/plugins/loyalty-widget/loyalty-widget.php"
ACT=$(cd "$SITE" && php -d display_errors=stderr -d error_reporting='E_ALL&~E_DEPRECATED&~E_NOTICE' -r '
	define("WP_USE_THEMES", false);
	require "wp-load.php";
	require_once ABSPATH . "wp-admin/includes/plugin.php";
	$r = activate_plugin("loyalty-widget/loyalty-widget.php");
	if (is_wp_error($r)) { echo "error: ", $r->get_error_message(); exit(1); }
	echo in_array("loyalty-widget/loyalty-widget.php", get_option("active_plugins"), true) ? "active" : "inactive", " ", wc_get_cart_url();
' 2>"$TMP/activate.err")
expect "plugin activated (active_plugins option)" active "${ACT%% *}"
CART_URL="${ACT#* }"                 # http://127.0.0.1:PORT/cart/
CART_PATH="/${CART_URL#http://*/}"   # /cart/
echo "  cart URL: $CART_URL"

# --- helpers
rest() { # METHOD PATH JSON -> body on stdout
	curl -s -u "$AUTH" -X "$1" -H 'Content-Type: application/json' "$WC_URL/wp-json/wc/v3$2" ${3:+-d "$3"}
}
new_coupon() { # code [email]
	local body="{\"code\":\"$1\",\"discount_type\":\"fixed_cart\",\"amount\":\"5\",\"usage_limit\":1"
	[ -n "${2:-}" ] && body="$body,\"email_restrictions\":[\"$2\"]"
	rest POST /coupons "$body}" | jq -r '.code // .message'
}
JAR=""
new_browser() { JAR="$TMP/jar.$RANDOM$RANDOM"; : >"$JAR"; }
browse() { # URL [curl args...] -> "status location" of one request, no redirects followed
	curl -s -o "$TMP/page" -b "$JAR" -c "$JAR" -w '%{http_code} %{redirect_url}' "${@:2}" "$1"
}
cart_coupons() { # the cart of the current browser, through the Store API with its cookies (+ the page's REST nonce when signed in)
	local nonce=()
	[ -n "${NONCE:-}" ] && nonce=(-H "X-WP-Nonce: $NONCE")
	curl -s -b "$JAR" -c "$JAR" "${nonce[@]}" "$WC_URL/wp-json/wc/store/v1/cart" | jq -r '[.coupons[].code | ascii_downcase] | join(",")'
}
cart_items() { curl -s -b "$JAR" -c "$JAR" "$WC_URL/wp-json/wc/store/v1/cart" | jq -r '.items | length'; }
cart_summary() { # "items | discount total | coupons" of the current browser's cart (with NONCE when signed in)
	local nonce=()
	[ -n "${NONCE:-}" ] && nonce=(-H "X-WP-Nonce: $NONCE")
	curl -s -b "$JAR" -c "$JAR" "${nonce[@]}" "$WC_URL/wp-json/wc/store/v1/cart" |
		jq -r '"\([.items[] | "\(.id)x\(.quantity)"] | join(",")) | \(.totals.total_discount) \(.totals.total_price) | \([.coupons[].code | ascii_downcase] | join(","))"'
}
page_nonce() { # the Store API nonce printed on the cart page for the current browser
	curl -s -b "$JAR" -c "$JAR" "$WC_URL$CART_PATH" | grep -o 'createNonceMiddleware( "[^"]*" )' | head -1 | cut -d'"' -f2
}
lower() { echo "$1" | tr 'A-Z' 'a-z'; }
lands_on_cart() { # "status location" -> "302 same-host cart" or what it was
	local status=${1%% *} loc=${1#* }
	local rest=${loc#*://}
	local host=${rest%%/*}
	local path="/${rest#*/}"
	if [ "$status" = 302 ] && [ "$host" = "$HOSTPORT" ] && [ "$path" = "$CART_PATH" ]; then echo "302 to own cart"; else echo "$1"; fi
}
notice() { # the WooCommerce notices on the cart page for the current browser
	curl -s -b "$JAR" -c "$JAR" "$WC_URL$CART_PATH" >"$TMP/cart.html"
	grep -o 'Coupon code applied successfully\.\|Sorry, coupon &quot;[^<]*&quot; is not applicable to selected products\.\|Please enter a valid email at checkout to use coupon code[^<]*\|Coupon &quot;[^<]*&quot; does not exist!\|Coupon code already applied!' "$TMP/cart.html" | sed 's/[[:space:]]*$//' | paste -sd'|'
}

OPEN="LOYAL-$RUN-Open"
MAIL="LOYAL-$RUN-Mail"
EMAIL="alice-$RUN@example.com"
LONG="L$(printf 'x%.0s' $(seq 1 64))" # 65 characters: a valid WooCommerce code the link must not apply
echo "== coupons over REST"
expect "open coupon created" "$OPEN" "$(new_coupon "$OPEN")"
expect "email-restricted coupon created" "$MAIL" "$(new_coupon "$MAIL" "$EMAIL")"
expect "65-character coupon created" "$LONG" "$(new_coupon "$LONG")"

echo "== guest: apply link"
new_browser
expect "add to cart" 200 "$(browse "$WC_URL/?add-to-cart=$WC_PRODUCT_ID" | cut -d' ' -f1)"
expect "cart holds the product" 1 "$(cart_items)"
R=$(browse "$WC_URL/?loyalty_apply=$OPEN")
expect "?loyalty_apply=CODE redirects to the cart on the same host" "302 to own cart" "$(lands_on_cart "$R")"
expect "the cart now has the coupon" "$(echo "$OPEN" | tr 'A-Z' 'a-z')" "$(cart_coupons)"
expect "WooCommerce's notice on the cart page" "Coupon code applied successfully." "$(notice)"
R=$(browse "$WC_URL/?loyalty_apply=$OPEN")
expect "the same link again still lands on the cart" "302 to own cart" "$(lands_on_cart "$R")"
expect "... without an 'already applied' error" "" "$(notice)"
expect "... and the coupon once" "$(echo "$OPEN" | tr 'A-Z' 'a-z')" "$(cart_coupons)"

echo "== guest: unknown, malformed and hostile values"
new_browser
browse "$WC_URL/?add-to-cart=$WC_PRODUCT_ID" >/dev/null
R=$(browse "$WC_URL/?loyalty_apply=NO-SUCH-$RUN")
expect "unknown code lands on the cart" "302 to own cart" "$(lands_on_cart "$R")"
expect "... cart has no coupon" "" "$(cart_coupons)"
expect "... WooCommerce says so (code as typed)" "Coupon &quot;NO-SUCH-$RUN&quot; does not exist!" "$(notice)"
for v in '%3Cscript%3Ealert(1)%3C%2Fscript%3E' 'https%3A%2F%2Fevil.example' 'https://evil.example' '%2F%2Fevil.example' \
	"$OPEN%0D%0ALocation:%20https://evil.example" "$OPEN%27%20OR%201=1" "$LONG" ''; do
	R=$(browse "$WC_URL/?loyalty_apply=$v")
	expect "loyalty_apply=$v -> own cart, not off-site" "302 to own cart" "$(lands_on_cart "$R")"
done
expect "... none of them applied anything (65 chars included)" "" "$(cart_coupons)"
R=$(browse "$WC_URL/?loyalty_apply=$OPEN&redirect_to=https://evil.example&_wp_http_referer=https://evil.example")
expect "redirect_to / referer parameters are ignored" "302 to own cart" "$(lands_on_cart "$R")"
R=$(browse "$WC_URL/?loyalty_apply[]=$OPEN")
expect "an array value is ignored" "302 to own cart" "$(lands_on_cart "$R")"

echo "== only this parameter, only a front-end GET"
new_browser
browse "$WC_URL/?add-to-cart=$WC_PRODUCT_ID" >/dev/null
expect "a page without the parameter is untouched" "200 " "$(browse "$WC_URL/")"
R=$(browse "$WC_URL/?loyalty_apply=$OPEN" -X POST -d x=1)
expect "POST is not handled (no redirect)" "200" "${R%% *}"
R=$(browse "$WC_URL/wp-json/wc/store/v1/cart?loyalty_apply=$OPEN")
expect "REST API URLs are not handled" "200" "${R%% *}"
R=$(browse "$WC_URL/?rest_route=/wc/store/v1/cart&loyalty_apply=$OPEN")
expect "?rest_route= is not handled" "200" "${R%% *}"
expect "... and none of those applied the coupon" "" "$(cart_coupons)"

echo "== guest and an email-restricted coupon"
new_browser
browse "$WC_URL/?add-to-cart=$WC_PRODUCT_ID" >/dev/null
R=$(browse "$WC_URL/?loyalty_apply=$MAIL")
expect "lands on the cart" "302 to own cart" "$(lands_on_cart "$R")"
expect "guest without a billing email: WooCommerce refuses it" "" "$(cart_coupons)"
expect "... with this notice" "Please enter a valid email at checkout to use coupon code &quot;$MAIL&quot;." "$(notice)"
# The same guest after entering the right billing email (Store API, with the page's nonce and the session cookie).
NONCE=$(grep -o 'createNonceMiddleware( "[^"]*" )' "$TMP/cart.html" | head -1 | cut -d'"' -f2)
S=$(curl -s -o /dev/null -w '%{http_code}' -b "$JAR" -c "$JAR" -H "Nonce: $(curl -s -D - -o /dev/null -b "$JAR" -c "$JAR" "$WC_URL/wp-json/wc/store/v1/cart" | awk -F': ' 'tolower($1)=="nonce"{print $2}' | tr -d '\r')" \
	-H 'Content-Type: application/json' -X POST "$WC_URL/wp-json/wc/store/v1/cart/update-customer" -d "{\"billing_address\":{\"email\":\"$EMAIL\"}}")
NONCE=""
expect "guest sets the billing email" 200 "$S"
R=$(browse "$WC_URL/?loyalty_apply=$MAIL")
expect "... then the link applies it" "$(echo "$MAIL" | tr 'A-Z' 'a-z')" "$(cart_coupons)"

echo "== signed-in customer whose account email matches"
CUST=$(rest POST /customers "{\"email\":\"$EMAIL\",\"username\":\"alice$RUN\",\"password\":\"pw-$RUN-secret\",\"first_name\":\"Alice\"}")
expect "customer created over REST (no billing email)" "$EMAIL|" "$(echo "$CUST" | jq -r '"\(.email)|\(.billing.email)"')"
new_browser
browse "$WC_URL/wp-login.php" >/dev/null # sets the test cookie
R=$(browse "$WC_URL/wp-login.php" --data-urlencode "log=alice$RUN" --data-urlencode "pwd=pw-$RUN-secret" -d 'wp-submit=Log+In&testcookie=1')
expect "login through wp-login.php" 302 "${R%% *}"
grep -q wordpress_logged_in_ "$JAR" && ok "logged-in cookie set" || bad "logged-in cookie set"
browse "$WC_URL/?add-to-cart=$WC_PRODUCT_ID" >/dev/null
R=$(browse "$WC_URL/?loyalty_apply=$MAIL")
expect "lands on the cart" "302 to own cart" "$(lands_on_cart "$R")"
expect "WooCommerce's notice" "Coupon code applied successfully." "$(notice)"
NONCE=$(grep -o 'createNonceMiddleware( "[^"]*" )' "$TMP/cart.html" | head -1 | cut -d'"' -f2)
expect "the signed-in customer's cart has the restricted coupon" "$(echo "$MAIL" | tr 'A-Z' 'a-z')" "$(cart_coupons)"
NONCE=""

echo "== a signed-in customer with another email"
OTHER="LOYAL-$RUN-Other"
new_coupon "$OTHER" "bob-$RUN@example.com" >/dev/null
R=$(browse "$WC_URL/?loyalty_apply=$OTHER")
expect "someone else's coupon: lands on the cart" "302 to own cart" "$(lands_on_cart "$R")"
expect "... refused with the same notice" "Please enter a valid email at checkout to use coupon code &quot;$OTHER&quot;." "$(notice)"

echo "== a free-product coupon (100% off one of product_ids) and a cart without that product"
FREE="LOYAL-$RUN-Free"
GHOST="LOYAL-$RUN-Ghost"
FREEMAIL="carol-$RUN@example.com"
free_coupon() { # code product_id [email]
	local body="{\"code\":\"$1\",\"discount_type\":\"percent\",\"amount\":\"100\",\"usage_limit\":1,\"product_ids\":[$2],\"limit_usage_to_x_items\":1"
	[ -n "${3:-}" ] && body="$body,\"email_restrictions\":[\"$3\"]"
	rest POST /coupons "$body}" | jq -r '"\(.code // .message) \(.product_ids)"'
}
expect "free-product coupon created (product $WC_PRODUCT_ID_50, carol only)" "$FREE [$WC_PRODUCT_ID_50]" "$(free_coupon "$FREE" "$WC_PRODUCT_ID_50" "$FREEMAIL")"
GONE=$(rest POST /products '{"name":"Gone","type":"simple","regular_price":"7.00","virtual":true}' | jq -r .id)
expect "a product made and deleted again" "$GONE" "$(rest DELETE "/products/$GONE?force=true" | jq -r .id)"
expect "free-product coupon for the deleted product created" "$GHOST [$GONE]" "$(free_coupon "$GHOST" "$GONE")"
CAROL=$(rest POST /customers "{\"email\":\"$FREEMAIL\",\"username\":\"carol$RUN\",\"password\":\"pw-$RUN-secret\",\"first_name\":\"Carol\"}")
expect "customer carol created" "$FREEMAIL" "$(echo "$CAROL" | jq -r .email)"
new_browser
browse "$WC_URL/wp-login.php" >/dev/null
R=$(browse "$WC_URL/wp-login.php" --data-urlencode "log=carol$RUN" --data-urlencode "pwd=pw-$RUN-secret" -d 'wp-submit=Log+In&testcookie=1')
expect "carol logs in" 302 "${R%% *}"
NONCE=$(page_nonce)
expect "carol's cart is empty" " | 0 0 | " "$(cart_summary)"
R=$(browse "$WC_URL/?loyalty_apply=$FREE")
expect "the free-product link lands on the cart" "302 to own cart" "$(lands_on_cart "$R")"
expect "... WooCommerce's notice" "Coupon code applied successfully." "$(notice)"
expect "... the product is in the cart once, free: total 0" "${WC_PRODUCT_ID_50}x1 | 5000 0 | $(lower "$FREE")" "$(cart_summary)"
R=$(browse "$WC_URL/?loyalty_apply=$FREE")
expect "the same link again: still one of it, total 0" "${WC_PRODUCT_ID_50}x1 | 5000 0 | $(lower "$FREE")" "$(cart_summary)"
NONCE=""
new_browser
R=$(browse "$WC_URL/?loyalty_apply=$GHOST")
expect "a coupon for a deleted product: lands on the cart" "302 to own cart" "$(lands_on_cart "$R")"
expect "... WooCommerce's refusal" "Sorry, coupon &quot;$GHOST&quot; is not applicable to selected products." "$(notice)"
expect "... nothing added, no coupon" " | 0 0 | " "$(cart_summary)"
new_browser
R=$(browse "$WC_URL/?loyalty_apply=$FREE")
expect "a guest (no billing email) with carol's free-product link: lands on the cart" "302 to own cart" "$(lands_on_cart "$R")"
expect "... refused for the email" "Please enter a valid email at checkout to use coupon code &quot;$FREE&quot;." "$(notice)"
expect "... and the product taken out again (cart as it was)" " | 0 0 | " "$(cart_summary)"
new_browser
browse "$WC_URL/?add-to-cart=$WC_PRODUCT_ID" >/dev/null
R=$(browse "$WC_URL/?loyalty_apply=$GHOST")
expect "a cart with another product and the deleted-product coupon: lands on the cart" "302 to own cart" "$(lands_on_cart "$R")"
expect "... the cart is untouched" "${WC_PRODUCT_ID}x1 | 0 2000 | " "$(cart_summary)"

echo "== without WooCommerce the parameter is ignored"
(cd "$SITE" && php -d display_errors=stderr -d error_reporting='E_ALL&~E_DEPRECATED&~E_NOTICE' -r '
	define("WP_USE_THEMES", false); require "wp-load.php"; require_once ABSPATH . "wp-admin/includes/plugin.php";
	deactivate_plugins("woocommerce/woocommerce.php");' 2>>"$TMP/activate.err")
new_browser
R=$(browse "$WC_URL/?loyalty_apply=$OPEN")
expect "no redirect, the page is served" "200 " "$R"

echo "$pass passed, $fail failed ($(($(date +%s) - T0))s)"
[ "$fail" = 0 ]
