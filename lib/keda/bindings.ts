import type * as bindings from '../../imports/keda.sh';

// The generated KEDA bindings (400 kB of JavaScript) load on first use: an app without KEDA
// does not pay for them at start-up.
export const keda = () => require('../../imports/keda.sh') as typeof bindings;
