// A React single-page shop using the npm package (bundled by esbuild in
// scripts/build.sh): the widget mounts, unmounts, switches customer and
// signs out with the shop's own state.
import { useEffect, useMemo, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
import 'loyalty-widget';

const ENDPOINT = document.body.dataset.endpoint;

/** The shop's own token route (here: the reference endpoint's demo route). */
const fetchToken = (customer) => () =>
  fetch(`/_demo/token?customer=${customer}`).then((r) => r.json()).then((body) => body.token);

// snippet:start
function Rewards({ token }) {
  const ref = useRef(null);
  // A token string, a function returning one (called again on expiry), or null.
  useEffect(() => ref.current?.setToken(token), [token]);
  return <loyalty-widget ref={ref} endpoint={ENDPOINT} mode="inline" lang="en" />;
}
// snippet:end

function App() {
  const [customer, setCustomer] = useState('cust-anna');
  const [shown, setShown] = useState(true);
  const token = useMemo(() => (customer ? fetchToken(customer) : null), [customer]);
  return (
    <>
      <nav aria-label="Account">
        <button type="button" id="toggle" onClick={() => setShown((s) => !s)}>Rewards on/off</button>
        <button type="button" id="as-anna" onClick={() => setCustomer('cust-anna')}>Sign in as Anna</button>
        <button type="button" id="as-carla" onClick={() => setCustomer('cust-carla')}>Sign in as Carla</button>
        <button type="button" id="sign-out" onClick={() => setCustomer(null)}>Sign out</button>
      </nav>
      {shown && <Rewards token={token} />}
    </>
  );
}

createRoot(document.getElementById('app')).render(<App />);
