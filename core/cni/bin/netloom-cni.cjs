#!/usr/bin/env node
'use strict';
// netloom-cni: the executable a container runtime runs from CNI_PATH (CNI spec 1.0). The program lives in dist/;
// this launcher only starts it (build first: npx tsc -b core/cni).
require('../dist/cni.main.js').main();
