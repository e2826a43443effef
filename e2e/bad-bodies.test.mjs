// Malformed and hostile answers to GET /v1/customer, served by the reference
// endpoint's `bodies` fault after its real token check: HTML, truncated and
// empty bodies, wrong types, missing fields, negative, huge, fractional and
// NaN-like numbers, enormous strings and arrays, deep nesting, unknown enum
// values. A broken core (the balance, the state, club membership) must become
// the translated "data we can't show" notice with a retry button: no number
// on screen, no uncaught error in the page. A broken optional part (a date,
// a link, an expiring entry, the referral or tier block, one reward or
// offer; issue #32) is left out alone: the right balance shows, the part is
// absent, there is no notice, and exactly one console line names the field.
// What a newer contract version may send (an unknown customer state, extra
// fields) is tolerated: the right balance must show. A program or offers
// list broken at its core leaves the balance and adds a notice with a retry.
// Every count is grouped in the customer's number format (en, de, pl).
//
// Run alone: node --test e2e/bad-bodies.test.mjs (Chromium and Firefox; the
// time-zone cases in Chromium, which emulates zones). It starts one endpoint
// (--demo --static dist --fault-control) on a free port for both browsers:
// the answers it sends are set per test, nothing is written.
import { after, describe } from 'node:test';
import { browsers, session, setFaults, settled, startEndpoint, until, waitForIdle } from './lib/fixture.mjs';

const endpoint = await startEndpoint({ name: 'bad-bodies', args: ['--demo', '--static', 'dist', '--fault-control'] });
const base = endpoint.url;
const { token } = await (await fetch(`${base}/_demo/token?customer=cust-anna`)).json();
const real = await (await fetch(`${base}/v1/customer?lang=en`, { headers: { authorization: `Bearer ${token}` } })).text();

