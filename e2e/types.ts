// Type-checks the shipped TypeScript declarations the way a shop's code uses
// them (tsc --noEmit --strict, in scripts/test.sh). The @ts-expect-error
// lines fail the check if the declarations ever accept those mistakes.
import type { LoyaltyWidgetElement, LoyaltyWidgetOptions } from '../loader/loyalty-widget';

const options: LoyaltyWidgetOptions = {
  endpoint: 'https://loyalty.example.com',
  token: () => fetch('/loyalty-token').then((r) => r.json()).then((b: { token: string }) => b.token),
  mode: 'launcher',
  texts: { title: 'Kaffeeklub' },
};
const widget: LoyaltyWidgetElement | undefined = window.LoyaltyWidget.init(options);
widget?.addEventListener('loyalty-widget:redeemed', (event) => {
  const code: string = event.detail.code;
  const points: number = event.detail.points;
  console.log(code, points);
});
document.addEventListener('loyalty-widget:error', (event) => {
  if (event.detail.reason === 'config') console.log(event.detail.message);
});
const element = document.createElement('loyalty-widget');
element.setToken('a-token');
element.setToken(null);
LoyaltyWidget.open();
LoyaltyWidget.setToken(async () => 'fresh');
const all: LoyaltyWidgetElement[] = LoyaltyWidget.instances();
console.log(all.length);

// @ts-expect-error: a token is a string, a function or null
LoyaltyWidget.setToken(42);
// @ts-expect-error: there is no "popup" mode
LoyaltyWidget.init({ endpoint: 'https://loyalty.example.com', mode: 'popup' });
// @ts-expect-error: endpoint is required
LoyaltyWidget.init({ lang: 'de' });
