import { strict as assert } from 'node:assert';
import { InputError } from '@netloom/ports';
import { Redactor, Screen, cleanLine, defineDialect, matchPrompt, matchesRedacted, resolveDialect } from '@netloom/cli-session';
import { toyDialect } from './support/toy-dialect';

describe('terminal rendering (pure)', () => {
  it('removes Huawei " ESC[1D" junk, with and without the dialect rule', () => {
    assert.equal(cleanLine('description a-rather-l \x1b[1Dong-text'), 'description a-rather-long-text');
    assert.equal(cleanLine('display curr \x1b[1Dent', resolveDialect(toyDialect).cleanup), 'display current');
  });

  it('drops colours and other escape sequences', () => {
    assert.equal(cleanLine('\x1b[1mInterface\x1b[0m  \x1b[32mup\x1b[0m\x1b]0;title\x07\x1b(B'), 'Interface  up');
  });

  it('renders backspaces, carriage returns and erase-line like a terminal', () => {
    assert.equal(cleanLine('abc\b \b'), 'ab');
    assert.equal(cleanLine('--More--\b\b\b\b\b\b\b\b        \b\b\b\b\b\b\b\bline 25'), 'line 25');
    assert.equal(cleanLine('  ---- More ----\x1b[16D                \x1b[16Dflood line 25'), 'flood line 25');
    assert.equal(cleanLine('progress 10%\rprogress 100%'), 'progress 100%');
    assert.equal(cleanLine('old text\r\x1b[Knew'), 'new');
    assert.equal(cleanLine('trailing   \r'), 'trailing');
  });

  it('keeps lines whole when escape sequences and CRLF are split across chunks', () => {
    const screen = new Screen();
    for (const chunk of ['first \x1b[3', '2mgreen\x1b[0m\r', '\nsecond line\r\n<de', 'v>']) screen.push(chunk);
    assert.deepEqual(screen.lines(), ['first green', 'second line']);
    assert.equal(screen.tail(), '<dev>');
    screen.dropTail();
    assert.equal(screen.tail(), '');
  });

  it('matches prompts with their view and groups', () => {
    const d = resolveDialect(toyDialect);
    assert.deepEqual(matchPrompt('[*dev-bd10]', d.prompts), { prompt: '[*dev-bd10]', view: 'dev-bd10', groups: { state: '*', view: 'dev-bd10' } });
    assert.deepEqual(matchPrompt('<dev>', d.prompts), { prompt: '<dev>', view: 'dev', groups: { view: 'dev' } });
    assert.equal(matchPrompt('display <dev>', d.prompts), undefined);
  });
});

describe('redaction (pure)', () => {
  it('replaces secrets, also when terminal noise sits between their characters', () => {
    const r = new Redactor(['hunter2', 'pw']);
    assert.equal(r.text('login hunter2 ok'), 'login *** ok');
    assert.equal(r.text('pass hun \x1b[1Dter2!'), 'pass ***!');
    assert.equal(r.text('x hu\x1b[0mnter2'), 'x ***');
    assert.equal(r.text('pw and pwd'), '*** and ***d');
    assert.equal(new Redactor([]).text('hunter2'), 'hunter2');
  });

  it('lets a recorded *** stand for any text when comparing', () => {
    assert.equal(matchesRedacted('peer 1.1.1.1 password hunter2', 'peer 1.1.1.1 password ***'), true);
    assert.equal(matchesRedacted('peer 1.1.1.2 password hunter2', 'peer 1.1.1.1 password ***'), false);
    assert.equal(matchesRedacted('aXbc', 'a.***'), false, 'recorded text is literal, not a pattern');
  });
});

describe('dialect validation (pure)', () => {
  it('lists every problem of a broken dialect', () => {
    assert.throws(
      () =>
        defineDialect({
          name: 'broken',
          prompts: [/^<(?<host>\w+)>$/],
          answers: [{ pattern: /\[Y\/N\]$/, answer: 'y\nn' }],
          lineEnding: '\t' as '\n',
          commandTimeoutMs: 0,
          postLogin: ['screen-length 0\ntemporary'],
        }),
      (e: unknown) => {
        assert.ok(e instanceof InputError);
        assert.deepEqual(
          e.problems.map((p) => p.path),
          ['prompts[0]', 'postLogin[0].command', 'answers[0].answer', 'lineEnding', 'commandTimeoutMs'],
        );
        return true;
      },
    );
  });

  it('makes global or sticky patterns stateless', () => {
    const d = resolveDialect({ name: 'g', prompts: [/^<(?<view>\w+)>$/g] });
    assert.equal(matchPrompt('<a>', d.prompts)?.view, 'a');
    assert.equal(matchPrompt('<a>', d.prompts)?.view, 'a', 'no lastIndex memory between calls');
  });
});
