// Turning a raw RFC 822 email into the text a classifier should see: subject + body, headers gone.

type Charset = 'utf8' | 'latin1';

function charsetOf(name: string | undefined): Charset {
  return name && /utf-?8/i.test(name) ? 'utf8' : 'latin1';
}

/** Quoted-printable → bytes → text in the part's charset (so "=C3=A9" in UTF-8 becomes "é"). */
function decodeQuotedPrintable(s: string, charset: Charset): string {
  const bytes: number[] = [];
  const text = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < text.length; i++) {
    const hex = text[i] === '=' ? text.slice(i + 1, i + 3) : '';
    if (/^[0-9A-F]{2}$/i.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      const code = text.charCodeAt(i);
      if (code < 128) bytes.push(code);
      else bytes.push(...Buffer.from(text[i], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString(charset);
}

function decodeBase64(s: string, charset: Charset): string {
  return Buffer.from(s.replace(/\s+/g, ''), 'base64').toString(charset);
}

/** A numeric character reference; spam is full of out-of-range ones, which become a space instead of a RangeError. */
function codePoint(n: number): string {
  return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : ' ';
}

function htmlToText(s: string): string {
  return s
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<br\s*\/?>|<\/p>|<\/div>|<\/tr>/gi, '\n')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/gi, ' ')
    .replace(/&amp;/gi, '&')
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&quot;/gi, '"')
    .replace(/&#x([0-9a-f]+);/gi, (_, n) => codePoint(parseInt(n, 16)))
    .replace(/&#(\d+);/g, (_, n) => codePoint(Number(n)));
}

interface Part {
  headers: Map<string, string>;
  body: string;
}

function splitHeaders(raw: string): Part {
  const normalised = raw.replace(/\r\n/g, '\n');
  // A MIME part may have no headers at all: its text then starts right after the blank line.
  if (normalised.startsWith('\n')) return { headers: new Map(), body: normalised.slice(1) };
  const end = normalised.indexOf('\n\n');
  const head = end >= 0 ? normalised.slice(0, end) : normalised;
  const body = end >= 0 ? normalised.slice(end + 2) : '';
  const headers = new Map<string, string>();
  // Folded header lines start with whitespace and continue the previous header.
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function decodeHeaderWords(s: string): string {
  return s.replace(/=\?([^?]+)\?([bq])\?([^?]*)\?=/gi, (_, cs: string, enc: string, text: string) =>
    enc.toLowerCase() === 'b' ? decodeBase64(text, charsetOf(cs)) : decodeQuotedPrintable(text.replace(/_/g, ' '), charsetOf(cs)),
  );
}

function partText(part: Part, depth = 0): string {
  const type = (part.headers.get('content-type') ?? 'text/plain').toLowerCase();
  const encoding = (part.headers.get('content-transfer-encoding') ?? '').toLowerCase();
  if (type.startsWith('multipart/') && depth < 5) {
    // Quoted or bare, and spam writes `boundary= "…"` with a space, so allow whitespace around "=".
    const m = /boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(part.headers.get('content-type') ?? '');
    const boundary = m?.[1] ?? m?.[2];
    if (!boundary) return part.body;
    const pieces = part.body.split(`--${boundary}`).slice(1);
    const texts = pieces.map((p) => partText(splitHeaders(p.replace(/^\n/, '')), depth + 1)).filter((t) => t.trim());
    // multipart/alternative carries the same text twice (plain and HTML); keep the first.
    return type.startsWith('multipart/alternative') ? (texts[0] ?? '') : texts.join('\n');
  }
  // A forwarded message is itself an email: keep its subject and text, not its headers.
  if (type.startsWith('message/rfc822') && depth < 5) {
    const inner = splitHeaders(part.body);
    return `${decodeHeaderWords(inner.headers.get('subject') ?? '')}\n${partText(inner, depth + 1)}`;
  }
  if (!type.startsWith('text/')) return '';
  const charset = charsetOf(/charset="?([^";]+)/i.exec(part.headers.get('content-type') ?? '')?.[1]);
  let body = part.body;
  if (encoding === 'quoted-printable') body = decodeQuotedPrintable(body, charset);
  else if (encoding === 'base64') body = decodeBase64(body, charset);
  return type.startsWith('text/html') ? htmlToText(body) : body;
}

/** Subject and body text of a raw email, whitespace collapsed, capped at `maxChars`. */
export function emailToText(raw: string, maxChars = 4000): { subject: string; body: string; text: string } {
  const part = splitHeaders(raw);
  const subject = decodeHeaderWords(part.headers.get('subject') ?? '').replace(/\s+/g, ' ').trim();
  const body = partText(part).replace(/\s+/g, ' ').trim();
  const text = `${subject}\n${body}`.slice(0, maxChars);
  return { subject, body: body.slice(0, maxChars), text };
}