const edit = (fn) => {
  const body = JSON.parse(real);
  fn(body);
  return JSON.stringify(body);
};
const nested = (depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

export const BODIES = {
  'an HTML maintenance page': '<!doctype html><html><body><h1>Maintenance</h1></body></html>',
  'a body cut in half': real.slice(0, Math.floor(real.length / 2)),
  'an empty body': '',
  'null': 'null',
  'an array instead of an object': '[]',
  'points as a string': edit((b) => { b.points.approved = '1250'; }),
  'points missing': edit((b) => { delete b.points; }),
  'negative points': edit((b) => { b.points.approved = -5; }),
  'astronomically many points': edit((b) => { b.points.approved = 1e300; }),
  'fractional points': edit((b) => { b.points.approved = 12.5; }),
  'NaN as a bare token': real.replace('"approved":1250', '"approved":NaN'),
  'Infinity as a bare token': real.replace('"approved":1250', '"approved":Infinity'),
  'nesting 100,000 deep': `{"state":"member","points":${nested(100000)}}`,
  'points as an empty array': edit((b) => { b.points = []; }),
  'the club as an array': edit((b) => { b.club = [true]; }),
  'a number as the state': edit((b) => { b.state = 7; }),
};

// Optional parts broken, the core fine (issue #32): [route, body, the field
// the one console line names, a check run in the page (with `root()`, the
// widget's shadow root, and `arg`) that returns what is wrong: '' when the
// bad part is absent and the rest is there].
const expiringGone = () => {
  const shown = [...root().querySelectorAll('[data-testid=expiring]')].map((e) => e.textContent);
  return shown.some((t) => t.includes('200 points')) ? `the bad entry is shown: ${shown.join(' | ')}` : '';
};
const referralWithoutLink = () => {
  if (root().querySelector('[data-testid=referral-url]')) return 'the bad link is shown';
  if (root().innerHTML.includes('javascript:')) return 'the bad link reached the page';
  return root().querySelector('[data-testid=referral-code]')?.textContent.trim() === 'ANNA10' ? '' : 'the referral code is missing';
};
const noReferral = () => (root().querySelector('[data-testid=referral-code], [data-testid=friends]') ? 'the referral block is shown' : '');
const noTier = () => (root().querySelector('[data-testid=tier]') ? 'the tier is shown' : '');
const noGreeting = () => (root().textContent.includes('AAAAAAAAAA') ? 'the name is shown' : '');
const noWorth = () => (root().textContent.includes('Worth') ? 'the money value is shown' : '');
const rewardGone = (id) => (root().querySelector(`[data-reward="${id}"]`) ? `the reward ${id} is shown` : '');
const textGone = (text) => (root().textContent.includes(text) ? `"${text}" is shown` : '');
export const LEFT_OUT = {
  ...Object.fromEntries(['31.12.2026', '2026/12/31', 'Dec 31', '2026-02-30', '0', 0, '2026-12'].map((at) => [
    `the expiry date ${JSON.stringify(at)}`,
    ['/v1/customer', edit((b) => { b.points.expiring[0].at = at; }), 'points.expiring.at', expiringGone],
  ])),
  'an expiring entry that is a number': ['/v1/customer', edit((b) => { b.points.expiring[0] = 7; }), 'points.expiring', expiringGone],
  'an expiring entry with points as text': ['/v1/customer', edit((b) => { b.points.expiring[0].points = 'many'; }), 'points.expiring', expiringGone],
  '100,000 expiring entries': ['/v1/customer', edit((b) => { b.points.expiring = Array(100000).fill(b.points.expiring[0]); }), 'points.expiring', expiringGone],
  'a referral link that is javascript:': ['/v1/customer', edit((b) => { b.referral.url = 'javascript:alert(1)'; }), 'referral.url', referralWithoutLink],
  'a referral link without a scheme': ['/v1/customer', edit((b) => { b.referral.url = 'shop.example/?ref=ANNA10'; }), 'referral.url', referralWithoutLink],
  'a referral block that is a string': ['/v1/customer', edit((b) => { b.referral = 'ANNA10'; }), 'referral', noReferral],
  'a referral block without its code': ['/v1/customer', edit((b) => { delete b.referral.code; }), 'referral', noReferral],
  'a negative friends count': ['/v1/customer', edit((b) => { b.referral.friends_joined = -1; }), 'referral', noReferral],
  'a 100,000-character name': ['/v1/customer', edit((b) => { b.first_name = 'A'.repeat(100000); }), 'first_name', noGreeting],
  'an unknown tier kind': ['/v1/customer', edit((b) => { b.tier.kind = 'karma'; }), 'tier', noTier],
  'a number where the tier belongs': ['/v1/customer', edit((b) => { b.tier = 7; }), 'tier', noTier],
  'a malformed currency': ['/v1/customer', edit((b) => { b.points_value.currency = '<b>€</b>'; }), 'points_value', noWorth],
};

const program = await (await fetch(`${base}/v1/program?lang=en`)).json();
const offers = await (await fetch(`${base}/v1/offers?lang=en`, { headers: { authorization: `Bearer ${token}` } })).json();
const variant = (value, fn) => {
  const copy = structuredClone(value);
  fn(copy);
  return JSON.stringify(copy);
};

// The program or the offers broken, the balance fine: the balance must show,
// with the notice that some rewards can't be shown (and its retry).
export const PARTIAL = {
  'the program as an HTML page': ['/v1/program', '<html><body>502 Bad Gateway</body></html>'],
  'the program cut in half': ['/v1/program', JSON.stringify(program).slice(0, 200)],
  'a program without a name': ['/v1/program', variant(program, (p) => { delete p.name; })],
  'offers as a number': ['/v1/offers', '42'],
};
Object.assign(LEFT_OUT, {
  'a reward costing a string': ['/v1/program', variant(program, (p) => { p.rewards[0].points_price = 'free'; }), 'rewards', rewardGone, program.rewards[0].id],
  '600 rewards': ['/v1/program', variant(program, (p) => { p.rewards = Array(600).fill(p.rewards[0]); }), 'rewards', rewardGone, program.rewards[0].id],
  'an offer with a 5,000-character title': ['/v1/offers', variant(offers, (o) => { o.offers[0].title = 'x'.repeat(5000); }), 'offers.title', textGone, 'xxxxxxxxxx'],
  'an offer link that is javascript:': ['/v1/offers', variant(offers, (o) => { o.offers.forEach((x) => { x.cta_url = 'javascript:alert(1)'; }); }), 'offers.cta_url',
    () => (root().innerHTML.includes('javascript:') ? 'the bad link reached the page' : '')],
});

// Forward compatible, or valid against the contract's JSON Schema however
// it is spelled: these must show Anna's real balance with no notice.
export const TOLERATED = {
  'an unknown customer state (a newer contract)': edit((b) => { b.state = 'paused'; }),
  'unknown extra fields': edit((b) => { b.loyalty_v2 = { anything: [1, 2, 3] }; b.points.bonus = 5; }),
  'approved written as 1250.0': real.replace('"approved":1250,', '"approved":1250.0,'),
  'approved written as 1.25e3': real.replace('"approved":1250,', '"approved":1.25e3,'),
  'a name of 2,000 umlauts': edit((b) => { b.first_name = 'ä'.repeat(2000); }),
  'a lone surrogate escape in the name': real.replace('"first_name":"Anna"', '"first_name":"\\ud800Anna"'),
  'friends_joined of 2^32': edit((b) => { b.referral.friends_joined = 2 ** 32; }),
  'a pitch of 700 CJK characters': ['/v1/program', variant(program, (p) => { p.pitch = '漢'.repeat(700); })],
  'a tier threshold written as 1000.0': ['/v1/program', JSON.stringify(program).replace(/"threshold":(\d+)([,}])/, '"threshold":$1.0$2')],
};

