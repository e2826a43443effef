// The benchmark's baseline: what a careful developer would write by hand
// without Rust, Leptos or WebAssembly. A custom element that asks the same
// three routes of the same endpoint with the same token, all at once, and
// renders the same first screen as the widget: the balance, the progress to
// the next tier, the referral link with a copy button and the members'
// offers. It is honest about the basics (a shadow root, escaped text, a
// translated locale, an error line) and leaves out what the widget adds on
// top (retries, visit cache, redeeming, history, events), so it is the
// fastest a first screen can reasonably be. Only bench/ uses it.
(() => {
  const de = /^de\b/i.test(document.documentElement.lang);
  const number = new Intl.NumberFormat(de ? 'de-DE' : 'en-GB');
  const T = de
    ? { points: 'Punkte', to: (n, tier) => `Noch ${n} Punkte bis ${tier}`, copy: 'Kopieren', offers: 'Clubangebote', failed: 'Prämien sind gerade nicht verfügbar.' }
    : { points: 'points', to: (n, tier) => `${n} points to ${tier}`, copy: 'Copy', offers: 'Club offers', failed: 'Rewards are not available right now.' };
  const CSS = ':host{display:block;font:16px/1.5 system-ui,sans-serif;border:1px solid #d9d2cb;border-radius:12px;padding:1em;max-width:40em;min-height:12em}'
    + '.balance{font-size:2em;font-weight:700}progress{width:100%}ul{padding-left:1.2em}';

  const el = (tag, attrs = {}, text = '') => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text) node.textContent = text;
    return node;
  };

  class VanillaLoyalty extends HTMLElement {
    connectedCallback() {
      const token = this.getAttribute('token');
      this.removeAttribute('token');
      const endpoint = (this.getAttribute('endpoint') || '').replace(/\/+$/, '');
      const lang = de ? 'de' : 'en';
      this.root = this.attachShadow({ mode: 'open' });
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      this.root.adoptedStyleSheets = [sheet];
      const get = (path) => fetch(`${endpoint}/v1/${path}?lang=${lang}`, {
        headers: { Accept: 'application/json', Authorization: `Bearer ${token}` },
        cache: 'no-store',
      }).then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`))));
      const [customer, program, offers] = ['customer', 'program', 'offers'].map(get);
      customer.then((summary) => this.summary(summary), () => this.failed());
      Promise.all([customer, program, offers]).then(([summary, prog, list]) => {
        this.rest(summary, prog, list);
        this.dataset.state = 'complete';
      }, () => this.failed());
    }

    summary(s) {
      const balance = el('p', { class: 'balance', 'data-testid': 'balance' }, `${number.format(s.points.approved)} ${T.points}`);
      this.root.replaceChildren(el('h2', {}, s.first_name || ''), balance);
    }

    rest(s, program, list) {
      const tier = s.tier;
      const next = tier && program.tiers.find((t) => t.id === tier.next_tier_id);
      if (next) {
        const progress = el('progress', { max: String(next.threshold), value: String(tier.value) });
        this.root.append(progress, el('p', {}, T.to(number.format(tier.needed_for_upgrade), next.name)));
      }
      if (s.referral) {
        const input = el('input', { readonly: '', value: s.referral.url, 'aria-label': 'Link' });
        const copy = el('button', { type: 'button' }, T.copy);
        copy.addEventListener('click', () => navigator.clipboard.writeText(s.referral.url));
        this.root.append(el('p', {}, program.referral_text || ''), input, copy);
      }
      const ul = el('ul', { 'data-testid': 'offers' });
      for (const offer of list.offers) ul.append(el('li', {}, offer.title));
      this.root.append(el('h3', {}, T.offers), ul);
    }

    failed() {
      console.error('[vanilla-loyalty] could not load');
      this.root.replaceChildren(el('p', {}, T.failed));
    }
  }
  customElements.define('vanilla-loyalty', VanillaLoyalty);
})();
