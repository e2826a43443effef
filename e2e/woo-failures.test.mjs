// Failures on a real WooCommerce 9.9.5, mid-redemption: the customer is told the truth, no points are
// lost without a usable code, and the reconciler finishes what was left once the shop is back.
//
//   - the shop frozen while the code is being made (its web server stopped with SIGSTOP, then
//     continued): the redeem answers 202 "pending" with the points reserved and no code; the shop
//     then makes the coupon from the request it had queued, and the reconciler finds it (the code is
//     the key) instead of making a second; the same Idempotency-Key then answers the code;
//   - the shop's database locked (FLUSH TABLES WITH READ LOCK held by another session): the same;
//   - the REST key revoked (deleted in the shop's database): the platform refuses, the redeem
//     answers 409 reward_not_issued, the points are back at once, no coupon exists, and the key's
//     secret appears nowhere in the endpoint's log.
//
//   node --test e2e/woo-failures.test.mjs
//
// Env: WC_HARNESS_STATE (default /tmp/loyalty-woo-failures-<checkout>), WC_HARNESS_DIR (default
// ../shared/woocommerce). The shop (down.sh --purge), the endpoint and any lock are always released,
// also on an error, Ctrl-C or SIGTERM.
import { before, describe } from 'node:test';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ENDPOINT_BIN } from './lib/fixture.mjs';
import { ROOT, checker, startWooEndpoint, useShop, waitFor } from './lib/woo.mjs';

const SUITE = 'woo-failures';

function expect(cond, message) {
  if (!cond) throw new Error(message);
}

// Whatever happens, the web server is not left stopped and the lock not held.
let webGroup = null;
let lock = null;
process.on('exit', () => {
  if (webGroup) { try { process.kill(-webGroup, 'SIGCONT'); } catch { /* gone */ } }
  if (lock && lock.exitCode === null) lock.kill('SIGKILL');
});

