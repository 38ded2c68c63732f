// Root layout: providers and the top bar.
import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import './globals.css';
import { AccountMenu } from './_account/account-menu';
import { Providers } from './providers';

export const metadata: Metadata = {
  title: 'Tunegraph',
  description: 'Adapt pretrained language models to your domain with a node graph.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="flex h-full flex-col">
        <Providers>
          <header className="flex h-12 shrink-0 items-center gap-6 border-b border-neutral-200 bg-white px-4">
            <Link href="/graphs" className="flex items-center gap-2 font-semibold tracking-tight">
              <span className="grid h-6 w-6 place-items-center rounded-md bg-accent text-xs font-bold text-white">tg</span>
              Tunegraph
            </Link>
            <nav className="flex gap-4 text-sm text-neutral-600">
              <Link href="/graphs" className="hover:text-neutral-900">Graphs</Link>
              <Link href="/results" className="hover:text-neutral-900">Results</Link>
              <Link href="/workers" className="hover:text-neutral-900">Workers</Link>
            </nav>
            <AccountMenu />
          </header>
          <main className="flex min-h-0 flex-1 flex-col">{children}</main>
        </Providers>
      </body>
    </html>
  );
}
