// Raw RFC 822 email → subject + body text: MIME layouts that real spam uses.
import { describe, expect, it } from 'vitest';
import { emailToText } from '../../../runtime/data/email';

describe('emailToText', () => {
  it('drops every header line, including folded ones, and keeps the subject', () => {
    const raw = 'From a@b.c  Tue Aug  6 11:51:02 2002\nReceived: from x\n\tby y with ESMTP\nSubject: Hello\n  there\nTo: d@e.f\n\nLine one.\n\nLine two.\n';
    expect(emailToText(raw)).toEqual({ subject: 'Hello there', body: 'Line one. Line two.', text: 'Hello there\nLine one. Line two.' });
  });

  it('finds a boundary written with a space after "=" and decodes base64 text parts', () => {
    const b64 = Buffer.from('Please forgive the intrusion.\r\nOne time only.', 'utf8').toString('base64');
    const raw = `Subject: test\nContent-Type: multipart/mixed;boundary= "----=_Next_1"\n\n------=_Next_1\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n${b64}\n------=_Next_1--\n`;
    expect(emailToText(raw).body).toBe('Please forgive the intrusion. One time only.');
  });

  it('keeps the text of a MIME part that has no headers', () => {
    const raw = 'Subject: s\nContent-Type: multipart/mixed; boundary=XX\n\npreamble\n--XX\n\nplain part without headers\n--XX\nContent-Type: application/pdf\n\n%PDF\n--XX--\n';
    expect(emailToText(raw).body).toBe('plain part without headers');
  });

  it('turns HTML into text, with entities and no script or tags', () => {
    const raw = 'Subject: offer\nContent-Type: text/html; charset="iso-8859-1"\nContent-Transfer-Encoding: quoted-printable\n\n<html><script>var x=3D1;</script><p>Save&nbsp;50&#37; &#x41;now &#99999999;</p><br>Call &amp; win</html>\n';
    expect(emailToText(raw).body).toBe('Save 50% Anow Call & win');
  });

  it('reads a forwarded message without its headers', () => {
    const raw = 'Subject: Fwd: news\nContent-Type: message/rfc822\n\nReceived: from z\nSubject: the news\n\nInner body.\n';
    const { text } = emailToText(raw);
    expect(text).toBe('Fwd: news\nthe news Inner body.');
    expect(text).not.toMatch(/Received/);
  });

  it('caps the text length', () => {
    const raw = `Subject: long\n\n${'word '.repeat(2000)}`;
    expect(emailToText(raw, 100).text).toHaveLength(100);
  });
});
