<?php
/**
 * Plugin Name: Loyalty Widget
 * Description: Shows the loyalty widget to the signed-in customer (WooCommerce "My account", or the [loyalty_widget] shortcode), with a short-lived customer token minted here for the loyalty endpoint.
 * Version: 0.1.0
 * Requires PHP: 7.4
 * License: MIT OR Apache-2.0
 *
 * One file, no build step. Three settings, under WooCommerce -> Settings ->
 * Loyalty (capability `manage_woocommerce`), or as constants in
 * wp-config.php, which win over the settings page:
 *
 *   define( 'LOYALTY_SECRET', '...' );   // the endpoint's LOYALTY_SECRET, at least 32 bytes
 *   define( 'LOYALTY_ENDPOINT', 'https://loyalty.example.com' );
 *   define( 'LOYALTY_WIDGET_SRC', 'https://cdn.example.com/loyalty-widget/loyalty-widget.js' );
 *
 * The customer id in the token is the WordPress user id; a site whose
 * loyalty customers have other ids maps them with the
 * `loyalty_widget_customer_id` filter. A guest gets the widget without a
 * token: its guest view, with a link to the sign-in page.
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/** The settings: option name => the wp-config.php constant that wins over it. */
function loyalty_widget_settings() {
	return array(
		'loyalty_widget_endpoint'   => 'LOYALTY_ENDPOINT',
		'loyalty_widget_widget_src' => 'LOYALTY_WIDGET_SRC',
		'loyalty_widget_secret'     => 'LOYALTY_SECRET',
	);
}

/** A setting's value: its constant when wp-config.php defines it, else the option ('' for none). */
function loyalty_widget_setting( $option ) {
	$constants = loyalty_widget_settings();
	if ( isset( $constants[ $option ] ) && defined( $constants[ $option ] ) ) {
		return (string) constant( $constants[ $option ] );
	}
	$value = get_option( $option, '' );
	return is_string( $value ) ? $value : '';
}

/**
 * A URL setting as stored: an absolute https URL, or http for localhost and
 * 127.0.0.1 (as the widget accepts its endpoint); null when it is not one.
 */
function loyalty_widget_clean_url( $raw ) {
	if ( ! is_string( $raw ) ) {
		return null;
	}
	$raw = trim( $raw );
	if ( '' === $raw ) {
		return '';
	}
	$url   = esc_url_raw( $raw, array( 'http', 'https' ) );
	$parts = '' === $url ? false : wp_parse_url( $url );
	if ( ! is_array( $parts ) || empty( $parts['host'] ) || $url !== $raw ) {
		return null;
	}
	$local = in_array( strtolower( $parts['host'] ), array( 'localhost', '127.0.0.1' ), true );
	if ( 'https' !== strtolower( $parts['scheme'] ) && ! ( 'http' === strtolower( $parts['scheme'] ) && $local ) ) {
		return null;
	}
	return untrailingslashit( $url );
}

/** A secret as stored: at least 32 bytes without spaces at either end; null when it is not one. */
function loyalty_widget_clean_secret( $raw ) {
	if ( ! is_string( $raw ) || strlen( $raw ) < 32 || trim( $raw ) !== $raw || preg_match( '/[\x00-\x1f\x7f]/', $raw ) ) {
		return null;
	}
	return $raw;
}

/**
 * The options through the options API: whatever writes them (the settings
 * page, update_option() from other code) stores only a valid value; an
 * invalid one leaves the stored value as it was.
 */
