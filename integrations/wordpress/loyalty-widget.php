<?php
/**
 * Plugin Name: Loyalty Widget
 * Description: Shows the loyalty widget to the signed-in customer (WooCommerce "My account", or the [loyalty_widget] shortcode), with a short-lived customer token minted here for the loyalty endpoint.
 * Version: 0.1.0
 * Requires PHP: 7.4
 * License: MIT OR Apache-2.0
 *
 * One file, no build step. Set three constants in wp-config.php:
 *
 *   define( 'LOYALTY_SECRET', '...' );   // the endpoint's LOYALTY_SECRET, at least 32 bytes
 *   define( 'LOYALTY_ENDPOINT', 'https://loyalty.example.com' );
 *   define( 'LOYALTY_WIDGET_SRC', 'https://cdn.example.com/loyalty-widget/loyalty-widget.js' );
 *
 * The customer id in the token is the WordPress user id; a site whose
 * loyalty customers have other ids maps them with the
 * `loyalty_widget_customer_id` filter.
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/** Base64url without padding, as JSON Web Tokens use it. */
function loyalty_widget_base64url( $bytes ) {
	return rtrim( strtr( base64_encode( $bytes ), '+/', '-_' ), '=' );
}

/** The loyalty customer id of a WordPress user ('' for none). */
function loyalty_widget_customer_id( $user_id ) {
	if ( ! $user_id ) {
		return '';
	}
	return (string) apply_filters( 'loyalty_widget_customer_id', (string) $user_id, $user_id );
}

if ( ! function_exists( 'my_loyalty_token' ) ) {
	/**
	 * A customer token for a WordPress user: an HS256 JWT over sub, iat and
	 * exp, valid for $ttl seconds (at most an hour), signed with
	 * LOYALTY_SECRET. '' for a guest or when the secret is missing or
	 * shorter than 32 bytes (the endpoint would refuse to start with it).
	 */
	function my_loyalty_token( $user_id, $ttl = 900 ) {
		$sub = loyalty_widget_customer_id( $user_id );
		if ( '' === $sub || ! defined( 'LOYALTY_SECRET' ) || strlen( LOYALTY_SECRET ) < 32 ) {
			return '';
		}
		$now     = time();
		$header  = loyalty_widget_base64url( wp_json_encode( array( 'alg' => 'HS256', 'typ' => 'JWT' ) ) );
		$claims  = array(
			'sub' => $sub,
			'iat' => $now,
			'exp' => $now + min( 3600, max( 60, (int) $ttl ) ),
		);
		$payload = loyalty_widget_base64url( wp_json_encode( $claims ) );
		$input   = $header . '.' . $payload;
		return $input . '.' . loyalty_widget_base64url( hash_hmac( 'sha256', $input, LOYALTY_SECRET, true ) );
	}
}

/** Prints the widget for the signed-in customer; nothing for a guest. */
function loyalty_widget_render( $mode = 'inline' ) {
	$token = my_loyalty_token( get_current_user_id() );
	if ( '' === $token || ! defined( 'LOYALTY_ENDPOINT' ) || ! defined( 'LOYALTY_WIDGET_SRC' ) ) {
		return;
	}
	$lang = strtolower( substr( get_locale(), 0, 2 ) ) === 'de' ? 'de' : 'en';
	printf(
		'<loyalty-widget endpoint="%1$s" token="%2$s" mode="%3$s" lang="%4$s"></loyalty-widget>' .
		'<script async src="%5$s"></script>',
		esc_url( LOYALTY_ENDPOINT ),
		esc_attr( $token ),
		esc_attr( 'launcher' === $mode ? 'launcher' : 'inline' ),
		esc_attr( $lang ),
		esc_url( LOYALTY_WIDGET_SRC )
	);
}

add_action( 'woocommerce_account_dashboard', 'loyalty_widget_render' );

add_shortcode(
	'loyalty_widget',
	function ( $attributes ) {
		$mode = is_array( $attributes ) && isset( $attributes['mode'] ) ? $attributes['mode'] : 'inline';
		ob_start();
		loyalty_widget_render( $mode );
		return ob_get_clean();
	}
);

/*
 * "Apply to cart" link: {shop}/?loyalty_apply=CODE
 *
 * The widget opens this link after it has minted a reward coupon. With
 * WooCommerce active, the code is applied to the visitor's cart (a guest gets
 * a WooCommerce session, as WooCommerce gives one when a guest adds to cart)
 * and the visitor lands on the cart page, where WooCommerce's own notice says
 * whether the coupon was accepted. The redirect target is always the shop's
 * own cart URL (wp_safe_redirect), never anything taken from the request.
 * Only this one query parameter changes anything; without WooCommerce it is
 * ignored. A code that is not 1-64 letters, digits, '-' or '_' is not applied
 * at all (the visitor still lands on the cart). A coupon for certain
 * products (a free-product reward) brings one of its first product into a
 * cart that has none of them, so that it applies; when WooCommerce refuses
 * the coupon all the same, that product is taken out again.
 *
 * WooCommerce checks a coupon's email restriction against the signed-in
 * user's account email and the cart's billing email, so a guest who has not
 * entered a billing email yet is refused an email-restricted coupon here
 * ("Please enter a valid email at checkout to use coupon code ..."); a
 * signed-in customer whose account email matches gets it applied.
 */

