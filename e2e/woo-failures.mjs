#!/usr/bin/env node
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
//   node e2e/woo-failures.mjs
//
// Env: WC_HARNESS_STATE (default /tmp/loyalty-woo-failures), WC_HARNESS_DIR (default
// /work/shared/woocommerce), LOYALTY_BIN (default target/debug/loyalty-endpoint). Prints one line per
// check, then "N passed, M failed" and the time; exits 1 on a failure. The harness (down.sh), the
// endpoint and any lock are always released, also on an error, Ctrl-C or SIGTERM.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const HARNESS = process.env.WC_HARNESS_DIR || '/work/shared/woocommerce';
const STATE = process.env.WC_HARNESS_STATE || '/tmp/loyalty-woo-failures';
const BIN = process.env.LOYALTY_BIN || join(ROOT, 'target/debug/loyalty-endpoint');
const harnessEnv = { ...process.env, WC_HARNESS_STATE: STATE };
const t0 = Date.now();
const say = (m) => process.stderr.write(`[woo-failures ${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let harnessStarted = false;
let endpoint = null;
let work = null;
let webGroup = null;
let lock = null;
function cleanup() {
	if (webGroup) { try { process.kill(-webGroup, 'SIGCONT'); } catch { /* gone */ } }
	if (lock && lock.exitCode === null) lock.kill('SIGKILL');
	if (endpoint && endpoint.exitCode === null && endpoint.signalCode === null) endpoint.kill('SIGTERM');
	endpoint = null;
	if (harnessStarted) {
		harnessStarted = false;
		const r = spawnSync(join(HARNESS, 'down.sh'), process.env.WOO_KEEP_STATE ? [] : ['--purge'], { env: harnessEnv, encoding: 'utf8' });
		say(`down.sh: ${(r.stdout + r.stderr).trim().replace(/\n/g, '; ')}`);
	}
	if (work) { rmSync(work, { recursive: true, force: true }); work = null; }
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { say(`${sig}: stopping`); cleanup(); process.exit(130); });

function readEnv(file) {
	const out = {};
	for (const line of readFileSync(file, 'utf8').split('\n')) {
		const m = /^([A-Z_0-9]+)='?([^']*)'?$/.exec(line);
		if (m) out[m[1]] = m[2];
	}
	return out;
}

let passed = 0;
let failed = 0;
async function check(name, fn) {
	try {
		await fn();
		passed++;
		console.log(`  ok    ${name}`);
	} catch (err) {
		failed++;
		console.log(`  FAIL  ${name}: ${err.message}`);
	}
}
function expect(cond, message) {
	if (!cond) throw new Error(message);
}

async function main() {
	work = mkdtempSync(join(tmpdir(), 'woo-failures-'));
	say(`starting WooCommerce (${HARNESS}/up.sh)`);
	const up = spawnSync(join(HARNESS, 'up.sh'), { env: harnessEnv, encoding: 'utf8' });
	harnessStarted = !/already running/.test(up.stdout + up.stderr);
	if (up.status !== 0) throw new Error(`up.sh failed: ${up.stdout}${up.stderr}`);
	const wc = readEnv(join(STATE, 'env'));
	const pids = readEnv(join(STATE, 'pids'));
	const sock = join(STATE, 'mysqld.sock');
	say(`WooCommerce ${wc.WC_VERSION} at ${wc.WC_URL}`);
	// The shop's REST API with the admin's application password: it keeps working when the
	// endpoint's REST key is revoked.
	const admin = `Basic ${Buffer.from(`${wc.WC_ADMIN_USER}:${wc.WC_APP_PASSWORD}`).toString('base64')}`;
	const coupons = async (code) => {
		const r = await fetch(`${wc.WC_URL}/wp-json/wc/v3/coupons?code=${encodeURIComponent(code)}`, { headers: { Authorization: admin } });
		expect(r.ok, `coupon look-up answered ${r.status}`);
		return (await r.json()).filter((c) => c.code.toUpperCase() === code.toUpperCase());
	};
	const sql = (statement) => {
		const r = spawnSync('mariadb', ['--no-defaults', '-S', sock, '-uroot', 'wordpress', '-e', statement], { encoding: 'utf8' });
		expect(r.status === 0, `mariadb: ${r.stderr}`);
		return r.stdout;
	};

	const secrets = {
		LOYALTY_SECRET: randomBytes(32).toString('hex'),
		LOYALTY_ADMIN_KEY: randomBytes(32).toString('hex'),
	};
	const portFile = join(work, 'port');
	const logFile = join(work, 'endpoint.log');
	const log = openSync(logFile, 'w');
	endpoint = spawn(BIN, ['serve', '--addr', '127.0.0.1:0', '--port-file', portFile, '--db', join(work, 'loyalty.sqlite'),
		'--program', join(ROOT, 'endpoint/programs/morgenrot.toml'), '--platform-budget', '3',
		'--reconcile-every', '3600', '--exit-after', '900'], {
		env: {
			...process.env, ...secrets, LOYALTY_WOO_URL: wc.WC_URL, LOYALTY_WOO_KEY: wc.WC_CONSUMER_KEY,
			LOYALTY_WOO_SECRET: wc.WC_CONSUMER_SECRET, LOYALTY_LOG: 'debug', LOYALTY_LOG_FORMAT: 'json',
		},
		stdio: ['ignore', log, log],
	});
	let base = null;
	for (let i = 0; i < 200 && !base; i++) {
		if (existsSync(portFile) && readFileSync(portFile, 'utf8').trim()) base = `http://127.0.0.1:${readFileSync(portFile, 'utf8').trim()}`;
		else await sleep(100);
	}
	expect(base, 'the endpoint came up');
	const adminHeaders = { Authorization: `Bearer ${secrets.LOYALTY_ADMIN_KEY}`, 'Content-Type': 'application/json' };
	const put = await fetch(`${base}/admin/v1/customers/42`, { method: 'PUT', headers: adminHeaders, body: JSON.stringify({ first_name: 'Alice', email: 'alice@example.com' }) });
	expect(put.status === 201, `customer: ${put.status}`);
	const fund = await fetch(`${base}/admin/v1/customers/42/adjustments`, { method: 'POST', headers: { ...adminHeaders, 'Idempotency-Key': 'fund' }, body: JSON.stringify({ points: 5000, reason: 'test' }) });
	expect(fund.status === 201, `points: ${fund.status}`);
	const token = spawnSync(BIN, ['token', '--customer', '42'], { env: { ...process.env, ...secrets }, encoding: 'utf8' }).stdout.trim();
	const redeem = async (key) => {
		const r = await fetch(`${base}/v1/redemptions`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${token}`, 'Idempotency-Key': key, 'Content-Type': 'application/json' },
			body: JSON.stringify({ reward_id: 'r-5eur' }),
		});
		return { status: r.status, body: await r.json() };
	};
	const approved = async () => (await (await fetch(`${base}/v1/customer`, { headers: { Authorization: `Bearer ${token}` } })).json()).points.approved;
	const reconcile = async () => (await fetch(`${base}/admin/v1/reconcile`, { method: 'POST', headers: adminHeaders })).json();
	const mine = async () => (await (await fetch(`${base}/v1/redemptions`, { headers: { Authorization: `Bearer ${token}` } })).json()).items;

	// A pending redeem the shop finishes once it is back: exactly one coupon, the code for the key.
	const pendingThenFinished = async (what, stop, resume, key) => {
		const before = await approved();
		await stop();
		let answer;
		try {
			answer = await redeem(key);
		} finally {
			await resume();
		}
		await check(`${what}: the redeem answers 202 pending, no code, the points reserved`, async () => {
			expect(answer.status === 202, `${answer.status} ${JSON.stringify(answer.body)}`);
			expect(answer.body.state === 'pending' && !answer.body.coupon, JSON.stringify(answer.body));
			expect(await approved() === before - 500, `balance ${await approved()} (was ${before})`);
			const list = await mine();
			expect(list[0].state === 'pending' && list[0].idempotency_key === key && !list[0].coupon, JSON.stringify(list[0]));
		});
		// The shop works off what it had queued, then the reconciler runs.
		await sleep(2000);
		const report = await reconcile();
		await check(`${what}: the reconciler confirms it (${JSON.stringify(report)}) and the shop holds exactly one coupon`, async () => {
			expect(report.pending === 0, JSON.stringify(report));
			const list = await mine();
			expect(list[0].state === 'active', JSON.stringify(list[0]));
			const code = list[0].coupon.code;
			const found = await coupons(code);
			expect(found.length === 1, `${found.length} coupons with ${code}`);
			expect(JSON.stringify(found[0].email_restrictions) === '["alice@example.com"]', JSON.stringify(found[0].email_restrictions));
			const replay = await redeem(key);
			expect(replay.status === 200 && replay.body.coupon.code === code, `${replay.status} ${JSON.stringify(replay.body)}`);
			expect(await approved() === before - 500, 'the points taken once');
		});
	};

	webGroup = Number(pids.WEB_PID);
	await pendingThenFinished('the shop frozen mid-redemption',
		async () => process.kill(-webGroup, 'SIGSTOP'),
		async () => process.kill(-webGroup, 'SIGCONT'),
		'frozen-1');
	webGroup = null;

	await pendingThenFinished('the shop\'s database locked',
		async () => {
			lock = spawn('mariadb', ['--no-defaults', '-S', sock, '-uroot', '-e', 'FLUSH TABLES WITH READ LOCK; SELECT SLEEP(120);'], { stdio: 'ignore' });
			await sleep(700);
		},
		async () => { lock.kill('SIGKILL'); lock = null; },
		'locked-1');

	// The REST key revoked: a definite refusal, so the points come back at once.
	const before = await approved();
	sql("DELETE FROM wp_woocommerce_api_keys WHERE description <> 'keep'");
	const refused = await redeem('revoked-1');
	await check('the REST key revoked: 409 reward_not_issued, the points back at once, no coupon', async () => {
		expect(refused.status === 409 && refused.body.error.code === 'reward_not_issued', `${refused.status} ${JSON.stringify(refused.body)}`);
		expect(await approved() === before, `balance ${await approved()} (was ${before})`);
		const list = await mine();
		expect(list[0].state === 'released' && !list[0].coupon, JSON.stringify(list[0]));
		const released = await (await fetch(`${base}/admin/v1/redemptions?state=released`, { headers: adminHeaders })).json();
		const code = released.redemptions.find((r) => r.idempotency_key === 'revoked-1' || r.id === list[0].id)?.code;
		expect(code, JSON.stringify(released));
		expect((await coupons(code)).length === 0, 'no coupon on the shop');
		expect(/401/.test(JSON.stringify(released)), `the reason says 401: ${JSON.stringify(released)}`);
	});
	await check('the REST key\'s secret appears nowhere in the endpoint\'s log', async () => {
		const text = readFileSync(logFile, 'utf8');
		expect(text.length > 0, 'a log');
		expect(!text.includes(wc.WC_CONSUMER_SECRET), 'the secret is in the log');
	});
}

try {
	await main();
} catch (err) {
	failed++;
	console.log(`  FAIL  ${err.stack || err.message}`);
} finally {
	cleanup();
}
console.log(`${passed} passed, ${failed} failed (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
process.exit(failed ? 1 : 0);