describe('woo-failures: a shop that freezes, locks or revokes the key mid-redemption', { timeout: 600000 }, () => {
  const shop = useShop(SUITE);
  const s = {};
  const check = checker(() => shop.context(s.endpoint));

  before(async () => {
    s.sock = join(shop.state, 'mysqld.sock');
    // The shop's REST API with the admin's application password: it keeps working when the
    // endpoint's REST key is revoked.
    s.coupons = async (code) => {
      const r = await fetch(`${shop.url}/wp-json/wc/v3/coupons?code=${encodeURIComponent(code)}`, { headers: shop.wpAuth });
      expect(r.ok, `coupon look-up answered ${r.status}`);
      return (await r.json()).filter((c) => c.code.toUpperCase() === code.toUpperCase());
    };
    s.sql = (statement) => {
      const r = spawnSync('mariadb', ['--no-defaults', '-S', s.sock, '-uroot', 'wordpress', '-N', '-e', statement], { encoding: 'utf8' });
      expect(r.status === 0, `mariadb: ${r.stderr}`);
      return r.stdout;
    };
    s.secrets = {
      LOYALTY_SECRET: randomBytes(32).toString('hex'),
      LOYALTY_ADMIN_KEY: randomBytes(32).toString('hex'),
    };
    s.endpoint = await startWooEndpoint(shop, {
      name: `${SUITE}-endpoint`, env: s.secrets, logLevel: 'debug',
      args: ['--program', join(ROOT, 'endpoint/programs/morgenrot.toml'), '--platform-budget', '3', '--reconcile-every', '3600'],
    });
    const base = s.endpoint.url;
    s.adminHeaders = { Authorization: `Bearer ${s.secrets.LOYALTY_ADMIN_KEY}`, 'Content-Type': 'application/json' };
    const put = await fetch(`${base}/admin/v1/customers/42`, { method: 'PUT', headers: s.adminHeaders, body: JSON.stringify({ first_name: 'Alice', email: 'alice@example.com' }) });
    expect(put.status === 201, `customer: ${put.status}`);
    const fund = await fetch(`${base}/admin/v1/customers/42/adjustments`, { method: 'POST', headers: { ...s.adminHeaders, 'Idempotency-Key': 'fund' }, body: JSON.stringify({ points: 5000, reason: 'test' }) });
    expect(fund.status === 201, `points: ${fund.status}`);
    const token = spawnSync(ENDPOINT_BIN, ['token', '--customer', '42'], { env: { ...process.env, ...s.secrets }, encoding: 'utf8' }).stdout.trim();
    s.redeem = async (key) => {
      const r = await fetch(`${base}/v1/redemptions`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Idempotency-Key': key, 'Content-Type': 'application/json' },
        body: JSON.stringify({ reward_id: 'r-5eur' }),
      });
      return { status: r.status, body: await r.json() };
    };
    s.approved = async () => (await (await fetch(`${base}/v1/customer`, { headers: { Authorization: `Bearer ${token}` } })).json()).points.approved;
    s.reconcile = async () => (await fetch(`${base}/admin/v1/reconcile`, { method: 'POST', headers: s.adminHeaders })).json();
    s.mine = async () => (await (await fetch(`${base}/v1/redemptions`, { headers: { Authorization: `Bearer ${token}` } })).json()).items;
    s.inState = async (state) => (await (await fetch(`${base}/admin/v1/redemptions?state=${state}`, { headers: s.adminHeaders })).json()).redemptions;
  }, { timeout: 120000 });

  // A pending redeem the shop finishes once it is back: exactly one coupon, the code for the key.
  const pendingThenFinished = (what, stop, resume, key) => {
    let before = 0;
    check(`${what}: the redeem answers 202 pending, no code, the points reserved`, async () => {
      before = await s.approved();
      await stop();
      let answer;
      try {
        answer = await s.redeem(key);
      } finally {
        await resume();
      }
      expect(answer.status === 202, `${answer.status} ${JSON.stringify(answer.body)}`);
      expect(answer.body.state === 'pending' && !answer.body.coupon, JSON.stringify(answer.body));
      expect(await s.approved() === before - 500, `balance ${await s.approved()} (was ${before})`);
      const list = await s.mine();
      expect(list[0].state === 'pending' && list[0].idempotency_key === key && !list[0].coupon, JSON.stringify(list[0]));
    });
    check(`${what}: the reconciler confirms it and the shop holds exactly one coupon`, async (t) => {
      // The shop works off what it had queued: the coupon appears on the shop. Then the reconciler runs.
      // Its code (the admin list has it while pending; the customer's list says which one is the key's).
      const id = (await s.mine()).find((r) => r.idempotency_key === key)?.id;
      const code = (await s.inState('pending')).find((r) => r.id === id)?.code;
      expect(code, `no pending redemption for ${key} (${id})`);
      await waitFor(async () => (await s.coupons(code)).length > 0, { what: `the shop to make ${code} from the request it had queued` });
      const report = await s.reconcile();
      t.diagnostic(`reconcile: ${JSON.stringify(report)}`);
      expect(report.pending === 0, JSON.stringify(report));
      const list = await s.mine();
      expect(list[0].state === 'active', JSON.stringify(list[0]));
      expect(list[0].coupon.code === code, `the code ${list[0].coupon.code}, not ${code}`);
      const found = await s.coupons(code);
      expect(found.length === 1, `${found.length} coupons with ${code}`);
      expect(JSON.stringify(found[0].email_restrictions) === '["alice@example.com"]', JSON.stringify(found[0].email_restrictions));
      const replay = await s.redeem(key);
      expect(replay.status === 200 && replay.body.coupon.code === code, `${replay.status} ${JSON.stringify(replay.body)}`);
      expect(await s.approved() === before - 500, 'the points taken once');
    });
  };

  pendingThenFinished('the shop frozen mid-redemption',
    async () => { webGroup = Number(shop.pids().WEB_PID); process.kill(-webGroup, 'SIGSTOP'); },
    async () => { process.kill(-webGroup, 'SIGCONT'); webGroup = null; },
    'frozen-1');

  // The lock's session, while it holds the lock: it has got to its SLEEP.
  const lockSessions = () => Number(s.sql("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP(120)%'").trim());
  pendingThenFinished('the shop\'s database locked',
    async () => {
      lock = spawn('mariadb', ['--no-defaults', '-S', s.sock, '-uroot', '-e', 'FLUSH TABLES WITH READ LOCK; SELECT SLEEP(120);'], { stdio: 'ignore' });
      await waitFor(() => lockSessions() === 1, { what: 'the read lock to be held (its session at SELECT SLEEP)' });
    },
    async () => {
      lock.kill('SIGKILL');
      lock = null;
      await waitFor(() => lockSessions() === 0, { what: 'the read lock to be released (its session gone)' });
    },
    'locked-1');

  // The REST key revoked: a definite refusal, so the points come back at once.
  check('the REST key revoked: 409 reward_not_issued, the points back at once, no coupon', async () => {
    const before = await s.approved();
    s.sql("DELETE FROM wp_woocommerce_api_keys WHERE description <> 'keep'");
    const refused = await s.redeem('revoked-1');
    expect(refused.status === 409 && refused.body.error.code === 'reward_not_issued', `${refused.status} ${JSON.stringify(refused.body)}`);
    expect(await s.approved() === before, `balance ${await s.approved()} (was ${before})`);
    const list = await s.mine();
    expect(list[0].state === 'released' && !list[0].coupon, JSON.stringify(list[0]));
    const released = await (await fetch(`${s.endpoint.url}/admin/v1/redemptions?state=released`, { headers: s.adminHeaders })).json();
    const code = released.redemptions.find((r) => r.idempotency_key === 'revoked-1' || r.id === list[0].id)?.code;
    expect(code, JSON.stringify(released));
    expect((await s.coupons(code)).length === 0, 'no coupon on the shop');
    expect(/401/.test(JSON.stringify(released)), `the reason says 401: ${JSON.stringify(released)}`);
  });
  check('the REST key\'s secret appears nowhere in the endpoint\'s log', async () => {
    const text = readFileSync(s.endpoint.log, 'utf8');
    expect(text.length > 0, 'a log');
    expect(!text.includes(shop.env.WC_CONSUMER_SECRET), 'the secret is in the log');
  });
});
