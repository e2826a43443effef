// Test instrumentation for the example pages (not part of any snippet):
// records uncaught errors, CSP violations, console warnings and errors, and
// every loyalty-widget:* event, for e2e/embed.test.mjs to read.
(() => {
  const record = (window.__lw = { errors: [], violations: [], console: [], events: [] });
  record.globals = Object.getOwnPropertyNames(window);
  window.addEventListener('error', (event) => record.errors.push(String(event.message)));
  window.addEventListener('unhandledrejection', (event) => record.errors.push(`unhandled: ${event.reason}`));
  document.addEventListener('securitypolicyviolation', (event) => {
    record.violations.push(`${event.violatedDirective} ${event.blockedURI}`);
  });
  for (const level of ['error', 'warn']) {
    const original = console[level].bind(console);
    console[level] = (...args) => {
      record.console.push(`${level}: ${args.join(' ')}`);
      original(...args);
    };
  }
  for (const name of ['ready', 'error', 'open', 'close', 'copied', 'joined', 'redeemed']) {
    document.addEventListener(`loyalty-widget:${name}`, (event) => {
      record.events.push({ name, id: event.target.id || '', detail: event.detail });
    });
  }
})();
