/** The dialect the tests use for the toy device: Huawei VRP8-like, as an adapter would write it. */
import { defineDialect } from '@netloom/cli-session';

export const toyDialect = defineDialect({
  name: 'toy-vrp8',
  prompts: [/^<(?<view>[^<>\s]+)>$/, /^\[(?<state>[~*])?(?<view>[^[\]\s]+)\]$/],
  postLogin: ['screen-length 0 temporary'],
  errors: [{ pattern: /^Error(\[\d+\])?:/ }, { pattern: /Failed to generate committed config/, kind: 'commit' }, { pattern: /configuration is locked/i, kind: 'locked' }],
  answers: [
    { pattern: /Change now\?\s*\[Y\/N\]:?$/i, answer: 'N', phase: 'login' },
    { pattern: /\[Y\/N\]:?$/i, answer: 'y', phase: 'command' },
  ],
  // eslint-disable-next-line no-control-regex -- Huawei's echo junk is a control sequence
  cleanup: [{ pattern: / \x1b\[1D/g }],
  pager: { pattern: /---- More ----$/, key: ' ' },
  logout: 'quit',
});