function loyalty_widget_register_settings() {
	foreach ( array_keys( loyalty_widget_settings() ) as $option ) {
		register_setting(
			'loyalty_widget',
			$option,
			array(
				'type'              => 'string',
				'show_in_rest'      => false,
				'default'           => '',
				'sanitize_callback' => function ( $value ) use ( $option ) {
					$clean = 'loyalty_widget_secret' === $option ? loyalty_widget_clean_secret( $value ) : loyalty_widget_clean_url( $value );
					if ( null === $clean ) {
						$old = get_option( $option, '' );
						return is_string( $old ) ? $old : '';
					}
					return $clean;
				},
			)
		);
	}
}
add_action( 'init', 'loyalty_widget_register_settings' );

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
	 * exp, valid for $ttl seconds (at most an hour), signed with the
	 * secret (LOYALTY_SECRET, or the settings page's). '' for a guest or
	 * when the secret is missing or shorter than 32 bytes (the endpoint
	 * would refuse to start with it).
	 */
	function my_loyalty_token( $user_id, $ttl = 900 ) {
		$sub    = loyalty_widget_customer_id( $user_id );
		$secret = loyalty_widget_setting( 'loyalty_widget_secret' );
		if ( '' === $sub || strlen( $secret ) < 32 ) {
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
		return $input . '.' . loyalty_widget_base64url( hash_hmac( 'sha256', $input, $secret, true ) );
	}
}

/**
 * Prints the widget: with a customer token for the signed-in customer, the
 * guest view (no token, a link to the sign-in page) for a guest. Nothing
 * while the endpoint or the widget's URL is not set, nor for a signed-in
 * customer while the secret is not.
 */
function loyalty_widget_render( $mode = 'inline' ) {
	$endpoint = loyalty_widget_setting( 'loyalty_widget_endpoint' );
	$src      = loyalty_widget_setting( 'loyalty_widget_widget_src' );
	if ( '' === $endpoint || '' === $src ) {
		return;
	}
	$attributes = '';
	if ( is_user_logged_in() ) {
		$token = my_loyalty_token( get_current_user_id() );
		if ( '' === $token ) {
			return;
		}
		$attributes .= sprintf( ' token="%s"', esc_attr( $token ) );
	} elseif ( function_exists( 'wc_get_page_permalink' ) ) {
		$attributes .= sprintf( ' signin-url="%s"', esc_url( wc_get_page_permalink( 'myaccount' ) ) );
	}
	printf(
		'<loyalty-widget endpoint="%1$s"%2$s mode="%3$s" lang="%4$s"></loyalty-widget>' .
		'<script async src="%5$s"></script>',
		esc_url( $endpoint ),
		$attributes, // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped above.
		esc_attr( 'launcher' === $mode ? 'launcher' : 'inline' ),
		esc_attr( str_replace( '_', '-', get_locale() ) ),
		esc_url( $src )
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
 * Settings: WooCommerce -> Settings -> Loyalty (admin.php?page=wc-settings&tab=loyalty).
 * WooCommerce shows the tab to users with `manage_woocommerce` and checks its
 * own nonce before saving; the save below checks both again. The secret is
 * never printed back into the page: an empty field keeps it. A setting
 * whose constant wp-config.php defines is shown read-only and not saved.
 */
function loyalty_widget_settings_page( $pages ) {
	if ( ! class_exists( 'WC_Settings_Page' ) ) {
		return $pages;
	}
	if ( ! class_exists( 'Loyalty_Widget_Settings_Page' ) ) {
		/** The Loyalty tab of WooCommerce's settings. */
		class Loyalty_Widget_Settings_Page extends WC_Settings_Page {
			/** The tab. */
			public function __construct() {
				$this->id    = 'loyalty';
				$this->label = __( 'Loyalty', 'loyalty-widget' );
				parent::__construct();
			}

			/** The fields of the tab's one section. */
			protected function get_settings_for_default_section() {
				$fixed = function ( $option ) {
					$constants = loyalty_widget_settings();
					return defined( $constants[ $option ] ) ? array( 'disabled' => 'disabled' ) : array();
				};
				$note  = function ( $option, $text ) {
					$constants = loyalty_widget_settings();
					return defined( $constants[ $option ] )
						/* translators: %s: a constant's name */
						? sprintf( __( 'Set in wp-config.php (%s), which wins over this page.', 'loyalty-widget' ), $constants[ $option ] )
						: $text;
				};
				return array(
					array(
						'id'    => 'loyalty_widget',
						'type'  => 'title',
						'title' => __( 'Loyalty widget', 'loyalty-widget' ),
						'desc'  => __( 'The widget on the customer\'s "My account" page and in the [loyalty_widget] shortcode.', 'loyalty-widget' ),
					),
					array(
						'id'                => 'loyalty_widget_endpoint',
						'type'              => 'url',
						'title'             => __( 'Loyalty endpoint', 'loyalty-widget' ),
						'placeholder'       => 'https://loyalty.example.com',
						'desc'              => $note( 'loyalty_widget_endpoint', __( 'The loyalty endpoint\'s address (https).', 'loyalty-widget' ) ),
						'value'             => loyalty_widget_setting( 'loyalty_widget_endpoint' ),
						'custom_attributes' => $fixed( 'loyalty_widget_endpoint' ),
						'css'               => 'min-width: 24em',
					),
					array(
						'id'                => 'loyalty_widget_widget_src',
						'type'              => 'url',
						'title'             => __( 'Widget script', 'loyalty-widget' ),
						'placeholder'       => 'https://cdn.example.com/loyalty-widget/loyalty-widget.js',
						'desc'              => $note( 'loyalty_widget_widget_src', __( 'The address of loyalty-widget.js (https).', 'loyalty-widget' ) ),
						'value'             => loyalty_widget_setting( 'loyalty_widget_widget_src' ),
						'custom_attributes' => $fixed( 'loyalty_widget_widget_src' ),
						'css'               => 'min-width: 24em',
					),
					array(
						'id'                => 'loyalty_widget_secret',
						'type'              => 'password',
						'title'             => __( 'Secret', 'loyalty-widget' ),
						'desc'              => $note(
							'loyalty_widget_secret',
							'' === loyalty_widget_setting( 'loyalty_widget_secret' )
								? __( 'The endpoint\'s LOYALTY_SECRET, at least 32 characters. Not set yet.', 'loyalty-widget' )
								: __( 'Set. Leave empty to keep it; type a new one to replace it.', 'loyalty-widget' )
						),
						'value'             => '',
						'custom_attributes' => $fixed( 'loyalty_widget_secret' ) + array( 'autocomplete' => 'new-password' ),
						'css'               => 'min-width: 24em',
					),
					array(
						'id'   => 'loyalty_widget',
						'type' => 'sectionend',
					),
				);
			}

			/** Saves what was sent: valid values only, each with a message when refused. */
			public function save() {
				$nonce = isset( $_REQUEST['_wpnonce'] ) ? sanitize_text_field( wp_unslash( $_REQUEST['_wpnonce'] ) ) : '';
				if ( ! current_user_can( 'manage_woocommerce' ) || ( ! wp_verify_nonce( $nonce, 'woocommerce-settings' ) && ! wp_verify_nonce( $nonce, 'wp_rest' ) ) ) {
					wp_die( esc_html__( 'Sorry, you are not allowed to change these settings.', 'loyalty-widget' ), '', array( 'response' => 403 ) );
				}
				$constants = loyalty_widget_settings();
				foreach ( $constants as $option => $constant ) {
					if ( defined( $constant ) || ! isset( $_POST[ $option ] ) || ! is_string( $_POST[ $option ] ) ) {
						continue;
					}
					$raw = wp_unslash( $_POST[ $option ] ); // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- validated below, stored only when valid.
					if ( 'loyalty_widget_secret' === $option ) {
						if ( '' === $raw ) {
							continue; // Empty: keep the secret.
						}
						if ( null === loyalty_widget_clean_secret( $raw ) ) {
							WC_Admin_Settings::add_error( __( 'The secret was not changed: it must be at least 32 characters, without spaces at either end.', 'loyalty-widget' ) );
							continue;
						}
						update_option( $option, $raw, false );
						continue;
					}
					$url = loyalty_widget_clean_url( $raw );
					if ( null === $url ) {
						/* translators: %s: what was typed */
						WC_Admin_Settings::add_error( sprintf( __( 'Not saved: "%s" is not an https address.', 'loyalty-widget' ), $raw ) );
						continue;
					}
					update_option( $option, $url );
				}
				$this->do_update_options_action();
			}
		}
	}
	$pages[] = new Loyalty_Widget_Settings_Page();
	return $pages;
}
add_filter( 'woocommerce_get_settings_pages', 'loyalty_widget_settings_page' );

/** A "Settings" link beside the plugin's "Deactivate" link. */
function loyalty_widget_action_links( $links ) {
	if ( function_exists( 'WC' ) && current_user_can( 'manage_woocommerce' ) ) {
		array_unshift( $links, sprintf( '<a href="%s">%s</a>', esc_url( admin_url( 'admin.php?page=wc-settings&tab=loyalty' ) ), esc_html__( 'Settings', 'loyalty-widget' ) ) );
	}
	return $links;
}
add_filter( 'plugin_action_links_' . plugin_basename( __FILE__ ), 'loyalty_widget_action_links' );

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
