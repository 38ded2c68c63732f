// A message whose in-app paths (a save conflict's "/graphs/<id>/diff?from=1&to=2") are links to open.
import Link from 'next/link';

const APP_PATH = /(\/graphs\/[A-Za-z0-9_]+\/(?:diff|compare|sweeps)[^\s,]*[^\s,.])/g;

export function LinkedMessage({ text }: { text: string }) {
  const parts = text.split(APP_PATH);
  return (
    <>
      {parts.map((part, i) =>
        i % 2 === 1 ? (
          <Link key={i} href={part} data-testid="message-link" className="underline underline-offset-2">
            {part}
          </Link>
        ) : (
          part
        ),
      )}
    </>
  );
}
