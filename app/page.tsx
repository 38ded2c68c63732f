// The home page is the graph list.
import { redirect } from 'next/navigation';

export default function Home() {
  redirect('/graphs');
}
