#!/usr/bin/env node
'use strict';
// The `netloom` executable: a committed, executable shim, so the command works whatever file mode the TypeScript
// build gives dist/cli.js. Run `npm run build` first.
require('../dist/cli.js');
