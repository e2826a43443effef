<?php
// Runs the WordPress plugin outside WordPress for endpoint/tests/platforms.rs:
// the few WordPress functions it calls, as WordPress defines them, then the
// plugin. Prints one JSON object: the token for the user in LOYALTY_TEST_USER
// (mapped to a loyalty customer id by the plugin's filter) and what the
// [loyalty_widget] shortcode renders.
define( 'ABSPATH', __DIR__ . '/' );
define( 'LOYALTY_SECRET', (string) getenv( 'LOYALTY_TEST_SECRET' ) );
define( 'LOYALTY_ENDPOINT', 'https://loyalty.example.com' );
define( 'LOYALTY_WIDGET_SRC', 'https://cdn.example.com/loyalty-widget/loyalty-widget.js' );

$filters    = array();
$shortcodes = array();
function add_filter( $name, $callback ) {
	global $filters;
	$filters[ $name ][] = $callback;
}
function apply_filters( $name, $value, ...$args ) {
	global $filters;
	foreach ( $filters[ $name ] ?? array() as $callback ) {
		$value = $callback( $value, ...$args );
	}
	return $value;
}
function add_action( $name, $callback ) {}
function add_shortcode( $name, $callback ) {
	global $shortcodes;
	$shortcodes[ $name ] = $callback;
}
function wp_json_encode( $data ) {
	return json_encode( $data, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE );
}
function get_current_user_id() {
	return (int) getenv( 'LOYALTY_TEST_USER' );
}
function get_locale() {
	return 'de_DE';
}
function is_user_logged_in() {
	return get_current_user_id() > 0;
}
function get_option( $name, $fallback = false ) {
	return $fallback;
}
function plugin_basename( $file ) {
	return basename( dirname( $file ) ) . '/' . basename( $file );
}
function esc_attr( $text ) {
	return htmlspecialchars( (string) $text, ENT_QUOTES, 'UTF-8' );
}
function esc_url( $url ) {
	return htmlspecialchars( (string) $url, ENT_QUOTES, 'UTF-8' );
}

require __DIR__ . '/../../../integrations/wordpress/loyalty-widget.php';

// The site's own mapping: WordPress user 7 is the loyalty customer cust-anna.
add_filter(
	'loyalty_widget_customer_id',
	function ( $id, $user_id ) {
		return 7 === $user_id ? 'cust-anna' : 'wp-' . $id;
	}
);

echo json_encode(
	array(
		'token' => my_loyalty_token( get_current_user_id() ),
		'html'  => $shortcodes['loyalty_widget']( array( 'mode' => 'launcher' ) ),
	)
);
