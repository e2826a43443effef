// TypeScript declarations for the loyalty widget's loader: the
// <loyalty-widget> element, the `LoyaltyWidget` global and its DOM events.

/** A customer token, or a function returning a fresh one (called again when it expires). */
export type LoyaltyToken = string | (() => string | Promise<string>) | null;

/** Options of `LoyaltyWidget.init`; each mirrors an attribute of the element. */
export interface LoyaltyWidgetOptions {
  /** Base URL of the loyalty endpoint (https, or http on localhost). Required. */
  endpoint: string;
  /** The signed-in customer's token, or a function returning one. Absent: guest view. */
  token?: LoyaltyToken;
  /** A shop path or https URL answering `{"token": "..."}` for a fresh token. */
  tokenUrl?: string;
  /** `de` or `en`; default: the page's `<html lang>`. */
  lang?: string;
  /** `auto` (default), `light` or `dark`. */
  theme?: 'auto' | 'light' | 'dark';
  /** `launcher` (a floating button, the default without target) or `inline`. */
  mode?: 'launcher' | 'inline';
  /** The shop's page for joining the program (guests). */
  joinUrl?: string;
  /** The shop's sign-in page (guests). */
  signinUrl?: string;
  /** Text overrides by name, e.g. `{ "title": "Kaffeeklub" }`. */
  texts?: Record<string, string> | string;
  /** Where the launcher sits: `bottom-right` (default), `bottom-left`, `top-right` or `top-left`. */
  corner?: 'bottom-right' | 'bottom-left' | 'top-right' | 'top-left';
  /** The launcher's distance from its corner's side edge, in pixels (0-400; default 16). */
  offsetX?: number;
  /** The launcher's distance from its corner's top or bottom edge, in pixels (0-400; default 16). */
  offsetY?: number;
  /** The code of the referral link a guest came through (default: `?ref=` in the page's address). */
  referralCode?: string;
  /** Where to place an inline widget: an element or a CSS selector. */
  target?: Element | string;
}

/** The `detail` of each event, dispatched on the element as `loyalty-widget:<name>` (bubbles, composed). */
export interface LoyaltyWidgetEventMap {
  'loyalty-widget:ready': CustomEvent<{ customer: boolean; points?: number; stale?: boolean }>;
  'loyalty-widget:error': CustomEvent<{
    reason: 'config' | 'load' | 'network' | 'timeout' | 'auth' | 'rate-limited' | 'server' | 'data';
    message: string;
  }>;
  'loyalty-widget:open': CustomEvent<Record<string, never>>;
  'loyalty-widget:close': CustomEvent<Record<string, never>>;
  'loyalty-widget:copied': CustomEvent<{ what: 'referral-link' | 'referral-code' | 'coupon' | 'offer-code' }>;
  'loyalty-widget:joined': CustomEvent<{ bonusPoints: number }>;
  'loyalty-widget:redeemed': CustomEvent<{ reward: string; code: string; points: number }>;
}

/** What both an element and the global can do (the global: to every widget on the page). */
export interface LoyaltyWidgetControls {
  /** Opens the panel (launcher mode). */
  open(): void;
  /** Closes the panel; focus returns to the launcher. */
  close(): void;
  /** Loads the data again. */
  refresh(): void;
  /** Switches the customer; `null` shows the guest view. */
  setToken(token: LoyaltyToken): void;
  /** Forgets the customer and their cached data (guest view). */
  logout(): void;
  /** Unmounts the widget and removes the element. */
  destroy(): void;
}

/** The `<loyalty-widget>` element. */
export interface LoyaltyWidgetElement extends HTMLElement, LoyaltyWidgetControls {
  addEventListener<K extends keyof LoyaltyWidgetEventMap>(
    type: K,
    listener: (this: LoyaltyWidgetElement, event: LoyaltyWidgetEventMap[K]) => void,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void;
}

/** The one global the widget defines. Every call is safe: mistakes are logged, never thrown. */
export interface LoyaltyWidgetApi extends LoyaltyWidgetControls {
  /** Creates the widget (a second call returns the same one, switching the token if given). */
  init(options: LoyaltyWidgetOptions): LoyaltyWidgetElement | undefined;
  /** The widgets on the page. */
  instances(): LoyaltyWidgetElement[];
}

declare global {
  interface Window {
    LoyaltyWidget: LoyaltyWidgetApi;
  }
  // eslint-disable-next-line no-var
  var LoyaltyWidget: LoyaltyWidgetApi;
  interface HTMLElementTagNameMap {
    'loyalty-widget': LoyaltyWidgetElement;
  }
  interface DocumentEventMap extends LoyaltyWidgetEventMap {}
}