const cases = [
  ...Object.entries(BODIES).map(([name, body]) => ({ name, body, expect: 'refused' })),
  ...Object.entries(TOLERATED).map(([name, body]) => (Array.isArray(body)
    ? { name, route: body[0], body: body[1], expect: 'tolerated' }
    : { name, body, expect: 'tolerated' })),
  ...Object.entries(PARTIAL).map(([name, [route, body]]) => ({ name, body, route, expect: 'partial' })),
  ...Object.entries(LEFT_OUT).map(([name, [route, body, field, absent, arg]]) => ({ name: `left out: ${name}`, body, route, expect: 'left out', field, absent, arg })),
];

// Long words: German compounds as a reward title and a tier name, and an
// unbroken code, on a 320 px phone. Nothing the endpoint sends may leave the
// widget's box or cover a control.
const compound = 'Kaffeebohnenröstmaschinenreinigungsgutscheinheft'; // 48 letters
const longWords = [
  ['/v1/program', variant(program, (p) => {
    p.rewards[0].title = compound;
    p.tiers[1].name = 'Silberkaffeeliebhabergemeinschaftsmitglied';
    p.tiers[1].perks = [compound + compound];
  })],
  ['/v1/offers', variant(offers, (o) => { o.offers[0].title = compound; o.offers[0].description = 'x'.repeat(300); })],
];

// Dates: a calendar date is that day everywhere; an instant is its day in
// the customer's time zone (Chromium emulates the zone).
const dates = [
  ['2027-01-01T00:00:00+01:00', 'Europe/Berlin', 'Jan 1, 2027'],
  ['2027-01-01T00:00:00+01:00', 'America/New_York', 'Dec 31, 2026'],
  ['2026-12-31', 'Pacific/Kiritimati', 'Dec 31, 2026'],
  ['2026-12-31', 'Pacific/Pago_Pago', 'Dec 31, 2026'],
  ['2026-12-31T00:00:00', 'America/Los_Angeles', 'Dec 31, 2026'],
];

/** Waits for fn in the page (20 s at most) and returns its value. */
const shown = (page, fn, arg, what) => until(page, fn, arg, what);