/** The code from a ?loyalty_apply= value, or '' when it is not an acceptable code. */
function loyalty_widget_apply_code( $raw ) {
	if ( ! is_string( $raw ) ) {
		return '';
	}
	$code = wp_unslash( $raw );
	return preg_match( '/^[A-Za-z0-9_-]{1,64}$/', $code ) ? $code : '';
}

/**
 * A free-product coupon (one of its `product_ids` 100% off) is refused when
 * none of those products is in the cart ("not applicable to selected
 * products"). So when $code is a usable coupon (it exists, is published, has
 * not expired or been used up) restricted to products and none of them is in
 * the cart, one of the first is added, provided that product exists, can be
 * bought and is in stock. Returns the added cart item's key, '' when nothing
 * was added.
 */
function loyalty_widget_add_coupon_product( $cart, $code ) {
	if ( ! class_exists( 'WC_Coupon' ) || ! function_exists( 'wc_get_product' ) ) {
		return '';
	}
	$coupon = new WC_Coupon( $code );
	if ( ! $coupon->get_id() || ! wc_is_same_coupon( $coupon->get_code(), wc_format_coupon_code( $code ) ) || 'publish' !== $coupon->get_status() ) {
		return '';
	}
	$expires = $coupon->get_date_expires();
	if ( $expires && $expires->getTimestamp() <= time() ) {
		return '';
	}
	if ( $coupon->get_usage_limit() > 0 && $coupon->get_usage_count() >= $coupon->get_usage_limit() ) {
		return '';
	}
	$ids = array_values( array_filter( array_map( 'absint', $coupon->get_product_ids() ) ) );
	if ( empty( $ids ) ) {
		return '';
	}
	foreach ( $cart->get_cart() as $item ) {
		$in_cart = array( absint( $item['product_id'] ?? 0 ), absint( $item['variation_id'] ?? 0 ) );
		if ( array_intersect( $in_cart, $ids ) ) {
			return ''; // Already there: WooCommerce takes it from here.
		}
	}
	$product = wc_get_product( $ids[0] );
	if ( ! $product || 'publish' !== $product->get_status() || $product->is_type( array( 'variable', 'grouped', 'external' ) )
		|| ! $product->is_purchasable() || ! $product->is_in_stock() ) {
		return '';
	}
	$key = $cart->add_to_cart( $product->get_id(), 1 );
	return is_string( $key ) ? $key : '';
}

/** Handles {shop}/?loyalty_apply=CODE on the front end (runs after WooCommerce's own add-to-cart handler). */
function loyalty_widget_handle_apply_link() {
	// phpcs:disable WordPress.Security.NonceVerification.Recommended -- a plain link; the only effect is on the visitor's own cart.
	if ( ! isset( $_GET['loyalty_apply'] ) ) {
		return;
	}
	if ( ! function_exists( 'WC' ) || ! function_exists( 'wc_get_cart_url' ) ) {
		return; // WooCommerce is not active: ignore the parameter.
	}
	if ( is_admin() || wp_doing_ajax() || wp_doing_cron() || ( defined( 'REST_REQUEST' ) && REST_REQUEST ) ) {
		return;
	}
	$method = isset( $_SERVER['REQUEST_METHOD'] ) ? strtoupper( sanitize_text_field( wp_unslash( $_SERVER['REQUEST_METHOD'] ) ) ) : 'GET';
	if ( 'GET' !== $method ) {
		return;
	}
	$uri = isset( $_SERVER['REQUEST_URI'] ) ? wp_unslash( $_SERVER['REQUEST_URI'] ) : ''; // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- compared only.
	if ( isset( $_GET['rest_route'] ) || false !== strpos( $uri, '/' . rest_get_url_prefix() . '/' ) ) {
		return; // A REST API request, not a shop page.
	}

	$code = loyalty_widget_apply_code( $_GET['loyalty_apply'] ); // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- validated by a strict pattern.
	// phpcs:enable WordPress.Security.NonceVerification.Recommended

	if ( '' !== $code ) {
		$wc = WC();
		if ( null === $wc->session || null === $wc->cart ) {
			wc_load_cart();
		}
		if ( $wc->session && ! $wc->session->has_session() ) {
			$wc->session->set_customer_session_cookie( true );
		}
		if ( $wc->cart && ! $wc->cart->has_discount( wc_strtolower( $code ) ) ) {
			$added = loyalty_widget_add_coupon_product( $wc->cart, $code );
			if ( ! $wc->cart->apply_coupon( $code ) && '' !== $added ) { // WooCommerce adds its own success or error notice.
				$wc->cart->remove_cart_item( $added ); // Refused all the same: the cart is as it was.
			}
		}
	}

	nocache_headers();
	wp_safe_redirect( wc_get_cart_url() );
	exit;
}
add_action( 'wp_loaded', 'loyalty_widget_handle_apply_link', 30 );
