import { startBoot } from './boot';
import './styles.css';

// The entry is small on purpose: a returning tab's first requests start now, while React, the
// app and (for the Overview) the page's chunk load, not after React has mounted.
const boot = startBoot(window.location.pathname);
if (boot.forecast) void import('./pages/overview');
// `/v1/me` answers while React loads; mounting with its answer skips a blank first render.
void Promise.all([import('./root'), boot.me]).then(([{ mountApp }, first]) => {
  mountApp(boot, first);
});
