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
