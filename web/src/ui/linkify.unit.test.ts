import { describe, expect, it } from 'vitest';
import { linkify } from './linkify';

describe('linkify', () => {
  it('finds http and https addresses, leaving sentence punctuation outside', () => {
    expect(linkify('See https://example.com/doc?a=1&b=2. Or http://x.org!')).toEqual([
      { text: 'See ' },
      { href: 'https://example.com/doc?a=1&b=2', text: 'https://example.com/doc?a=1&b=2' },
      { text: '. Or ' },
      { href: 'http://x.org', text: 'http://x.org' },
      { text: '!' },
    ]);
  });

  it('never makes a link of another scheme, nor of markup', () => {
    for (const text of ['javascript:alert(1)', 'data:text/html,<b>x</b>', 'ftp://files.example/x'])
      expect(linkify(text)).toEqual([{ text }]);
    expect(linkify('<img src=x onerror=alert(1)>')).toEqual([{ text: '<img src=x onerror=alert(1)>' }]);
  });

  it('stops an address at quotes and angle brackets', () => {
    expect(linkify('"https://a.example/x"')).toEqual([
      { text: '"' },
      { href: 'https://a.example/x', text: 'https://a.example/x' },
      { text: '"' },
    ]);
  });

  it('keeps plain text as one piece', () => {
    expect(linkify('hello')).toEqual([{ text: 'hello' }]);
    expect(linkify('')).toEqual([]);
  });
});
