// The loyalty widget's loader: the only script a shop page loads up front.
//
// It defines <loyalty-widget>, draws the launcher button (or reserves the
// inline space) at once, and fetches the WebAssembly only when it is needed:
// on the first interaction with the launcher, or for an inline widget near
// the viewport right after the shop's next frame. Then the glue, the wasm
// and the customer's first three answers are all asked for at once (the
// head start). It owns one global, `LoyaltyWidget`, and never throws
// into the page: every mistake becomes one `[loyalty-widget]` console line
// and a quiet visible state.
//
// scripts/build.sh turns this file into dist/widget/loyalty-widget.js (the
// stable URL shops embed) by filling in the hashed names of the WebAssembly
// and its glue and the language packs' hash, bundling negotiate.js and
// minifying it.
import { negotiate, RTL } from './negotiate.js';

(() => {
  'use strict';

  const TAG = 'loyalty-widget';
  const PREFIX = '[loyalty-widget]';
  const MODES = ['inline', 'launcher'];
  const win = window;
  if (win.LoyaltyWidget || !win.customElements || !win.HTMLElement) return;

  const log = (level, message) => console[level](`${PREFIX} ${message}`);

  // Where the hashed files are: next to this script.
  const script = document.currentScript;
  const base = script && script.src ? new URL('.', script.src).href : '';

  // scripts/build.sh fills in the hashed file names of the glue and the wasm.
  // The wasm is asked for beside the glue, not after it, and compiled as it
  // streams in, while the glue is still on its way. A server that labels it
  // other than application/wasm cannot stream: the glue then gets the file
  // itself (from the HTTP cache), compiles it and says why in the console.
  let module = null;
  const load = () => {
    if (!module) {
      const url = base + 'LOAD_WASM';
      const wasm = typeof WebAssembly.compileStreaming === 'function'
        ? WebAssembly.compileStreaming(fetch(url)).catch(() => fetch(url))
        : fetch(url);
      wasm.catch(() => {});
      module = import(base + 'LOAD_GLUE').then(async (glue) => {
        await glue.default({ module_or_path: wasm });
        // For the page's own performance tools (and bench/baseline.mjs).
        if (performance.mark) performance.mark(`${TAG}:wasm-ready`);
        return glue;
      });
      // A failed load (offline, say) may be tried again on the next open.
      module.catch(() => { module = null; });
    }
    return module;
  };

  // English is built in; every other language's texts come from its pack,
  // i18n/<hash>/<lang>.json beside this script (scripts/build.sh fills in
  // the hash of them all), fetched once per page when it is needed, cached
  // for good. A pack is an array read by position (scripts/pack-texts.mjs):
  // the tag, then the texts in the order of the Rust `Key`, whose first five
  // are the loader's own, in this order (English here).
  const PACKS = 'LOAD_PACKS';
  const [TITLE, LOADING, FAILED, CLOSE, GIFT] = [1, 2, 3, 4, 5];
  const TEXT = [, 'Rewards', 'Loading your rewards…', 'Rewards are not available right now.', 'Close', 'A gift for you'];
  const packs = {};
  // The pack of a language, or null (English, or it did not arrive: the
  // widget then speaks English and says so once).
  const packOf = (lang) => {
    if (lang === 'en') return Promise.resolve(null);
    packs[lang] ||= fetch(`${base}i18n/${PACKS}/${lang}.json`).then((answer) => (answer.ok ? answer.json() : null)).catch(() => null);
    return packs[lang];
  };
  // A text of the loader in the pack's language.
  const say = (pack, slot) => (pack && typeof pack[slot] === 'string' && pack[slot]) || TEXT[slot];

  // The launcher's host must not become a containing block (the widget's
  // own sheet gives hosts layout containment), or the fixed launcher and
  // panel would be placed relative to it instead of the viewport.
  const CSS = `
:host{display:block}
:host([mode=launcher]){display:contents!important;contain:none!important}
.reserve{box-sizing:border-box;min-height:12em;max-width:40em;font-size:medium;border:1px solid var(--lw-border,#d9d2cb);border-radius:var(--lw-radius,12px);background:var(--lw-bg,#fff)}
.sr{position:absolute;width:1px;height:1px;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.failed{margin:0;padding:1em;font:400 medium/1.5 var(--lw-font,system-ui,sans-serif);color:var(--lw-fg,#1d1b19)}
.launcher{position:fixed;inset:auto;overflow:visible;right:var(--lw-x,16px);bottom:var(--lw-y,16px);margin:0;z-index:2147483000;display:inline-flex;align-items:center;gap:8px;min-height:48px;padding:0 20px;border:0;border-radius:24px;background:var(--lw-accent,#8a3b12);color:var(--lw-accent-text,#fff);font:600 16px/1 var(--lw-font,system-ui,sans-serif);box-shadow:0 4px 14px rgba(0,0,0,.25);cursor:pointer}
.launcher:focus-visible,.close:focus-visible{outline:3px solid var(--lw-focus,#1a5fb4);outline-offset:3px}
.launcher svg{width:20px;height:20px;fill:currentColor}
.gift{padding:2px 8px;border-radius:12px;background:var(--lw-accent-text,#fff);color:var(--lw-accent,#8a3b12);font-size:13px}
@media (forced-colors:active){.gift{border:1px solid ButtonText}}
.panel{position:fixed;inset:auto;right:var(--lw-x,16px);bottom:calc(var(--lw-y,16px) + 64px);margin:0;padding:0;border:0;background:transparent;color:inherit;z-index:2147483000;box-sizing:border-box;width:min(400px,calc(100vw / var(--lw-zoom,1) - 32px));max-height:calc(100vh / var(--lw-zoom,1) - 112px);overflow:auto;overscroll-behavior:contain;border-radius:var(--lw-radius,12px);box-shadow:0 8px 30px rgba(0,0,0,.3)}
.panel[hidden]{display:none}
.panel:focus{outline:none}
.close{position:absolute;top:8px;inset-inline-end:8px;z-index:1;width:44px;height:44px;border:0;border-radius:22px;background:transparent;color:var(--lw-fg,#1d1b19);font:400 28px/1 system-ui,sans-serif;cursor:pointer}
@media (forced-colors:active){.launcher,.close{border:1px solid ButtonText}.panel{border:1px solid CanvasText}}
:host([corner$=left]) .launcher,:host([corner$=left]) .panel{right:auto;left:var(--lw-x,16px)}
:host([corner^=top]) .launcher{bottom:auto;top:var(--lw-y,16px)}
:host([corner^=top]) .panel{bottom:auto;top:calc(var(--lw-y,16px) + 64px)}
@media (max-width:480px){.panel{inset:auto 0 0 0!important;width:calc(100vw / var(--lw-zoom,1));max-height:calc(85vh / var(--lw-zoom,1));border-radius:var(--lw-radius,12px) var(--lw-radius,12px) 0 0}}`;

  // The launcher and its panel live in the top layer where the browser has
  // the Popover API: no transform, filter or z-index of the shop's page can
  // move them off the viewport or cover them. Elsewhere they stay fixed.
  const TOP_LAYER = typeof HTMLElement.prototype.showPopover === 'function';
  const lift = (el) => {
    if (TOP_LAYER && el.isConnected && !el.matches(':popover-open')) el.showPopover();
  };
  const lower = (el) => {
    if (TOP_LAYER && el.matches(':popover-open')) el.hidePopover();
  };
  const CORNERS = ['bottom-right', 'bottom-left', 'top-right', 'top-left'];
  // One page, one launcher: the first drawn; a later one stays hidden unless
  // the shop asks for it with `allow-second-launcher`.
  let launcherOwner = null;

  let sheet = null;
  const adopt = (root) => {
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
    }
    root.adoptedStyleSheets = [sheet];
  };

  // The same rule as the widget's (`loyalty_core::i18n::negotiate`): the
  // embed's lang, the page's, the browser's, each along its fallback chain.
  const langOf = (el) => negotiate(el.getAttribute('lang'), document.documentElement.getAttribute('lang'), navigator.languages);

  // The head start: when the widget is needed, its first three answers are
  // asked for at once, beside the glue and the wasm, and the wasm takes them
  // over (by URL, for the same token) instead of asking again. Only where
  // the widget itself would ask the same: an endpoint it accepts (https, or
  // http on this machine), a customer token in hand, and no answers in the
  // visit cache (a repeat view answers from there). Anything unusual means
  // no head start: the widget then asks as it always did.
  const ROUTES = ['/customer', '/program', '/offers'];
  const TIMEOUT_MS = 8000;
  const endpointOf = (el) => {
    const raw = (el.getAttribute('endpoint') || '').trim().replace(/\/+$/, '');
    try {
      const url = new URL(raw);
      const local = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$|\.localhost$/i.test(url.hostname);
      const secure = url.protocol === 'https:' || (url.protocol === 'http:' && local);
      return secure && !url.username && !url.password && !url.search && !url.hash ? { raw, origin: url.origin } : null;
    } catch (_) {
      return null;
    }
  };
  const visitCached = () => {
    try {
      const store = win.sessionStorage;
      for (let i = 0; i < store.length; i += 1) if ((store.key(i) || '').startsWith(`${TAG}:`)) return true;
      return false;
    } catch (_) {
      return true;
    }
  };
  const usable = (token) => typeof token === 'string' && token.trim() !== '' && token.length <= 4096;
  // The token the widget would start with: the one held, or else the shop's
  // token function's answer, or else the token URL's (a path on the shop).
  const tokenNow = async (el, held, fn) => {
    if (usable(held)) return held.trim();
    if (fn) {
      const late = new Promise((resolve) => { setTimeout(resolve, TIMEOUT_MS, null); });
      const token = await Promise.race([Promise.resolve(fn()), late]);
      return usable(token) ? token.trim() : null;
    }
    const path = (el.getAttribute('token-url') || '').trim();
    if (!/^\/(?![/\\])/.test(path)) return null;
    const answer = await fetch(path, {
      headers: { Accept: 'application/json' }, credentials: 'same-origin', signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const body = answer.ok ? await answer.json() : null;
    return body && usable(body.token) ? body.token.trim() : null;
  };
  // An answer read whole (and its JSON parsed) as soon as it arrives, so
  // the wasm takes it over without waiting for another task: the widget's
  // first frame is its dashboard, not a loading state. `json: false` is a
  // body that is not JSON (the widget's own rule); a failed or timed-out
  // read rejects, and the widget asks again.
  const readAhead = async (response) => {
    const answer = { status: response.status, headers: response.headers, json: false, body: undefined };
    if (response.status === 304) return answer;
    try {
      answer.body = await response.json();
      answer.json = true;
    } catch (err) {
      if (!(err instanceof SyntaxError)) throw err;
    }
    return answer;
  };
  const preconnected = new Set();
  const preconnect = (origin) => {
    if (origin === location.origin || preconnected.has(origin)) return;
    preconnected.add(origin);
    make(document.head, 'link', { rel: 'preconnect', href: origin, crossorigin: '' });
  };
  const headStart = async (el, held, fn) => {
    const endpoint = endpointOf(el);
    if (!endpoint || typeof AbortSignal.timeout !== 'function' || visitCached()) return null;
    const token = await tokenNow(el, held, fn);
    if (!token) return null;
    const { lang } = langOf(el);
    const answers = {};
    for (const route of ROUTES) {
      const url = `${endpoint.raw}/v1${route}?lang=${lang}`;
      answers[url] = fetch(url, {
        headers: { Accept: 'application/json', Authorization: `Bearer ${token}` },
        cache: 'no-store',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      }).then(readAhead);
      // Not taken over (the customer changed, say): no unhandled rejection.
      answers[url].catch(() => {});
    }
    return { token, answers };
  };

  // A shop's `texts` override of the title (for this language, or for all)
  // names the launcher too.
  const titleOf = (el, lang, pack) => {
    try {
      const texts = JSON.parse(el.getAttribute('texts') || '{}');
      for (const title of [texts[lang] && texts[lang].title, texts.title]) {
        if (typeof title === 'string' && title.trim()) return title.trim();
      }
    } catch (_) { /* the widget reports bad texts itself */ }
    return say(pack, TITLE);
  };

  const make = (parent, tag, attrs = {}, text = '') => {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
    if (text) el.textContent = text;
    if (parent) parent.append(el);
    return el;
  };

  const STAR = 'M12 2l2.9 6.9 7.1.6-5.4 4.7 1.7 7-6.3-3.9-6.3 3.9 1.7-7L2 9.5l7.1-.6z';

  const guard = (what, fn) => {
    try {
      return fn();
    } catch (err) {
      log('error', `${what} failed: ${err && err.message ? err.message : err}`);
      return undefined;
    }
  };

  class LoyaltyWidgetElement extends HTMLElement {
    #token = undefined;
    #tokenFn = undefined;
    #widget = null;
    #slot = null;
    #launcher = null;
    #panel = null;
    #observer = null;
    #wantsOpen = false;

    static get observedAttributes() {
      return ['token'];
    }

    // A token given as an attribute is taken into memory and removed from
    // the page at once (frameworks that re-render it switch the customer).
    attributeChangedCallback(name, _old, value) {
      if (name !== 'token' || value === null) return;
      this.removeAttribute('token');
      guard('setToken', () => this.setToken(value));
    }

    connectedCallback() {
      guard('mounting', () => this.#setup());
    }

    // A single-page shop removed the element: unmount everything it owns.
    disconnectedCallback() {
      guard('unmounting', () => this.#teardown());
    }

    #mode() {
      return (this.getAttribute('mode') || 'inline').trim();
    }

    #setup() {
      if (this.#slot) return;
      const mode = this.#mode();
      const { lang } = langOf(this);
      const dir = RTL.includes(lang) ? 'rtl' : 'ltr';
      const root = this.shadowRoot || this.attachShadow({ mode: 'open' });
      root.replaceChildren();
      adopt(root);
      if (!(this.getAttribute('endpoint') || '').trim()) {
        return this.#configError('"endpoint" is required (the URL of your loyalty endpoint)', root, lang);
      }
      if (!MODES.includes(mode)) {
        return this.#configError(`"mode" must be "inline" or "launcher", not "${mode}"`, root, lang);
      }
      // The connection to the endpoint is open before the widget asks.
      const endpoint = endpointOf(this);
      if (endpoint) preconnect(endpoint.origin);
      // The language's own direction, whatever the shop's page does.
      this.#slot = make(null, 'div', { class: 'lw-root', dir, lang });
      const loading = make(null, 'span', { class: 'sr' });
      make(this.#slot, 'div', { class: 'reserve', role: 'status' }).append(loading);
      const slot = this.#slot;
      packOf(lang).then((pack) => { if (slot === this.#slot) loading.textContent = say(pack, LOADING); });
      this.dataset.state = 'loading';
      if (mode === 'launcher' && launcherOwner && launcherOwner !== this && launcherOwner.isConnected
        && !this.hasAttribute('allow-second-launcher')) {
        log('warn', 'this page already has a launcher, so this one stays hidden '
          + '(a script tag and a <loyalty-widget mode="launcher"> on one page?); add allow-second-launcher to show both');
        this.#slot = null;
        this.dataset.state = 'second-launcher';
        return undefined;
      }
      if (mode === 'launcher') {
        launcherOwner = launcherOwner && launcherOwner.isConnected ? launcherOwner : this;
        this.#place();
        // Drawn in the shop's language: its pack is fetched now (a few KB,
        // cached for good), English at once.
        packOf(lang).then((pack) => guard('drawing the launcher', () => {
          if (slot === this.#slot && !this.#launcher) this.#drawLauncher(root, lang, dir, pack);
        }));
      } else {
        root.append(this.#slot);
        // The observer answers after the frame the shop paints now, so the
        // shop's own first paint never waits for the widget's requests.
        this.#whenNear(() => this.#mountWidget());
      }
    }

    // An inline widget below the fold costs nothing until the customer
    // scrolls near it.
    #whenNear(then) {
      if (!win.IntersectionObserver) return then();
      this.#observer = new IntersectionObserver((entries) => {
        if (!entries.some((entry) => entry.isIntersecting)) return;
        this.#observer.disconnect();
        this.#observer = null;
        then();
      }, { rootMargin: '400px 0px' });
      this.#observer.observe(this);
      return undefined;
    }

    // Where the launcher sits: `corner` and `offset-x`/`offset-y` (pixels
    // from that corner's edges), as custom properties the sheet reads.
    #place() {
      const corner = (this.getAttribute('corner') || '').trim();
      if (corner && !CORNERS.includes(corner)) {
        log('warn', `"corner" must be ${CORNERS.map((c) => `"${c}"`).join(', ')}, not "${corner}"; using "bottom-right"`);
        this.removeAttribute('corner');
      }
      for (const [attribute, property] of [['offset-x', '--lw-x'], ['offset-y', '--lw-y']]) {
        const raw = this.getAttribute(attribute);
        if (raw === null || raw.trim() === '') continue;
        const pixels = Number(raw);
        if (Number.isInteger(pixels) && pixels >= 0 && pixels <= 400) this.style.setProperty(property, `${pixels}px`);
        else log('warn', `"${attribute}" must be a whole number of pixels from 0 to 400, not "${raw}"; using 16`);
      }
    }

    #drawLauncher(root, lang, dir, pack) {
      const title = titleOf(this, lang, pack);
      const button = make(root, 'button', {
        type: 'button', class: 'launcher', 'aria-expanded': 'false', 'aria-controls': 'lw-panel', part: 'launcher', dir, lang,
      });
      const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
      svg.setAttribute('viewBox', '0 0 24 24');
      svg.setAttribute('aria-hidden', 'true');
      const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
      path.setAttribute('d', STAR);
      svg.append(path);
      button.append(svg, make(null, 'span', {}, title));
      // A guest who came through a friend's referral link: the launcher
      // says a gift waits (the panel's guest view says which).
      if (this.#invited()) button.append(make(null, 'span', { class: 'gift' }, say(pack, GIFT)));
      const panel = make(root, 'div', {
        id: 'lw-panel', class: 'panel', role: 'dialog', 'aria-label': title, tabindex: '-1', hidden: '', dir, lang,
      });
      const close = make(panel, 'button', { type: 'button', class: 'close', 'aria-label': say(pack, CLOSE) }, '×');
      panel.append(this.#slot);
      // The first interaction fetches the widget; the click opens it.
      const warm = () => this.#mountWidget();
      button.addEventListener('pointerenter', warm, { once: true });
      button.addEventListener('focus', warm, { once: true });
      button.addEventListener('click', () => (this.#isOpen() ? this.close() : this.open()));
      close.addEventListener('click', () => this.close());
      panel.addEventListener('keydown', (event) => {
        if (event.key === 'Escape' && !event.defaultPrevented) this.close();
      });
      if (TOP_LAYER) {
        button.setAttribute('popover', 'manual');
        panel.setAttribute('popover', 'manual');
        lift(button);
      }
      this.#launcher = button;
      this.#panel = panel;
      if (this.#wantsOpen) this.open();
    }

    // A guest (no token of any kind) with a referral code: the attribute,
    // or in the page's address `?ref=`, or another app's old link's
    // parameter (the widget's own rule: REFERRAL_PARAMS in crates/core).
    #invited() {
      if (usable(this.#token) || this.#tokenFn || this.hasAttribute('token-url')) return false;
      const query = new URLSearchParams(location.search);
      const fromLink = ['ref', 'referral_code', 'll_ref_id']
        .map((name) => query.get(name))
        .find((code) => /^[A-Za-z0-9_-]{1,64}$/.test((code ?? '').trim()));
      const code = this.getAttribute('referral-code') ?? fromLink ?? '';
      return /^[A-Za-z0-9_-]{1,64}$/.test(code.trim());
    }

    #configError(message, root, lang) {
      log('error', message);
      this.dataset.state = 'config-error';
      // A launcher with a broken configuration stays out of sight; an inline
      // embed says quietly that rewards are unavailable.
      if (this.#mode() !== 'launcher') {
        const failed = make(root, 'p', { class: 'failed', lang }, TEXT[FAILED]);
        packOf(lang).then((pack) => { failed.textContent = say(pack, FAILED); });
      }
      this.#emit('error', { reason: 'config', message });
    }

    #emit(name, detail) {
      this.dispatchEvent(new CustomEvent(`${TAG}:${name}`, { detail, bubbles: true, composed: true }));
    }

    #mountWidget() {
      const slot = this.#slot;
      if (!slot || this.#widget || slot.dataset.loading) return;
      slot.dataset.loading = 'true';
      // Everything at once: the wasm (the longest download) first, then the
      // glue and the first answers.
      const loading = load();
      const token = this.#token;
      const fn = this.#tokenFn;
      const early = headStart(this, token, fn).catch(() => null);
      // The language's pack, beside them: it adds nothing to the wait.
      const { lang, locale } = langOf(this);
      const pack = packOf(lang);
      // The browser's first number and date formats load its locale data
      // (tens of ms of main thread): done right after the requests are
      // sent, while the network works, not once the answers or the wasm
      // are in. The widget's own formats (src/edge/intl.rs) then cost
      // little.
      early.then(() => guard('warming Intl', () => {
        new Intl.NumberFormat(locale).format(1);
        new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(0);
      }));
      Promise.all([loading, early, pack]).then(([glue, head, texts]) => {
        delete slot.dataset.loading;
        if (slot !== this.#slot || this.#widget) return;
        const emit = (name, detail) => this.#emit(name, detail);
        // Another customer since the head start began: it is not theirs.
        const ours = head && token === this.#token && fn === this.#tokenFn;
        const start = ours && !usable(token) ? head.token : this.#token;
        this.#widget = new glue.Widget(this, slot, start, this.#tokenFn, emit, ours ? head : undefined, texts || undefined);
      }).catch((err) => {
        delete slot.dataset.loading;
        if (slot !== this.#slot) return;
        log('error', `could not load the widget: ${err && err.message ? err.message : err}`);
        this.dataset.state = 'load-error';
        const failed = make(null, 'p', { class: 'failed', role: 'status' }, TEXT[FAILED]);
        slot.replaceChildren(failed);
        pack.then((texts) => { failed.textContent = say(texts, FAILED); });
        this.#emit('error', { reason: 'load', message: String(err) });
      });
    }

    #isOpen() {
      return !!this.#panel && !this.#panel.hidden;
    }

    #teardown() {
      if (launcherOwner === this) launcherOwner = null;
      if (this.#observer) this.#observer.disconnect();
      this.#observer = null;
      if (this.#widget) {
        this.#widget.destroy();
        this.#widget.free();
      }
      this.#widget = null;
      this.#slot = null;
      this.#launcher = null;
      this.#panel = null;
      if (this.shadowRoot) this.shadowRoot.replaceChildren();
      delete this.dataset.state;
    }

    /** Opens the panel (launcher mode). */
    open() {
      guard('open', () => {
        // Asked before the launcher is drawn (its pack on its way): opens then.
        this.#wantsOpen = !this.#panel && !!this.#slot;
        if (!this.#panel || this.#isOpen()) return;
        // A page zoomed on its root (CSS zoom) scales the panel's lengths,
        // viewport units too: the sheet divides its viewport sizes by it.
        this.style.setProperty('--lw-zoom', String(this.#launcher.currentCSSZoom || 1));
        this.#panel.hidden = false;
        lift(this.#panel);
        this.#launcher.setAttribute('aria-expanded', 'true');
        this.#mountWidget();
        this.#panel.focus();
        this.#emit('open', {});
      });
    }

    /** Closes the panel and gives focus back to the launcher. */
    close() {
      guard('close', () => {
        this.#wantsOpen = false;
        if (!this.#isOpen()) return;
        lower(this.#panel);
        this.#panel.hidden = true;
        this.#launcher.setAttribute('aria-expanded', 'false');
        this.#launcher.focus();
        this.#emit('close', {});
      });
    }

    /** Loads the data again (cheap: cached answers are revalidated). */
    refresh() {
      guard('refresh', () => this.#widget && this.#widget.refresh());
    }

    /**
     * Switches the customer: a token string, or a function returning a
     * token (or a promise of one), called again when the token expires.
     * `null` shows the guest view.
     */
    setToken(token) {
      guard('setToken', () => {
        if (typeof token === 'function') {
          this.#token = undefined;
          this.#tokenFn = token;
        } else if (typeof token === 'string' && token) {
          this.#token = token;
          this.#tokenFn = undefined;
        } else if (token == null || token === '') {
          this.#token = undefined;
          this.#tokenFn = undefined;
        } else {
          log('error', 'setToken expects a token string, a function or null');
          return;
        }
        if (this.#widget) this.#widget.setToken(this.#token, this.#tokenFn);
      });
    }

    /** Forgets the customer and their cached data; shows the guest view. */
    logout() {
      guard('logout', () => {
        this.#token = undefined;
        this.#tokenFn = undefined;
        if (this.#widget) this.#widget.logout();
      });
    }

    /** Unmounts the widget and removes the element from the page. */
    destroy() {
      guard('destroy', () => {
        this.#teardown();
        this.remove();
      });
    }
  }

  // Options of init() and the script tag's data attributes, as attributes.
  const ATTRIBUTES = {
    endpoint: 'endpoint', lang: 'lang', theme: 'theme', mode: 'mode', tokenUrl: 'token-url',
    joinUrl: 'join-url', signinUrl: 'signin-url', texts: 'texts',
    corner: 'corner', offsetX: 'offset-x', offsetY: 'offset-y', referralCode: 'referral-code',
  };

  // Our element's tag: <loyalty-widget>, unless another script on the page
  // has already defined that name. Then the script tag and init() use
  // <loyalty-widget-embed> and say so once; the page's own <loyalty-widget>
  // elements belong to that other script and stay as they are.
  let tag = TAG;
  if (customElements.get(TAG)) {
    tag = `${TAG}-embed`;
    log('error', `another script already defined <${TAG}>, so <${TAG}> elements on this page are not this widget. `
      + `The script tag and LoyaltyWidget.init() still work (as <${tag}>); in your page's HTML, write <${tag}> instead.`);
  }
  const all = () => Array.from(document.querySelectorAll(tag));
  let initialized = null;

  const api = {
    /**
     * Creates the widget from options (see README.md). A second call returns
     * the same widget, switching the customer if a new token is given.
     */
    init(options = {}) {
      return guard('init', () => {
        if (initialized && initialized.isConnected) {
          if ('token' in options) initialized.setToken(options.token);
          return initialized;
        }
        const el = document.createElement(tag);
        for (const [option, attribute] of Object.entries(ATTRIBUTES)) {
          let value = options[option];
          if (value == null) continue;
          if (option === 'texts' && typeof value === 'object') value = JSON.stringify(value);
          el.setAttribute(attribute, String(value));
        }
        let target = options.target;
        if (typeof target === 'string') target = document.querySelector(target);
        if (options.target && !target) log('warn', `init: no element matches target ${JSON.stringify(options.target)}; using a launcher`);
        if (!el.hasAttribute('mode')) el.setAttribute('mode', target ? 'inline' : 'launcher');
        if (options.token != null) el.setToken(options.token);
        (target || document.body).append(el);
        initialized = el;
        return el;
      });
    },
    open: () => all().forEach((el) => el.open()),
    close: () => all().forEach((el) => el.close()),
    refresh: () => all().forEach((el) => el.refresh()),
    setToken: (token) => all().forEach((el) => el.setToken(token)),
    logout: () => all().forEach((el) => el.logout()),
    destroy: () => {
      all().forEach((el) => el.destroy());
      initialized = null;
    },
    instances: all,
  };

  win.LoyaltyWidget = Object.freeze(api);
  guard('defining <loyalty-widget>', () => {
    if (!customElements.get(tag)) customElements.define(tag, LoyaltyWidgetElement);
  });

  // The one-tag embed: <script async src=".../loyalty-widget.js" data-endpoint=...>.
  if (script && script.dataset.endpoint !== undefined) {
    const data = script.dataset;
    const options = {};
    for (const option of Object.keys(ATTRIBUTES)) if (data[option] !== undefined) options[option] = data[option];
    if (data.token) options.token = data.token;
    if (data.target) options.target = data.target;
    script.removeAttribute('data-token');
    const start = () => api.init(options);
    if (document.body) start();
    else document.addEventListener('DOMContentLoaded', start, { once: true });
  }
})();