describe('malformed and hostile bodies', () => {
  after(() => endpoint.stop());

  for (const browserName of browsers()) {
    describe(`malformed and hostile bodies (${browserName}): ${Object.keys(BODIES).length} summaries refused with the data notice, ${Object.keys(TOLERATED).length} tolerated with the right balance, ${Object.keys(LEFT_OUT).length} with one optional part left out and named, ${Object.keys(PARTIAL).length} broken programs or offers explained beside the right balance, ${longWords.length} long-word layouts at 320 px`, () => {
      const s = session({ browser: browserName });
      /** A test with the endpoint answering `bodies` (reset after). */
      const check = (name, bodies, fn, options) => s.check(name, async (page, w, t) => {
        await setFaults(base, { bodies });
        try {
          await fn(page, w, t);
        } finally {
          await setFaults(base, {});
        }
      }, options);

      for (const { name, body, expect, route = '/v1/customer', field, absent, arg } of cases) {
        check(name, { [route]: body }, async (page, w) => {
          const lines = [];
          page.on('console', (message) => { if (message.text().startsWith('[loyalty-widget]')) lines.push(message.text()); });
          await page.goto(`${base}/examples/hostile-baseline.html?customer=cust-anna`);
          const seen = await shown(page, (want) => {
            const root = document.querySelector('loyalty-widget')?.shadowRoot;
            const notice = root?.querySelector('.lw-error');
            const balance = root?.querySelector('[data-testid=balance]')?.textContent.trim() ?? null;
            const partial = root?.querySelector('.lw-partial')?.textContent.trim() ?? null;
            if (notice) return { notice: notice.textContent.trim(), balance, partial };
            if (want === 'partial') return partial ? { notice: null, balance, partial } : null;
            return balance ? { notice: null, balance, partial } : null;
          }, expect, expect === 'partial' ? 'the partial notice' : 'the balance or the notice');
          const errors = await page.evaluate(() => window.__lw.errors);
          const problems = [];
          if (expect === 'left out') {
            // The rest of the answer is drawn in the same frame as the balance;
            // the program and offers follow, so wait for the rewards too, and
            // for every answer to be in and drawn.
            await shown(page, () => !!document.querySelector('loyalty-widget').shadowRoot
              .querySelector('[data-testid=reward], [data-testid=offer]'), null, 'the rewards or offers');
            await waitForIdle(w);
            await settled(page);
            const wrong = await page.evaluate(`(() => {
              const root = () => document.querySelector('loyalty-widget').shadowRoot;
              return (${absent})(${JSON.stringify(arg ?? null)});
            })()`);
            if (wrong) problems.push(wrong);
            if (seen.partial) problems.push(`partial notice: ${seen.partial}`);
            const named = lines.filter((line) => line.includes(`left out ${field} `));
            if (named.length !== 1 || lines.length !== 1) problems.push(`console: ${JSON.stringify(lines)} (want one line naming ${field})`);
          }
          if (expect === 'tolerated' || expect === 'partial' || expect === 'left out') {
            if (!seen.balance || !seen.balance.includes('1,250')) problems.push(`balance: ${seen.balance}`);
            if (seen.notice) problems.push(`notice: ${seen.notice}`);
          }
          if (expect === 'partial' && !(seen.partial || '').includes("Some of your rewards can't be shown right now.Try again")) {
            problems.push(`partial notice: ${seen.partial}`);
          }
          if (expect === 'refused') {
            if (seen.balance) problems.push(`a balance is on screen: ${seen.balance}`);
            if (!seen.notice || !seen.notice.includes("The rewards service sent data we can't show.")) problems.push(`notice: ${seen.notice}`);
            if (seen.notice && !seen.notice.includes('Try again')) problems.push('no retry button');
          }
          if (errors.length) problems.push(`uncaught: ${errors.join(' | ')}`);
          if (problems.length) throw new Error(problems.join('; '));
        });
      }

      for (const [route, body] of longWords) {
        check(`long words in ${route} at 320 px: everything stays in the widget, no control covered`, { [route]: body }, async (page) => {
          await page.goto(`${base}/examples/hostile-baseline.html?customer=cust-anna&lang=de`);
          await shown(page, () => document.querySelector('loyalty-widget')?.shadowRoot
            ?.querySelectorAll('[data-testid=rewards] li, [data-testid=offers] li').length, null, 'the rewards and offers');
          const problems = await page.evaluate(() => {
            const root = document.querySelector('loyalty-widget').shadowRoot;
            const frame = root.querySelector('.lw').getBoundingClientRect();
            const out = [];
            for (const el of root.querySelectorAll('.lw *')) {
              const r = el.getBoundingClientRect();
              if (r.width === 0 || getComputedStyle(el).visibility === 'hidden') continue;
              if (r.right > frame.right + 0.5 || r.left < frame.left - 0.5) {
                out.push(`${el.tagName.toLowerCase()}.${el.className} spans ${Math.round(r.left)}-${Math.round(r.right)} outside ${Math.round(frame.left)}-${Math.round(frame.right)}`);
              }
              if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible') {
                out.push(`${el.tagName.toLowerCase()}.${el.className} is cut off (${el.scrollWidth} > ${el.clientWidth})`);
              }
            }
            for (const button of root.querySelectorAll('.lw button')) {
              const r = button.getBoundingClientRect();
              if (r.width === 0) continue;
              button.scrollIntoView({ block: 'center' });
              const b = button.getBoundingClientRect();
              const hit = root.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2);
              if (!hit || !(hit === button || button.contains(hit))) out.push(`the button "${button.textContent.trim()}" is covered by ${hit && hit.tagName}`);
            }
            return out;
          });
          if (problems.length) throw new Error(problems.slice(0, 3).join('; '));
        }, { viewport: { width: 320, height: 640 } });
      }

      // A program that breaks its own rules: tiers highest first, a tier and a
      // reward listed twice. The widget reads tiers in threshold order and keeps
      // the first of each id: Anna (Silver) may redeem a Bronze reward, three
      // tiers are listed, every element id is unique.
      const unruly = variant(program, (p) => {
        p.tiers.reverse();
        p.tiers.push({ ...p.tiers[0], name: 'Gold again' });
        p.rewards[1].min_tier_id = 'bronze';
        p.rewards.push({ ...p.rewards[1], title: 'the same id again' });
      });
      check('tiers listed highest first, a tier and a reward listed twice: read by threshold, first of each id', { '/v1/program': unruly }, async (page) => {
        await page.goto(`${base}/examples/hostile-baseline.html?customer=cust-anna`);
        await shown(page, () => document.querySelector('loyalty-widget')?.shadowRoot
          ?.querySelectorAll('[data-testid=reward]').length, null, 'the rewards');
        const seen = await page.evaluate((id) => {
          const root = document.querySelector('loyalty-widget').shadowRoot;
          const ids = [...root.querySelectorAll('[id]')].map((el) => el.id);
          const reward = root.querySelectorAll(`[data-reward="${id}"]`);
          const button = reward[0]?.querySelector('button');
          return {
            duplicateIds: ids.filter((x, i) => ids.indexOf(x) !== i),
            rewards: reward.length,
            locked: !button || button.disabled,
            lock: reward[0]?.querySelector('.lw-lock')?.textContent.trim(),
            tiers: root.querySelectorAll('[data-testid=tiers] > li').length,
            text: root.textContent,
          };
        }, program.rewards[1].id);
        const problems = [];
        if (seen.duplicateIds.length) problems.push(`duplicate element ids: ${seen.duplicateIds.join(', ')}`);
        if (seen.rewards !== 1) problems.push(`${seen.rewards} rewards with one id`);
        if (seen.locked) problems.push(`the Bronze reward is locked for a Silver member: ${seen.lock}`);
        if (seen.tiers !== 3) problems.push(`${seen.tiers} tiers listed`);
        if (seen.text.includes('Gold again') || seen.text.includes('the same id again')) problems.push('a repeated entry is shown');
        if (problems.length) throw new Error(problems.join('; '));
      });

      // A spend tier status beside a program whose tiers count points: each
      // figure in what it counts (the tier list showed point thresholds as money).
      const spend = edit((b) => { b.tier.kind = 'spend'; b.tier.needed_for_upgrade = 5000; });
      check('a spend status beside point tiers: thresholds stay points, the need is money', { '/v1/customer': spend }, async (page) => {
        await page.goto(`${base}/examples/hostile-baseline.html?customer=cust-anna`);
        await shown(page, () => document.querySelector('loyalty-widget')?.shadowRoot
          ?.querySelectorAll('[data-testid=tiers] li').length, null, 'the tiers');
        const seen = await page.evaluate(() => {
          const root = document.querySelector('loyalty-widget').shadowRoot;
          return {
            tiers: root.querySelector('[data-testid=tiers]').textContent,
            needed: root.querySelector('[data-testid=tier-needed]')?.textContent ?? '',
          };
        });
        if (!seen.tiers.includes('1,000 points') || seen.tiers.includes('€')) throw new Error(`tiers: ${seen.tiers}`);
        if (!seen.needed.includes('€50.00')) throw new Error(`needed: ${seen.needed}`);
      });

      if (browserName === 'chromium') {
        for (const [at, zone, want] of dates) {
          const body = edit((b) => { b.points.expiring[0].at = at; });
          check(`the date ${at} in ${zone} shows ${want}`, { '/v1/customer': body }, async (page) => {
            await page.emulateTimezone(zone);
            await page.goto(`${base}/examples/hostile-baseline.html?customer=cust-anna`);
            const text = await shown(page, () => document.querySelector('loyalty-widget')?.shadowRoot
              ?.querySelector('[data-testid=expiring]')?.textContent.trim(), null, 'the expiring points');
            if (text !== `200 points expire on ${want}`) throw new Error(`shows "${text}"`);
          });
        }
      }

      // Every count in the customer's number format and plural rules, whatever
      // its size (issue #32: "4294967295 friends have joined."): English, German
      // and Polish, against the browser's own Intl for that language.
      const many = edit((b) => { b.referral.friends_joined = 4294967295; });
      for (const lang of ['en', 'de', 'pl']) {
        check(`4294967295 friends in ${lang}: grouped in the language's format`, { '/v1/customer': many }, async (page) => {
          await page.goto(`${base}/examples/hostile-baseline.html?customer=cust-anna`);
          // The same embed in another language (the loader takes the token out
          // of the page's element, so the new one gets its own).
          const fresh = (await (await fetch(`${base}/_demo/token?customer=cust-anna`)).json()).token;
          await page.evaluate((tag, tok) => {
            const old = document.querySelector('loyalty-widget');
            const widget = document.createElement('loyalty-widget');
            for (const { name, value } of old.attributes) widget.setAttribute(name, value);
            widget.setAttribute('lang', tag);
            widget.setAttribute('token', tok);
            old.replaceWith(widget);
          }, lang, fresh);
          const text = await shown(page, () => document.querySelector('loyalty-widget')?.shadowRoot
            ?.querySelector('[data-testid=friends]')?.textContent.trim(), null, 'the friends line');
          const { grouped, balance, form } = await page.evaluate((tag) => ({
            grouped: new Intl.NumberFormat(tag).format(4294967295),
            balance: new Intl.NumberFormat(tag).format(1250),
            form: new Intl.PluralRules(tag).select(4294967295),
          }), lang);
          const onScreen = await page.evaluate(() => document.querySelector('loyalty-widget').shadowRoot
            .querySelector('[data-testid=balance]')?.textContent ?? '');
          const problems = [];
          if (!text.includes(grouped) || /[0-9]{5}/.test(text)) problems.push(`friends: "${text}" (want ${grouped})`);
          if (!onScreen.includes(balance)) problems.push(`balance: "${onScreen}" (want ${balance})`);
          // Polish "many" (like pięć: 4294967295) is its own form; it must be the one shown.
          if (lang === 'pl' && (form !== 'many' || !text.endsWith('osób.'))) problems.push(`Polish form ${form}: "${text}"`);
          if (problems.length) throw new Error(problems.join('; '));
        });
      }
    });
  }
});
